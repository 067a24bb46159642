import type { ChatRequestBody, WireMessage, WireToolCall } from './wire';
import { toolCallId, wireMessage } from './wire';

/** A tool call the model "makes"; the double adds `id` (unless given) and `function.index`. */
export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  id?: string;
}

/** One streamed chunk. A chunk with both `thinking` and `content` is the mixed transition chunk of §2.3. */
export interface ScriptedChunk {
  content?: string;
  thinking?: string;
  toolCalls?: ScriptedToolCall[];
}

/**
 * How one `/api/chat` reply goes. Everything is optional: `{}` is an empty answer ending in `done:true`.
 *
 * Scripts are played literally: thinking chunks are sent even when the request said `think:false`,
 * so a test can reproduce Ollama's "thinking leaks" bugs on purpose.
 */
export interface ScriptedChatSpec {
  /** Reply with this status and `{"error": error}` instead of streaming (e.g. 404, 500, 503). */
  status?: number;
  error?: string;
  /** `text` sends the error as a text/plain body (ollama-js then reads it as text). */
  errorBody?: 'json' | 'text';
  chunks?: ScriptedChunk[];
  /** Tool calls added after `chunks`, placed per `toolCallPlacement`. */
  toolCalls?: ScriptedToolCall[];
  /**
   * `separate` (default): all calls in one `done:false` chunk; `in-done`: inside the `done:true` chunk
   * (qwen3-coder style); `spread`: one `done:false` chunk per call.
   */
  toolCallPlacement?: 'separate' | 'in-done' | 'spread';
  /** Content, thinking or tool calls carried by the `done:true` chunk itself (a parser flush). */
  finalMessage?: ScriptedChunk;
  /**
   * `done` (default): final chunk with metrics. `{ error }`: a mid-stream `{"error"}` line, then close.
   * `eof`: close cleanly with no terminal object (ollama-js: "Did not receive done…").
   */
  end?: 'done' | { error: string } | 'eof';
  doneReason?: 'stop' | 'length';
  /** Delay between streamed chunks; overrides the double's `tokenDelayMs`. */
  tokenDelayMs?: number;
  /** Hold the status line and headers back this long (cold load); reported as `load_duration`. */
  headersDelayMs?: number;
  /** Split each line's bytes inside a multibyte UTF-8 sequence, written as two TCP writes. */
  splitUtf8?: boolean;
  evalCount?: number;
  promptEvalCount?: number;
}

/** What the double knows about the request when it asks a brain or a script function for a reply. */
export interface ChatContext {
  /** True when the model thinks for this request (thinking-capable and `think` not false). */
  isThinking: boolean;
  /** The model as resolved by the double (normalised name). */
  model: string;
}

/** A scripted reply, or a function of the request that returns one. */
export type ScriptedChat = ScriptedChatSpec | ((request: ChatRequestBody, context: ChatContext) => ScriptedChatSpec);

/** Answers chat requests when no scripted reply is queued. */
export type ChatBrain = (request: ChatRequestBody, context: ChatContext) => ScriptedChatSpec;

/**
 * Splits text into word-ish tokens (each word keeps its leading whitespace), like a model's output.
 * Joining the tokens gives the text back exactly.
 */
export function tokens(value: string): string[] {
  return value.match(/\s*\S+|\s+/g) ?? [];
}

/** Content chunks, one per token: `enqueueChat({ chunks: text('Hello there') })`. */
export function text(value: string): ScriptedChunk[] {
  return tokens(value).map((content) => ({ content }));
}

/** Thinking chunks, one per token. */
export function thoughts(value: string): ScriptedChunk[] {
  return tokens(value).map((thinking) => ({ thinking }));
}

/** One intermediate line of a planned reply. */
export interface PlannedFrame {
  message: WireMessage;
}

/** A script resolved into exactly what goes on the wire. */
export interface ChatPlan {
  preError?: { status: number; error: string; errorBody: 'json' | 'text' };
  frames: PlannedFrame[];
  final: WireMessage;
  end: 'done' | { error: string } | 'eof';
  doneReason: 'stop' | 'length';
  tokenDelayMs?: number;
  headersDelayMs: number;
  splitUtf8: boolean;
  evalCount?: number;
  promptEvalCount?: number;
}

/** Resolves a script into frames: assigns tool-call ids and indexes, applies `num_predict`. */
export function planChat(spec: ScriptedChatSpec, numPredict: number | undefined): ChatPlan {
  let nextIndex = 0;
  const toWire = (calls: ScriptedToolCall[] | undefined): WireToolCall[] =>
    (calls ?? []).map((call) => ({
      id: call.id ?? toolCallId(),
      function: { index: nextIndex++, name: call.name, arguments: call.arguments },
    }));

  const plan: ChatPlan = {
    frames: [],
    final: wireMessage(''),
    end: spec.end ?? 'done',
    doneReason: spec.doneReason ?? 'stop',
    headersDelayMs: spec.headersDelayMs ?? 0,
    splitUtf8: spec.splitUtf8 ?? false,
    ...(spec.tokenDelayMs !== undefined ? { tokenDelayMs: spec.tokenDelayMs } : {}),
    ...(spec.evalCount !== undefined ? { evalCount: spec.evalCount } : {}),
    ...(spec.promptEvalCount !== undefined ? { promptEvalCount: spec.promptEvalCount } : {}),
  };
  if (spec.status !== undefined && spec.status >= 400) {
    plan.preError = {
      status: spec.status,
      error: spec.error ?? `Error ${spec.status}`,
      errorBody: spec.errorBody ?? 'json',
    };
    return plan;
  }

  let generated = 0;
  for (const chunk of spec.chunks ?? []) {
    // num_predict caps generated tokens; Ollama then ends with done_reason "length".
    if (numPredict !== undefined && numPredict > 0 && generated >= numPredict && plan.end === 'done') {
      plan.doneReason = 'length';
      return plan;
    }
    plan.frames.push({ message: wireMessage(chunk.content ?? '', chunk.thinking, toWire(chunk.toolCalls)) });
    generated += 1;
  }

  const placement = spec.toolCallPlacement ?? 'separate';
  const lateCalls = spec.toolCalls ?? [];
  let finalCalls: WireToolCall[] = [];
  if (lateCalls.length > 0) {
    if (placement === 'separate') plan.frames.push({ message: wireMessage('', undefined, toWire(lateCalls)) });
    else if (placement === 'spread')
      for (const call of lateCalls) plan.frames.push({ message: wireMessage('', undefined, toWire([call])) });
    else finalCalls = toWire(lateCalls);
  }
  const finalMessage = spec.finalMessage;
  plan.final = wireMessage(finalMessage?.content ?? '', finalMessage?.thinking, [
    ...finalCalls,
    ...toWire(finalMessage?.toolCalls),
  ]);
  return plan;
}

/** The single `stream:false` message: content and thinking concatenated, tool calls merged. */
export function mergePlan(plan: ChatPlan): WireMessage {
  const all = [...plan.frames.map((frame) => frame.message), plan.final];
  return wireMessage(
    all.map((message) => message.content).join(''),
    all.map((message) => message.thinking ?? '').join(''),
    all.flatMap((message) => message.tool_calls ?? []),
  );
}
