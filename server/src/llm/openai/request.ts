import type { ChatStreamRequest, LlmMessage, LlmTool, ThinkSetting } from '../types';
import type { OpenAiServerKind } from './serverKind';
import type { ChatCompletionBody, OpenAiMessage, OpenAiSamplingFields, OpenAiThinkingFields, OpenAiTool } from './wire';

/** The body of one streamed `POST /v1/chat/completions`, usage included so token counts are real. */
export function chatCompletionBody(req: ChatStreamRequest, kind: OpenAiServerKind): ChatCompletionBody {
  return {
    model: req.model,
    messages: toOpenAiMessages(req.messages),
    ...(req.tools && req.tools.length > 0 ? { tools: req.tools.map(toOpenAiTool) } : {}),
    ...samplingFields(req.options, kind),
    ...thinkingFields(req.think, kind),
    stream: true,
    stream_options: { include_usage: true },
  };
}

/** Converts our message history to OpenAI chat messages, pairing every tool result with its call. */
export function toOpenAiMessages(messages: readonly LlmMessage[]): OpenAiMessage[] {
  const out: OpenAiMessage[] = [];
  // Calls of the latest assistant message, so tool results can be tied to them by id.
  let pending: Array<{ id: string; name: string; isAnswered: boolean }> = [];
  let generated = 0;

  messages.forEach((message, messageIndex) => {
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      // Our history usually keeps the id on the tool results rather than the calls, so take it from
      // the i-th following tool message, or make a stable one (stable ids keep vLLM's prefix cache
      // warm when the same history is sent again).
      const following = messages.slice(messageIndex + 1);
      const end = following.findIndex((m) => m.role !== 'tool');
      const toolIds = (end === -1 ? following : following.slice(0, end)).map((m) => m.tool_call_id);
      pending = message.tool_calls.map((call, callIndex) => ({
        id: (call.id !== '' ? call.id : undefined) ?? toolIds[callIndex] ?? `call_${messageIndex}_${callIndex}`,
        name: call.function.name,
        isAnswered: false,
      }));
      out.push({
        role: 'assistant',
        content: message.content,
        tool_calls: message.tool_calls.map((call, callIndex) => ({
          id: pending[callIndex]?.id ?? `call_${messageIndex}_${callIndex}`,
          type: 'function',
          function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
        })),
      });
      return;
    }
    if (message.role === 'tool') {
      const byId = message.tool_call_id ? pending.find((p) => p.id === message.tool_call_id) : undefined;
      const match =
        byId ?? pending.find((p) => !p.isAnswered && p.name === message.tool_name) ?? pending.find((p) => !p.isAnswered);
      if (match) match.isAnswered = true;
      // The assistant side's id wins, so every result points at a call the server has seen.
      out.push({
        role: 'tool',
        tool_call_id: match?.id ?? message.tool_call_id ?? `call_orphan_${generated++}`,
        content: message.content,
      });
      return;
    }
    // Thinking from earlier turns is left out, as Qwen's chat template drops it anyway.
    out.push({ role: message.role, content: message.content });
  });
  return out;
}

function toOpenAiTool(tool: LlmTool): OpenAiTool {
  return {
    type: 'function',
    function: {
      name: tool.function.name,
      ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
      parameters: tool.function.parameters ?? { type: 'object', properties: {} },
    },
  };
}

/** Ollama option names to OpenAI request fields; `num_ctx` has no equivalent (fixed at server start). */
function samplingFields(options: Record<string, number | undefined>, kind: OpenAiServerKind): OpenAiSamplingFields {
  const out: OpenAiSamplingFields = {};
  const { temperature, top_p: topP, num_predict: numPredict, seed, top_k: topK, min_p: minP } = options;
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.top_p = topP;
  // Ollama uses -1/-2 for "no limit"; OpenAI servers then need the field left out.
  if (numPredict !== undefined && numPredict > 0) out.max_tokens = numPredict;
  if (seed !== undefined) out.seed = seed;
  if (kind === 'vllm') {
    if (topK !== undefined) out.top_k = topK;
    if (minP !== undefined) out.min_p = minP;
  }
  return out;
}

function thinkingFields(think: ThinkSetting, kind: OpenAiServerKind): OpenAiThinkingFields {
  if (kind === 'vllm') return { chat_template_kwargs: { enable_thinking: think !== false } };
  if (kind === 'ollama-v1') {
    if (think === false) return { reasoning_effort: 'none' };
    // `true` leaves the model's default (Qwen3 thinks); naming a level would 400 on non-thinking models.
    return think === true ? {} : { reasoning_effort: think };
  }
  return typeof think === 'string' ? { reasoning_effort: think } : {};
}
