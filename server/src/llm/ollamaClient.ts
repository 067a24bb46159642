import { Ollama, type Message, type Tool, type ToolCall } from 'ollama';
import type { ChatBackend } from './chatBackend';
import { checkEmbeddings, embedError } from './embeddings';
import { classifyLlmError } from './llmErrors';
import { isSameModel } from './modelNames';
import { StreamGuard } from './streamGuard';
import type { ChatStreamRequest, EmbedRequest, EmbedResult, LlmEvent, LlmMessage, LlmTool } from './types';

/** ollama-js omits `tool_call_id` and tool-call ids from its types, though Ollama accepts both. */
type OllamaMessage = Message & { tool_call_id?: string; tool_calls?: Array<ToolCall & { id?: string }> };

/** Our history in ollama-js's shape; every field is passed on as it was. */
function toOllamaMessage(message: LlmMessage): OllamaMessage {
  return {
    role: message.role,
    content: message.content,
    ...(message.thinking !== undefined ? { thinking: message.thinking } : {}),
    ...(message.tool_calls !== undefined
      ? {
          tool_calls: message.tool_calls.map((call) => ({
            ...(call.id !== undefined ? { id: call.id } : {}),
            function: { name: call.function.name, arguments: call.function.arguments },
          })),
        }
      : {}),
    ...(message.tool_name !== undefined ? { tool_name: message.tool_name } : {}),
    ...(message.tool_call_id !== undefined ? { tool_call_id: message.tool_call_id } : {}),
  };
}

function toOllamaTool(tool: LlmTool): Tool {
  return { type: tool.type, function: { ...tool.function } };
}

/**
 * How long an `/api/ps` answer is reused. Every answer asks whether its model is loaded (to show
 * "Loading the model"); a model stays loaded for minutes (`keep_alive`), so a few seconds is safe.
 */
export const LOADED_MODELS_TTL_MS = 3000;

/** The only module that talks to Ollama. One instance per configured host. */
export class OllamaGateway implements ChatBackend {
  /** The last `/api/ps` answer (or the request in flight, which concurrent callers share). */
  private loaded: { at: number; models: Promise<string[] | null> } | null = null;

  constructor(
    readonly host: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A client whose every request also ends when `signal` aborts (ollama-js can't abort before headers). */
  private client(signal?: AbortSignal): Ollama {
    return new Ollama({
      host: this.host,
      fetch: (input, init) => {
        const signals = [init?.signal, signal].filter((s): s is AbortSignal => s !== undefined && s !== null);
        return fetch(input, { ...init, signal: signals.length ? AbortSignal.any(signals) : null });
      },
    });
  }

  /**
   * Streams one model call. Yields thinking/content as they arrive, tool calls from any chunk
   * (including the final one), then `done` with Ollama's metrics. Throws LlmError.
   */
  async *streamChat(req: ChatStreamRequest): AsyncGenerator<LlmEvent> {
    const guard = new StreamGuard({
      signal: req.signal,
      timeoutHint: 'The model may still be loading or overloaded; try again.',
    });
    let isMidStream = false;
    guard.arm(req.firstTokenTimeoutMs, `Ollama did not start answering within ${Math.round(req.firstTokenTimeoutMs / 1000)} s.`);
    try {
      const live = await this.client(guard.signal).chat({
        model: req.model,
        messages: req.messages.map(toOllamaMessage),
        ...(req.tools && req.tools.length > 0 ? { tools: req.tools.map(toOllamaTool) } : {}),
        think: req.think,
        keep_alive: req.keepAlive,
        options: req.options,
        stream: true,
      });
      // Leaving the loop early does not close ollama-js's stream: abort it so Ollama stops generating.
      guard.onAbort(() => live.abort());
      let sawDone = false;
      let hasNotedLoad = false;
      const silentMessage = `Ollama went silent for ${Math.round(req.idleTimeoutMs / 1000)} s in the middle of an answer.`;
      for await (const chunk of live) {
        guard.arm(req.idleTimeoutMs, silentMessage);
        const m = chunk.message;
        // One chunk can carry thinking and content at the transition, and tool calls may come in any
        // chunk including the final one: handle every field of every chunk.
        if (m?.thinking) yield { type: 'thinking', text: m.thinking };
        if (!hasNotedLoad && (m?.content || m?.thinking)) {
          hasNotedLoad = true;
          this.noteLoaded(req.model);
        }
        if (m?.content) {
          isMidStream = true;
          yield { type: 'content', text: m.content };
        }
        if (m?.tool_calls && m.tool_calls.length > 0) {
          yield {
            type: 'tool_calls',
            calls: m.tool_calls.map((c) => ({
              id: 'id' in c && typeof c.id === 'string' ? c.id : null,
              name: c.function.name,
              arguments: c.function.arguments && typeof c.function.arguments === 'object' ? c.function.arguments : {},
            })),
          };
        }
        if (chunk.done) {
          sawDone = true;
          yield {
            type: 'done',
            stats: {
              doneReason: chunk.done_reason || null,
              promptEvalCount: chunk.prompt_eval_count ?? 0,
              evalCount: chunk.eval_count ?? 0,
              loadDurationNs: chunk.load_duration ?? 0,
              promptEvalDurationNs: chunk.prompt_eval_duration ?? 0,
              evalDurationNs: chunk.eval_duration ?? 0,
              totalDurationNs: chunk.total_duration ?? 0,
            },
          };
          break;
        }
      }
      if (!sawDone) throw new Error('Did not receive done or success response in stream.');
    } catch (err) {
      throw guard.failure(err, (cause) => classifyLlmError(cause, { host: this.host, model: req.model, isMidStream }));
    } finally {
      guard.close();
    }
  }

  /**
   * Models currently loaded in memory (`/api/ps`), or null if Ollama did not answer in time. Asked
   * at most once per {@link LOADED_MODELS_TTL_MS}; a failed answer is not kept.
   */
  loadedModels(timeoutMs = 1500): Promise<string[] | null> {
    const cached = this.loaded;
    if (cached && this.now() - cached.at < LOADED_MODELS_TTL_MS) return cached.models;
    const models = this.askLoadedModels(timeoutMs);
    const entry = { at: this.now(), models };
    this.loaded = entry;
    void models.then((list) => {
      if (list === null && this.loaded === entry) this.loaded = null;
    });
    return models;
  }

  private async askLoadedModels(timeoutMs: number): Promise<string[] | null> {
    try {
      const res = await this.client(AbortSignal.timeout(timeoutMs)).ps();
      return res.models.map((m) => m.name);
    } catch {
      return null;
    }
  }

  /** A model that streams is loaded now: a cached list from before its cold start must say so. */
  private noteLoaded(model: string): void {
    const cached = this.loaded;
    if (!cached) return;
    this.loaded = {
      at: cached.at,
      models: cached.models.then((list) => (list && !list.some((m) => isSameModel(m, model)) ? [...list, model] : list)),
    };
  }

  /** Ollama's version, or an LlmError when it cannot be reached. */
  async version(timeoutMs = 2000): Promise<string> {
    try {
      return (await this.client(AbortSignal.timeout(timeoutMs)).version()).version;
    } catch (err) {
      throw classifyLlmError(err, { host: this.host, model: '', isMidStream: false });
    }
  }

  /**
   * Embeds a batch with `/api/embed`. Input longer than the model's context is cut by Ollama
   * (`truncate`), so one long description never fails a batch. Throws LlmError.
   */
  async embed(req: EmbedRequest): Promise<EmbedResult> {
    const signal = req.signal ? AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]) : AbortSignal.timeout(req.timeoutMs);
    let res: { model: string; embeddings: number[][] };
    try {
      res = await this.client(signal).embed({
        model: req.model,
        input: req.input,
        truncate: true,
        ...(req.dimensions !== undefined ? { dimensions: req.dimensions } : {}),
      });
    } catch (err) {
      throw embedError(classifyLlmError(err, { host: this.host, model: req.model, isMidStream: false }), req.model);
    }
    return checkEmbeddings(res.embeddings, req, this.host);
  }

  /** Names of the models pulled on this host (`/api/tags`). */
  async listModels(timeoutMs = 3000): Promise<Array<{ name: string; capabilities: string[] }>> {
    try {
      const res = await this.client(AbortSignal.timeout(timeoutMs)).list();
      return res.models.map((m) => ({
        name: m.name,
        capabilities:
          'capabilities' in m && Array.isArray(m.capabilities)
            ? m.capabilities.filter((c): c is string => typeof c === 'string')
            : [],
      }));
    } catch (err) {
      throw classifyLlmError(err, { host: this.host, model: '', isMidStream: false });
    }
  }
}
