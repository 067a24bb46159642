import { z } from 'zod';
import type { ChatBackend } from './chatBackend';
import { AbortedError, LlmError } from './llmErrors';
import type { ChatStreamRequest, LlmEvent, LlmMessage, LlmStats, LlmTool, LlmToolCall } from './types';

/**
 * Which OpenAI-compatible server is on the other end. It decides how thinking is switched off and which
 * hints an error carries; the wire protocol is the same.
 * - `vllm`: `vllm serve` (also SGLang): thinking via `chat_template_kwargs.enable_thinking`.
 * - `ollama-v1`: Ollama's `/v1` endpoints: thinking via `reasoning_effort`.
 * - `openai`: any other server; only standard OpenAI fields are sent, so thinking cannot be switched off.
 */
export type OpenAiServerKind = 'vllm' | 'openai' | 'ollama-v1';

/** Options of {@link OpenAiCompatibleBackend}. */
export interface OpenAiBackendOptions {
  /** e.g. `http://gpu-box:8000`; a trailing `/v1` is accepted and ignored. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` on every request. */
  apiKey?: string;
  /** Default `openai` (standard fields only). */
  kind?: OpenAiServerKind;
  /** Where to report recoverable oddities (e.g. a tool call without a name); pino's Logger fits. */
  logger?: { warn(fields: object, message: string): void };
}

/** Capabilities assumed for every model: `/v1/models` does not say what a model can do. */
export const ASSUMED_CAPABILITIES: readonly string[] = ['completion', 'tools'];

// ---- SSE ----

/**
 * Incremental Server-Sent Events parser (WHATWG rules) that returns the `data` of each event.
 * Lines may end in LF, CRLF or CR and may be split anywhere across pushes; comments and fields
 * other than `data` are ignored; multi-line data is joined with `\n`.
 */
export class SseDataParser {
  private buffer = '';
  private data: string[] | null = null;
  private isStart = true;

  /** Feeds decoded text; returns the data of every event completed by it. */
  push(text: string): string[] {
    const out: string[] = [];
    this.buffer += text;
    if (this.isStart && this.buffer.length > 0) {
      if (this.buffer.startsWith('\uFEFF')) this.buffer = this.buffer.slice(1);
      this.isStart = false;
    }
    this.drain(out, false);
    return out;
  }

  /**
   * Ends the stream. An event that was not closed by a blank line is still returned: some servers
   * close the connection right after the last `data:` line.
   */
  end(): string[] {
    const out: string[] = [];
    this.drain(out, true);
    if (this.buffer !== '') this.line(this.buffer, out);
    this.buffer = '';
    if (this.data !== null) out.push(this.data.join('\n'));
    this.data = null;
    return out;
  }

  private drain(out: string[], isFinal: boolean): void {
    const terminator = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = terminator.exec(this.buffer); match; match = terminator.exec(this.buffer)) {
      // A CR as the last character may be the first half of a CRLF split across two pushes.
      if (match[0] === '\r' && match.index === this.buffer.length - 1 && !isFinal) break;
      this.line(this.buffer.slice(start, match.index), out);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string, out: string[]): void {
    if (line === '') {
      if (this.data !== null) out.push(this.data.join('\n'));
      this.data = null;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    (this.data ??= []).push(value);
  }
}

// ---- wire schemas (validated where data enters) ----

const toolCallDeltaSchema = z.looseObject({
  index: z.number().int().min(0).nullish(),
  id: z.string().nullish(),
  function: z
    .looseObject({
      name: z.string().nullish(),
      // Standard servers send a string; a few send an object. Both are accepted.
      arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
    })
    .nullish(),
});

const deltaSchema = z.looseObject({
  content: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  tool_calls: z.array(toolCallDeltaSchema).nullish(),
});

const usageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
});

const choiceSchema = z.looseObject({
  index: z.number().nullish(),
  delta: deltaSchema.nullish(),
  // A non-streamed completion (a server that ignored `stream: true`) has `message` instead.
  message: deltaSchema.nullish(),
  finish_reason: z.string().nullish(),
});

const chunkSchema = z.looseObject({
  choices: z.array(choiceSchema).nullish(),
  usage: usageSchema.nullish(),
});
type Chunk = z.infer<typeof chunkSchema>;

const errorDetailSchema = z.looseObject({
  message: z.string(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

/**
 * Both error shapes: `{"error":{"message",…}}` (OpenAI, Ollama /v1, newer vLLM) and
 * `{"object":"error","message",…}` (older vLLM); also `{"error":"…"}` and FastAPI's `{"detail":…}`.
 */
function parseErrorBody(value: unknown): { message: string; type: string | null; isErrorShape: boolean } | null {
  const nested = z.looseObject({ error: errorDetailSchema }).safeParse(value);
  if (nested.success) return { message: nested.data.error.message, type: nested.data.error.type ?? null, isErrorShape: true };
  const flat = errorDetailSchema.extend({ object: z.literal('error') }).safeParse(value);
  if (flat.success) return { message: flat.data.message, type: flat.data.type ?? null, isErrorShape: true };
  const plain = z.looseObject({ error: z.string() }).safeParse(value);
  if (plain.success) return { message: plain.data.error, type: null, isErrorShape: true };
  const detail = z.looseObject({ detail: z.unknown() }).safeParse(value);
  if (detail.success)
    return {
      message: typeof detail.data.detail === 'string' ? detail.data.detail : JSON.stringify(detail.data.detail),
      type: null,
      isErrorShape: false,
    };
  return null;
}

const modelsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });
const versionSchema = z.looseObject({ version: z.string() });

// ---- internal failures, classified in one place ----

/** A non-2xx reply. */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** False when the body is not an OpenAI error (e.g. a 404 for a wrong URL). */
    readonly isErrorShape: boolean,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** An error event inside the stream. */
class StreamErrorEvent extends Error {}
/** The stream ended with neither `[DONE]` nor a finish reason. */
class StreamEndedEarly extends Error {}

/** Converts our message history (Ollama's shape) to OpenAI chat messages. */
export function toOpenAiMessages(messages: readonly LlmMessage[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  // Calls of the latest assistant message, so tool results can be tied to them by id.
  let pending: Array<{ id: string; name: string; isAnswered: boolean }> = [];
  let generated = 0;

  messages.forEach((message, messageIndex) => {
    if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) {
      // ollama-js types tool calls without `id`; our history keeps the id on the tool results, so take
      // it from the i-th following tool message, or make a stable one (stable ids keep vLLM's prefix
      // cache warm when the same history is sent again).
      const following = messages.slice(messageIndex + 1);
      const end = following.findIndex((m) => m.role !== 'tool');
      const toolIds = (end === -1 ? following : following.slice(0, end)).map((m) => m.tool_call_id);
      pending = message.tool_calls.map((call, callIndex) => {
        const ownId = 'id' in call && typeof call.id === 'string' && call.id !== '' ? call.id : undefined;
        return {
          id: ownId ?? toolIds[callIndex] ?? `call_${messageIndex}_${callIndex}`,
          name: call.function.name,
          isAnswered: false,
        };
      });
      out.push({
        role: 'assistant',
        content: message.content,
        tool_calls: message.tool_calls.map((call, callIndex) => ({
          id: pending[callIndex]?.id ?? `call_${messageIndex}_${callIndex}`,
          type: 'function',
          function: {
            name: call.function.name,
            arguments:
              typeof call.function.arguments === 'string'
                ? call.function.arguments
                : JSON.stringify(call.function.arguments ?? {}),
          },
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
    // Thinking from earlier turns is left out, as Qwen's chat template drops it anyway; images are
    // not sent (the shop assistant does not use them).
    out.push({ role: message.role, content: message.content });
  });
  return out;
}

function toOpenAiTool(tool: LlmTool): Record<string, unknown> {
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
function samplingFields(options: Record<string, number | undefined>, kind: OpenAiServerKind): Record<string, number> {
  const out: Record<string, number> = {};
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

function thinkingFields(think: ChatStreamRequest['think'], kind: OpenAiServerKind): Record<string, unknown> {
  if (kind === 'vllm') return { chat_template_kwargs: { enable_thinking: think !== false } };
  if (kind === 'ollama-v1') {
    if (think === false) return { reasoning_effort: 'none' };
    // `true` leaves the model's default (Qwen3 thinks); naming a level would 400 on non-thinking models.
    return think === true ? {} : { reasoning_effort: think };
  }
  return typeof think === 'string' ? { reasoning_effort: think } : {};
}

/** OpenAI finish reasons in the native API's terms: a tool-call turn ends with `stop` there too. */
function doneReason(finish: string | null): string | null {
  if (finish === 'tool_calls' || finish === 'function_call') return 'stop';
  return finish;
}

/** Collects one streamed reply: text goes out at once, tool calls and usage at the end. */
class ReplyAccumulator {
  /** `data: [DONE]` arrived. */
  isDone = false;
  finishReason: string | null = null;
  promptTokens: number | null = null;
  completionTokens: number | null = null;
  /** Deltas that carried generated text or tool-call parts: a token estimate when usage is missing. */
  generatedDeltas = 0;
  private readonly calls = new Map<
    number,
    { id: string | null; name: string; args: string; argsObject: Record<string, unknown> | null }
  >();
  private lastSlot = -1;

  /** Takes one parsed chunk; returns the thinking/content events it carries. */
  take(chunk: Chunk): Array<Extract<LlmEvent, { type: 'thinking' | 'content' }>> {
    const events: Array<Extract<LlmEvent, { type: 'thinking' | 'content' }>> = [];
    if (chunk.usage) {
      if (typeof chunk.usage.prompt_tokens === 'number') this.promptTokens = chunk.usage.prompt_tokens;
      if (typeof chunk.usage.completion_tokens === 'number') this.completionTokens = chunk.usage.completion_tokens;
    }
    for (const choice of chunk.choices ?? []) {
      // We ask for one choice; anything else is not ours.
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
      const delta = choice.delta ?? choice.message;
      if (!delta) continue;
      // vLLM renamed `reasoning_content` to `reasoning` and may send both with the same text.
      const reasoning = delta.reasoning || delta.reasoning_content;
      if (reasoning) events.push({ type: 'thinking', text: reasoning });
      if (delta.content) events.push({ type: 'content', text: delta.content });
      for (const part of delta.tool_calls ?? []) this.mergeToolCall(part);
      if (reasoning || delta.content || (delta.tool_calls?.length ?? 0) > 0) this.generatedDeltas += 1;
    }
    return events;
  }

  /** True once anything generated has arrived (the first token). */
  get hasOutput(): boolean {
    return this.generatedDeltas > 0;
  }

  private mergeToolCall(part: z.infer<typeof toolCallDeltaSchema>): void {
    // vLLM streams one call as fragments keyed by `index` (id and name in the first one only);
    // Ollama /v1 sends each call whole. Without an index, a new id starts a new call.
    let slot = part.index ?? undefined;
    if (slot === undefined) {
      const known = part.id ? [...this.calls.entries()].find(([, c]) => c.id === part.id)?.[0] : undefined;
      if (known !== undefined) slot = known;
      else if (part.id || this.lastSlot < 0) slot = this.calls.size === 0 ? 0 : Math.max(...this.calls.keys()) + 1;
      else slot = this.lastSlot;
    }
    this.lastSlot = slot;
    let call = this.calls.get(slot);
    if (!call) {
      call = { id: null, name: '', args: '', argsObject: null };
      this.calls.set(slot, call);
    }
    if (part.id && !call.id) call.id = part.id;
    const name = part.function?.name;
    // Some servers repeat the whole name in every fragment; others (rarely) split it.
    if (name && name !== call.name) call.name += name;
    const args = part.function?.arguments;
    if (typeof args === 'string') call.args += args;
    else if (args) call.argsObject = args;
  }

  /** The finished tool calls, in index order. Throws if a call's arguments are not a JSON object. */
  toolCalls(warn: (fields: object, message: string) => void): LlmToolCall[] {
    const out: LlmToolCall[] = [];
    for (const [index, call] of [...this.calls.entries()].sort(([a], [b]) => a - b)) {
      if (call.name === '') {
        warn({ index, arguments: call.args.slice(0, 200) }, 'tool call without a name ignored');
        continue;
      }
      out.push({
        id: call.id,
        name: call.name,
        arguments: call.argsObject ?? parseArguments(call.name, call.args, this.finishReason),
      });
    }
    return out;
  }
}

/**
 * Tool arguments arrive as a JSON string. Invalid JSON fails the call like Ollama's native API does
 * (HTTP 500 "failed to parse JSON"): running the tool with `{}` instead would search the whole
 * catalogue and let the model recommend products the shopper never asked for.
 */
function parseArguments(name: string, raw: string, finishReason: string | null): Record<string, unknown> {
  if (raw.trim() === '') return {};
  const value = parseJsonOrUndefined(raw);
  if (value === null) return {};
  const parsed = z.record(z.string(), z.unknown()).safeParse(value);
  if (parsed.success) return parsed.data;
  const cut = finishReason === 'length' ? ' The answer hit the token limit (num_predict) in the middle of the call.' : '';
  throw new LlmError(
    'generation-failed',
    `The model called ${name} with arguments that are not a JSON object: ${raw.slice(0, 120)}${raw.length > 120 ? '…' : ''}.${cut}`,
    'Try again.',
  );
}

function ns(from: bigint, to: bigint): number {
  return Math.max(0, Number(to - from));
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    if ('code' in e && typeof e.code === 'string') return e.code;
    e = 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}

/** Parses SSE data payloads into events; records `[DONE]`; throws on an error event. */
function* readEvents(
  datas: Iterable<string>,
  reply: ReplyAccumulator,
): Generator<Extract<LlmEvent, { type: 'thinking' | 'content' }>> {
  for (const data of datas) {
    if (reply.isDone) return;
    const trimmed = data.trim();
    if (trimmed === '[DONE]') {
      reply.isDone = true;
      return;
    }
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new StreamErrorEvent(`the server sent an event that is not JSON: ${trimmed.slice(0, 80)}`);
    }
    const error =
      typeof value === 'object' && value !== null && ('error' in value || 'object' in value) ? parseErrorBody(value) : null;
    if (error?.isErrorShape) throw new StreamErrorEvent(error.message);
    const chunk = chunkSchema.safeParse(value);
    if (!chunk.success)
      throw new StreamErrorEvent(`the server sent an unexpected event: ${chunk.error.issues[0]?.message ?? 'invalid'}`);
    yield* reply.take(chunk.data);
  }
}

const KIND_LABEL: Record<OpenAiServerKind, string> = {
  vllm: 'vLLM',
  'ollama-v1': 'Ollama (OpenAI API)',
  openai: 'the OpenAI-compatible server',
};

/**
 * A chat backend for OpenAI-compatible servers (`POST /v1/chat/completions`, SSE): vLLM, SGLang,
 * Ollama's `/v1`, and others. Errors use the same codes as the native Ollama gateway.
 */
export class OpenAiCompatibleBackend implements ChatBackend {
  readonly host: string;
  readonly kind: OpenAiServerKind;
  private readonly apiKey: string | undefined;
  private readonly warn: (fields: object, message: string) => void;

  constructor(options: OpenAiBackendOptions) {
    this.host = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.kind = options.kind ?? 'openai';
    this.apiKey = options.apiKey;
    const logger = options.logger;
    this.warn = logger ? (fields, message) => logger.warn(fields, message) : () => undefined;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Accept: 'application/json', ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}), ...extra };
  }

  /** The request body sent for one call (exported behaviour is tested through the double). */
  private body(req: ChatStreamRequest): Record<string, unknown> {
    return {
      model: req.model,
      messages: toOpenAiMessages(req.messages),
      ...(req.tools && req.tools.length > 0 ? { tools: req.tools.map(toOpenAiTool) } : {}),
      ...samplingFields(req.options, this.kind),
      ...thinkingFields(req.think, this.kind),
      stream: true,
      stream_options: { include_usage: true },
    };
  }

  /**
   * Streams one model call: thinking and content as they arrive, then one `tool_calls` event with
   * every call merged from its fragments, then `done`. Throws LlmError (or the abort reason).
   */
  async *streamChat(req: ChatStreamRequest): AsyncGenerator<LlmEvent> {
    const timer = new AbortController();
    const upstream = new AbortController();
    let timeout: NodeJS.Timeout | undefined;
    const arm = (ms: number, why: string) => {
      clearTimeout(timeout);
      timeout = setTimeout(
        () => timer.abort(new LlmError('ollama-timeout', why, 'The model server may be overloaded; try again.')),
        ms,
      );
    };
    const signal = AbortSignal.any([req.signal, timer.signal, upstream.signal]);
    const label = KIND_LABEL[this.kind];
    const started = process.hrtime.bigint();
    let firstOutputAt: bigint | null = null;
    let lastOutputAt = started;
    let isMidStream = false;
    const reply = new ReplyAccumulator();
    // Unlike Ollama, these servers send headers before the first token: the first-token timeout runs
    // until something generated arrives, not just the headers.
    arm(req.firstTokenTimeoutMs, `${label} did not start answering within ${Math.round(req.firstTokenTimeoutMs / 1000)} s.`);
    try {
      const res = await fetch(`${this.host}/v1/chat/completions`, {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
        body: JSON.stringify(this.body(req)),
        signal,
      });
      if (!res.ok) throw await httpError(res);

      // Anything but JSON is read as SSE: proxies sometimes rewrite text/event-stream.
      const isWhole = (res.headers.get('content-type') ?? '').includes('application/json');
      if (isWhole || !res.body) {
        // A server that ignored `stream: true` and sent one whole completion.
        for (const ev of readEvents([await res.text()], reply)) yield ev;
      } else {
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        const parser = new SseDataParser();
        for (;;) {
          const { done, value } = await reader.read();
          const datas = done
            ? [...parser.push(decoder.decode()), ...parser.end()]
            : parser.push(decoder.decode(value, { stream: true }));
          for (const ev of readEvents(datas, reply)) {
            if (ev.type === 'content') isMidStream = true;
            yield ev;
          }
          if (reply.hasOutput) {
            firstOutputAt ??= process.hrtime.bigint();
            lastOutputAt = process.hrtime.bigint();
            arm(
              req.idleTimeoutMs,
              `${label} went silent for ${Math.round(req.idleTimeoutMs / 1000)} s in the middle of an answer.`,
            );
          }
          if (done || reply.isDone) break;
        }
      }
      // A finish reason is enough: some servers close without `[DONE]` after the usage chunk.
      if (!reply.isDone && reply.finishReason === null)
        throw new StreamEndedEarly('The stream ended before the answer was finished.');

      const calls = reply.toolCalls(this.warn);
      if (calls.length > 0) yield { type: 'tool_calls', calls };
      const end = process.hrtime.bigint();
      const first = firstOutputAt ?? end;
      const stats: LlmStats = {
        doneReason: doneReason(reply.finishReason),
        promptEvalCount: reply.promptTokens ?? 0,
        evalCount: reply.completionTokens ?? reply.generatedDeltas,
        // Measured here: the server does not report load or prompt-eval time. "Prompt eval" is the
        // wait for the first generated delta (queueing and prefill), "eval" the rest of the stream.
        loadDurationNs: 0,
        promptEvalDurationNs: ns(started, first),
        evalDurationNs: ns(first, lastOutputAt > first ? lastOutputAt : end),
        totalDurationNs: ns(started, end),
      };
      yield { type: 'done', stats };
    } catch (err) {
      if (timer.signal.aborted && timer.signal.reason instanceof LlmError) throw timer.signal.reason;
      if (req.signal.aborted) throw req.signal.reason instanceof Error ? req.signal.reason : new AbortedError();
      throw this.classify(err, req.model, isMidStream);
    } finally {
      clearTimeout(timeout);
      // Closes the connection if the caller left early or something failed, so the server stops
      // generating; after `[DONE]` it is a no-op for the server.
      upstream.abort();
    }
  }

  /** Maps any failure to an LlmError with the codes the native gateway uses. */
  private classify(err: unknown, model: string, isMidStream: boolean): LlmError {
    if (err instanceof LlmError) return err;
    const label = KIND_LABEL[this.kind];
    const models = `${this.host}/v1/models`;
    if (err instanceof HttpStatusError) {
      const { status, message } = err;
      if (status === 404 && !err.isErrorShape) {
        return new LlmError(
          'model-error',
          `${this.host} has no OpenAI-compatible chat endpoint (/v1/chat/completions answered 404).`,
          'Check the backend baseUrl in aisle.yaml: it is the server address, e.g. http://gpu-box:8000.',
          404,
        );
      }
      if (status === 404) {
        const hint =
          this.kind === 'vllm'
            ? `vLLM serves only the models it was started with: run "vllm serve ${model}" (or add --served-model-name ${model}), or set the chat model to a name listed at ${models}.`
            : this.kind === 'ollama-v1'
              ? `Run: ollama pull ${model}`
              : `Set the chat model to a name listed at ${models}.`;
        return new LlmError('model-not-pulled', `The model ${model} is not served by ${label} at ${this.host}.`, hint, 404);
      }
      if (status === 401 || status === 403) {
        return new LlmError(
          'model-error',
          `${label} at ${this.host} refused the request (HTTP ${status}): ${message}`,
          'Check the backend apiKey in aisle.yaml.',
          status,
        );
      }
      if (status === 429 || status === 503) {
        return new LlmError('ollama-busy', `${label} is busy with other requests.`, 'Please try again in a moment.', status);
      }
      if (status === 400 || status === 422) {
        const hint =
          this.kind === 'vllm'
            ? 'Tools need vLLM started with --enable-auto-tool-choice --tool-call-parser hermes, thinking needs --reasoning-parser qwen3, and the prompt must fit --max-model-len.'
            : 'Choose a model that supports tools in aisle.yaml, or check the chat options.';
        return new LlmError('model-unsupported', `${label} refused the request for ${model}: ${message}`, hint, status);
      }
      return new LlmError(
        'model-error',
        `The model failed before answering: ${message}`,
        `Try again; if it keeps failing, check the ${label} logs.`,
        status,
      );
    }
    if (err instanceof StreamErrorEvent) {
      return new LlmError(
        'generation-failed',
        `The model stopped with an error: ${err.message}`,
        'Try again.',
        null,
        isMidStream,
      );
    }
    const code = causeCode(err);
    if (
      err instanceof StreamEndedEarly ||
      code === 'UND_ERR_SOCKET' ||
      (err instanceof TypeError && err.message === 'terminated')
    ) {
      return new LlmError(
        'generation-interrupted',
        'The answer ended unexpectedly before it was finished.',
        'Try again.',
        null,
        isMidStream,
      );
    }
    if (err instanceof Error && err.name === 'TimeoutError') {
      return new LlmError(
        'ollama-timeout',
        `${label} at ${this.host} did not answer in time.`,
        'The server may be overloaded; try again.',
      );
    }
    const message = err instanceof Error ? err.message : String(err);
    if (
      ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(code ?? '') ||
      message === 'fetch failed'
    ) {
      const hint =
        this.kind === 'vllm'
          ? `Start vLLM (for example "vllm serve ${model || 'Qwen/Qwen3-8B'} --enable-auto-tool-choice --tool-call-parser hermes --reasoning-parser qwen3") or fix the backend baseUrl in aisle.yaml.`
          : this.kind === 'ollama-v1'
            ? 'Start Ollama with "ollama serve", or fix the backend baseUrl in aisle.yaml.'
            : 'Check that the server is running and that the backend baseUrl in aisle.yaml points at it.';
      return new LlmError('ollama-unreachable', `Can't reach ${label} at ${this.host}.`, hint);
    }
    return new LlmError('generation-failed', `The model stopped with an error: ${message}`, 'Try again.', null, isMidStream);
  }

  /** A GET returning parsed JSON; throws HttpStatusError for non-2xx. */
  private async getJson(path: string, timeoutMs: number): Promise<unknown> {
    const res = await fetch(`${this.host}${path}`, { headers: this.headers(), signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw await httpError(res);
    return res.json();
  }

  /** Always null: OpenAI-compatible servers do not say which models are in memory. */
  async loadedModels(): Promise<string[] | null> {
    return null;
  }

  /**
   * The server version (vLLM `/version`, Ollama `/api/version`), or `"unknown"` when the server has
   * no version endpoint but `/v1/models` answers. Throws LlmError when it cannot be reached.
   */
  async version(timeoutMs = 2000): Promise<string> {
    try {
      const path = this.kind === 'vllm' ? '/version' : this.kind === 'ollama-v1' ? '/api/version' : null;
      if (path) {
        try {
          const parsed = versionSchema.safeParse(await this.getJson(path, timeoutMs));
          if (parsed.success) return parsed.data.version;
        } catch (err) {
          if (!(err instanceof HttpStatusError) && !(err instanceof SyntaxError)) throw err;
        }
      }
      await this.getJson('/v1/models', timeoutMs);
      return 'unknown';
    } catch (err) {
      throw this.classify(err, '', false);
    }
  }

  /**
   * Models from `/v1/models`. That list carries no capabilities, so every model is assumed to do
   * chat and tools ({@link ASSUMED_CAPABILITIES}); a model without tool support fails at the first
   * request with `model-unsupported`.
   */
  async listModels(timeoutMs = 3000): Promise<Array<{ name: string; capabilities: string[] }>> {
    try {
      const parsed = modelsSchema.safeParse(await this.getJson('/v1/models', timeoutMs));
      if (!parsed.success) throw new StreamErrorEvent(`${this.host}/v1/models did not return a model list`);
      return parsed.data.data.map((m) => ({ name: m.id, capabilities: [...ASSUMED_CAPABILITIES] }));
    } catch (err) {
      throw this.classify(err, '', false);
    }
  }
}

/** Reads a non-2xx reply into an HttpStatusError, whichever error shape (or none) it uses. */
async function httpError(res: Response): Promise<HttpStatusError> {
  const text = await res.text().catch(() => '');
  const parsed = parseErrorBody(parseJsonOrUndefined(text));
  const message = parsed?.message ?? (text.trim().slice(0, 300) || `HTTP ${res.status} ${res.statusText}`);
  return new HttpStatusError(res.status, message, parsed?.isErrorShape ?? false);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
