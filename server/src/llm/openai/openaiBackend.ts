import type { ChatBackend } from '../chatBackend';
import type { LlmError } from '../llmErrors';
import { checkEmbeddings, embedError } from '../embeddings';
import { StreamGuard } from '../streamGuard';
import type { ChatStreamRequest, EmbedRequest, EmbedResult, LlmEvent, LlmStats } from '../types';
import { classifyOpenAiError, HttpStatusError, httpError, StreamEndedEarly, StreamErrorEvent } from './openaiErrors';
import { doneReason, readEvents, ReplyAccumulator } from './replyAccumulator';
import { chatCompletionBody } from './request';
import { KIND_LABEL, type OpenAiServerKind } from './serverKind';
import { SseDataParser } from './sseParser';
import { embeddingsSchema, modelsSchema, versionSchema, type EmbeddingsBody } from './wire';

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

function ns(from: bigint, to: bigint): number {
  return Math.max(0, Number(to - from));
}

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

  /**
   * Streams one model call: thinking and content as they arrive, then one `tool_calls` event with
   * every call merged from its fragments, then `done`. Throws LlmError (or the abort reason).
   */
  async *streamChat(req: ChatStreamRequest): AsyncGenerator<LlmEvent> {
    const guard = new StreamGuard({ signal: req.signal, timeoutHint: 'The model server may be overloaded; try again.' });
    const label = KIND_LABEL[this.kind];
    const started = process.hrtime.bigint();
    let firstOutputAt: bigint | null = null;
    let lastOutputAt = started;
    let isMidStream = false;
    const reply = new ReplyAccumulator();
    // Unlike Ollama, these servers send headers before the first token: the first-token timeout runs
    // until something generated arrives, not just the headers.
    guard.arm(
      req.firstTokenTimeoutMs,
      `${label} did not start answering within ${Math.round(req.firstTokenTimeoutMs / 1000)} s.`,
    );
    try {
      const res = await fetch(`${this.host}/v1/chat/completions`, {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
        body: JSON.stringify(chatCompletionBody(req, this.kind)),
        signal: guard.signal,
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
            guard.arm(
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
      throw guard.failure(err, (cause) => this.classify(cause, req.model, isMidStream));
    } finally {
      // Closes the connection if the caller left early or something failed, so the server stops
      // generating; after `[DONE]` it is a no-op for the server.
      guard.close();
    }
  }

  /** Maps any failure to an LlmError with the codes the native gateway uses. */
  private classify(err: unknown, model: string, isMidStream: boolean): LlmError {
    return classifyOpenAiError(err, { host: this.host, kind: this.kind, model, isMidStream });
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
   * Embeds a batch with `POST /v1/embeddings` (vLLM with an embedding model, Ollama's `/v1`, others).
   * Vectors are put back in input order by their `index`. Throws LlmError.
   */
  async embed(req: EmbedRequest): Promise<EmbedResult> {
    const signal = req.signal ? AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]) : AbortSignal.timeout(req.timeoutMs);
    const body: EmbeddingsBody = {
      model: req.model,
      input: req.input,
      encoding_format: 'float',
      ...(req.dimensions !== undefined ? { dimensions: req.dimensions } : {}),
    };
    let vectors: unknown[];
    try {
      const res = await fetch(`${this.host}/v1/embeddings`, {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(body),
        signal,
      });
      if (!res.ok) throw await httpError(res);
      const parsed = embeddingsSchema.safeParse(await res.json());
      if (!parsed.success) throw new StreamErrorEvent(`${this.host}/v1/embeddings did not return embeddings`);
      vectors = [...parsed.data.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    } catch (err) {
      throw embedError(this.classify(err, req.model, false), req.model);
    }
    return checkEmbeddings(vectors, req, this.host);
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
