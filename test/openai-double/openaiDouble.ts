import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoBrain } from '../ollama-double/demoBrain';
import { chatRequestSchema } from '../ollama-double/wire';
import type { ErrorShape, OpenAiChatContext, OpenAiReplySpec, OpenAiScriptedReply } from './script';
import type { ChatCompletionRequest } from './wire';
import { chatCompletionRequestSchema, errorBody, errorType, historyError, messageText, randomId } from './wire';

/** Which server the double imitates. */
export type OpenAiDoubleFlavor = 'vllm' | 'ollama-v1';

/** Options of {@link startOpenAiDouble}. */
export interface OpenAiDoubleOptions {
  /** Default 0 (a free port); the host is always 127.0.0.1. */
  port?: number;
  /**
   * `vllm` (default): a role-only first delta, tool-call arguments in fragments, `/version`, flat
   * error bodies, FastAPI's `{"detail":"Not Found"}`. `ollama-v1`: whole tool calls, reasoning and
   * content never in one delta, `/api/version`, nested error bodies.
   */
  flavor?: OpenAiDoubleFlavor;
  /** Served model ids. Default `Qwen/Qwen3-8B` (vllm) or `qwen3:4b`, `qwen3:8b` (ollama-v1). */
  models?: string[];
  /** When set, requests need `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  /** Delay between events. Default 0 for tests. */
  tokenDelayMs?: number;
  /** Answers requests when no scripted reply is queued. Default: the Ollama double's demo brain. */
  brain?: (request: ChatCompletionRequest, context: OpenAiChatContext) => OpenAiReplySpec;
}

/** Every request the double received, in arrival order. */
export interface OpenAiRecordedRequest {
  method: string;
  path: string;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/**
 * Chat generations (valid requests). Each ends as `completed` (its reply was fully written, error
 * replies included), `aborted` (the client closed the connection first) or `dropped` (cut by setDown/close).
 */
export interface OpenAiDoubleStats {
  started: number;
  completed: number;
  aborted: number;
  dropped: number;
  active: number;
}

/** A running OpenAI-compatible test double. */
export interface OpenAiDouble {
  /** e.g. `http://127.0.0.1:43567` (without `/v1`). */
  url: string;
  port: number;
  flavor: OpenAiDoubleFlavor;
  close(): Promise<void>;
  /** Queues scripted replies for the next valid chat requests (FIFO). */
  enqueue(...replies: OpenAiScriptedReply[]): void;
  pendingScripts(): number;
  requests: OpenAiRecordedRequest[];
  /** Parsed bodies of the valid chat requests, in order. */
  chatRequests(): ChatCompletionRequest[];
  stats: OpenAiDoubleStats;
  /** Resolves once `stats.aborted >= n`; rejects after `timeoutMs` (default 5000). */
  waitForAborted(n?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `stats.completed >= n`; rejects after `timeoutMs` (default 5000). */
  waitForCompleted(n?: number, timeoutMs?: number): Promise<void>;
  /** `true` closes the listener and cuts open connections (ECONNREFUSED); `false` listens again on the same port. */
  setDown(isDown: boolean): Promise<void>;
  models: string[];
}

/** Starts the double on 127.0.0.1 and resolves once it listens. */
export async function startOpenAiDouble(options: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  const double = new OpenAiDoubleServer(options);
  await double.listen(options.port ?? 0);
  return double;
}

const VLLM_VERSION = '0.11.0';
const OLLAMA_VERSION = '0.32.15';
const SPLIT_PAUSE_MS = 3;

class HttpReply extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class OpenAiDoubleServer implements OpenAiDouble {
  url = '';
  port = 0;
  readonly flavor: OpenAiDoubleFlavor;
  models: string[];
  requests: OpenAiRecordedRequest[] = [];
  stats: OpenAiDoubleStats = { started: 0, completed: 0, aborted: 0, dropped: 0, active: 0 };

  private readonly server: Server;
  private readonly scripts: OpenAiScriptedReply[] = [];
  private readonly events = new EventEmitter();
  private isCutting = false;
  private isDown = false;

  constructor(private readonly options: OpenAiDoubleOptions) {
    this.flavor = options.flavor ?? 'vllm';
    this.models = options.models ?? (this.flavor === 'vllm' ? ['Qwen/Qwen3-8B'] : ['qwen3:4b', 'qwen3:8b']);
    this.events.setMaxListeners(0);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else
          this.json(
            res,
            500,
            errorBody(this.shape, 500, error instanceof Error ? error.message : String(error), errorType(this.shape, 500)),
          );
      });
    });
  }

  private get shape(): ErrorShape {
    return this.flavor === 'vllm' ? 'flat' : 'nested';
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('OpenAI double: no TCP address');
    this.port = address.port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.isDown) return;
    this.isDown = true;
    await this.stopListening();
  }

  async setDown(isDown: boolean): Promise<void> {
    if (isDown === this.isDown) return;
    this.isDown = isDown;
    if (isDown) await this.stopListening();
    else await this.listen(this.port);
  }

  enqueue(...replies: OpenAiScriptedReply[]): void {
    this.scripts.push(...replies);
  }

  pendingScripts(): number {
    return this.scripts.length;
  }

  chatRequests(): ChatCompletionRequest[] {
    return this.requests.flatMap((request) => {
      if (request.path !== '/v1/chat/completions') return [];
      const parsed = chatCompletionRequestSchema.safeParse(request.body);
      return parsed.success ? [parsed.data] : [];
    });
  }

  waitForAborted(n = 1, timeoutMs = 5000): Promise<void> {
    return this.waitForStats((stats) => stats.aborted >= n, `aborted >= ${n}`, timeoutMs);
  }

  waitForCompleted(n = 1, timeoutMs = 5000): Promise<void> {
    return this.waitForStats((stats) => stats.completed >= n, `completed >= ${n}`, timeoutMs);
  }

  // ---- plumbing ----

  private async stopListening(): Promise<void> {
    this.isCutting = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    // Let the cut connections' 'close' handlers run before new ones count as aborts again.
    await sleep(0);
    this.isCutting = false;
  }

  private waitForStats(predicate: (stats: OpenAiDoubleStats) => boolean, label: string, timeoutMs: number): Promise<void> {
    if (predicate(this.stats)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!predicate(this.stats)) return;
        clearTimeout(timer);
        this.events.off('stats', onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.events.off('stats', onChange);
        reject(new Error(`OpenAI double: timed out waiting for ${label}; stats ${JSON.stringify(this.stats)}`));
      }, timeoutMs);
      this.events.on('stats', onChange);
    });
  }

  private bump(outcome: 'started' | 'completed' | 'aborted' | 'dropped'): void {
    this.stats[outcome] += 1;
    this.stats.active = this.stats.started - this.stats.completed - this.stats.aborted - this.stats.dropped;
    this.events.emit('stats');
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    let isBadJson = false;
    try {
      body = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      isBadJson = true;
    }
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    this.requests.push({ method, path, body, headers: req.headers });

    try {
      if (this.options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
        throw new HttpReply(401, 'Unauthorized');
      }
      if (method === 'POST' && path === '/v1/chat/completions') {
        if (isBadJson) throw new HttpReply(400, 'The request body is not valid JSON.');
        await this.chat(res, body);
      } else if (method === 'GET' && path === '/v1/models') {
        const created = Math.floor(Date.now() / 1000);
        this.json(res, 200, {
          object: 'list',
          data: this.models.map((id) => ({
            id,
            object: 'model',
            created,
            owned_by: this.flavor === 'vllm' ? 'vllm' : 'library',
          })),
        });
      } else if (method === 'GET' && this.flavor === 'vllm' && path === '/version') {
        this.json(res, 200, { version: VLLM_VERSION });
      } else if (method === 'GET' && this.flavor === 'vllm' && path === '/health') {
        res.writeHead(200);
        res.end();
      } else if (method === 'GET' && this.flavor === 'ollama-v1' && path === '/api/version') {
        this.json(res, 200, { version: OLLAMA_VERSION });
      } else if (this.flavor === 'vllm') {
        this.json(res, 404, { detail: 'Not Found' });
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found');
      }
    } catch (error) {
      if (!(error instanceof HttpReply)) throw error;
      this.json(res, error.status, errorBody(this.shape, error.status, error.message, errorType(this.shape, error.status)));
    }
  }

  // ---- /v1/chat/completions ----

  private async chat(res: ServerResponse, body: unknown): Promise<void> {
    const parsed = chatCompletionRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpReply(400, `Invalid request: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'bad body'}`);
    }
    const request = parsed.data;
    const invalidHistory = historyError(request);
    if (invalidHistory) throw new HttpReply(400, invalidHistory);
    if (!this.models.includes(request.model)) {
      throw new HttpReply(
        404,
        this.flavor === 'vllm'
          ? `The model \`${request.model}\` does not exist.`
          : `model "${request.model}" not found, try pulling it first`,
      );
    }

    this.bump('started');
    let outcome: 'completed' | 'aborted' | 'dropped' | undefined;
    const settle = (result: 'completed' | 'aborted' | 'dropped') => {
      if (outcome) return;
      outcome = result;
      this.bump(result);
    };
    const controller = new AbortController();
    const signal = controller.signal;
    res.on('close', () => {
      if (res.writableFinished) return;
      controller.abort();
      settle(this.isCutting ? 'dropped' : 'aborted');
    });

    const context: OpenAiChatContext = {
      isThinking:
        this.flavor === 'vllm' ? request.chat_template_kwargs?.enable_thinking !== false : request.reasoning_effort !== 'none',
      model: request.model,
    };
    const script = this.scripts.shift() ?? this.options.brain ?? demoReply;
    let spec: OpenAiReplySpec;
    try {
      spec = typeof script === 'function' ? script(request, context) : script;
    } catch (error) {
      this.json(
        res,
        500,
        errorBody(
          this.shape,
          500,
          `OpenAI double script failed: ${error instanceof Error ? error.message : String(error)}`,
          errorType(this.shape, 500),
        ),
      );
      settle('completed');
      return;
    }

    if (spec.headersDelayMs) await pause(spec.headersDelayMs, signal);
    if (signal.aborted) return;
    if (spec.status !== undefined && spec.status >= 400) {
      const shape = spec.errorShape ?? this.shape;
      this.json(
        res,
        spec.status,
        errorBody(shape, spec.status, spec.error ?? `Error ${spec.status}`, errorType(shape, spec.status)),
      );
      settle('completed');
      return;
    }

    const reply = planReply(spec, request, this.flavor);
    if (request.stream && !spec.ignoreStream) await this.stream(res, request, spec, reply, signal);
    else this.whole(res, request, reply);
    if (res.writableEnded) settle('completed');
  }

  private envelope(request: ChatCompletionRequest, id: string, created: number): Record<string, unknown> {
    return {
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      ...(this.flavor === 'ollama-v1' ? { system_fingerprint: 'fp_ollama' } : {}),
    };
  }

  private async stream(
    res: ServerResponse,
    request: ChatCompletionRequest,
    spec: OpenAiReplySpec,
    reply: PlannedReply,
    signal: AbortSignal,
  ): Promise<void> {
    const id = randomId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const base = this.envelope(request, id, created);
    const delayMs = spec.tokenDelayMs ?? this.options.tokenDelayMs ?? 0;
    const newline = spec.crlf ? '\r\n' : '\n';
    res.socket?.setNoDelay(true);
    // vLLM (Starlette) sends the headers before the first token.
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    if (spec.firstChunkDelayMs) await pause(spec.firstChunkDelayMs, signal);

    let isFirst = true;
    const send = async (data: string) => {
      if (signal.aborted) return;
      if (!isFirst) await pause(delayMs, signal);
      isFirst = false;
      if (signal.aborted) return;
      const bytes = Buffer.from(`data: ${data}${newline}${newline}`, 'utf8');
      const lead = spec.splitUtf8 ? bytes.findIndex((byte) => byte >= 0xc0) : -1;
      if (lead === -1) return write(res, bytes);
      await write(res, bytes.subarray(0, lead + 1));
      await pause(SPLIT_PAUSE_MS, signal);
      if (!signal.aborted) await write(res, bytes.subarray(lead + 1));
    };
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta, ...(this.flavor === 'vllm' ? { logprobs: null } : {}), finish_reason: finish }],
      });

    for (const delta of reply.deltas) await send(chunk(delta, null));
    const end = spec.end ?? 'done';
    if (typeof end === 'object') {
      const shape = end.shape ?? this.shape;
      await send(JSON.stringify(errorBody(shape, 500, end.error, errorType(shape, 500))));
      if (this.flavor === 'vllm') await send('[DONE]');
    } else if (end !== 'eof') {
      await send(chunk({}, reply.finishReason));
      if (request.stream_options?.include_usage && reply.usage) {
        await send(JSON.stringify({ ...base, choices: [], usage: reply.usage }));
      }
      if (end === 'done') await send('[DONE]');
    }
    if (!signal.aborted) res.end();
  }

  private whole(res: ServerResponse, request: ChatCompletionRequest, reply: PlannedReply): void {
    const message: Record<string, unknown> = { role: 'assistant', content: reply.content };
    if (reply.reasoning) message.reasoning = reply.reasoning;
    if (reply.toolCalls.length > 0) message.tool_calls = reply.toolCalls;
    this.json(res, 200, {
      id: randomId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message, finish_reason: reply.finishReason }],
      ...(reply.usage ? { usage: reply.usage } : {}),
    });
  }
}

interface WholeToolCall {
  id: string;
  index: number;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A script resolved into deltas, plus what the non-streamed reply needs. */
interface PlannedReply {
  deltas: Array<Record<string, unknown>>;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  content: string;
  reasoning: string;
  toolCalls: WholeToolCall[];
}

function planReply(spec: OpenAiReplySpec, request: ChatCompletionRequest, flavor: OpenAiDoubleFlavor): PlannedReply {
  const deltas: Array<Record<string, unknown>> = [];
  const field = spec.reasoningField ?? 'reasoning';
  const reasoningFields = (value: string) =>
    field === 'both' ? { reasoning: value, reasoning_content: value } : { [field]: value };
  if (flavor === 'vllm') deltas.push({ role: 'assistant', content: '' });

  let generated = 0;
  let isCut = false;
  let content = '';
  let reasoningText = '';
  for (const chunk of spec.chunks ?? []) {
    // max_tokens caps generated tokens (one per chunk here); the reply then ends with "length".
    if (request.max_tokens && generated >= request.max_tokens) {
      isCut = true;
      break;
    }
    generated += 1;
    content += chunk.content ?? '';
    reasoningText += chunk.reasoning ?? '';
    const parts: Array<Record<string, unknown>> = [];
    if (flavor === 'vllm') {
      parts.push({
        ...(chunk.reasoning ? reasoningFields(chunk.reasoning) : {}),
        ...(chunk.content ? { content: chunk.content } : {}),
      });
    } else {
      // Ollama /v1 splits a chunk holding both into two deltas.
      if (chunk.reasoning) parts.push(reasoningFields(chunk.reasoning));
      if (chunk.content) parts.push({ content: chunk.content });
    }
    deltas.push(...parts);
  }

  const toolCalls: WholeToolCall[] = isCut
    ? []
    : (spec.toolCalls ?? []).map((call, index) => ({
        id: call.id ?? randomId('call_', 8),
        index,
        type: 'function',
        function: {
          name: call.name,
          arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        },
      }));
  const style = spec.toolCallStyle ?? (flavor === 'vllm' ? 'fragments' : 'whole');
  if (toolCalls.length > 0 && style === 'whole') {
    deltas.push({ tool_calls: toolCalls });
  } else if (toolCalls.length > 0) {
    const size = Math.max(1, spec.fragmentSize ?? 6);
    const sequences = toolCalls.map((call) => {
      const pieces: Array<Record<string, unknown>> = [
        {
          tool_calls: [
            { index: call.index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
          ],
        },
      ];
      for (let at = 0; at < call.function.arguments.length; at += size) {
        pieces.push({
          tool_calls: [{ index: call.index, function: { arguments: call.function.arguments.slice(at, at + size) } }],
        });
      }
      return pieces;
    });
    if (spec.interleave) {
      const longest = Math.max(...sequences.map((s) => s.length));
      for (let i = 0; i < longest; i++) for (const sequence of sequences) if (sequence[i]) deltas.push(sequence[i] ?? {});
    } else {
      for (const sequence of sequences) deltas.push(...sequence);
    }
  }
  if (flavor === 'ollama-v1' && deltas[0]) deltas[0] = { role: 'assistant', ...deltas[0] };

  const promptTokens = request.messages.reduce((sum, m) => sum + Math.ceil(messageText(m.content).length / 4) + 4, 0);
  const usage =
    spec.usage === false
      ? null
      : {
          prompt_tokens: spec.usage?.prompt_tokens ?? promptTokens,
          completion_tokens: spec.usage?.completion_tokens ?? generated + toolCalls.length,
          total_tokens:
            (spec.usage?.prompt_tokens ?? promptTokens) + (spec.usage?.completion_tokens ?? generated + toolCalls.length),
        };
  return {
    deltas,
    finishReason: spec.finishReason ?? (isCut ? 'length' : toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    usage,
    content,
    reasoning: reasoningText,
    toolCalls,
  };
}

/** The default responder: the Ollama double's demo brain, fed the request in Ollama's shape. */
function demoReply(request: ChatCompletionRequest, context: OpenAiChatContext): OpenAiReplySpec {
  const asOllama = chatRequestSchema.parse({
    model: request.model,
    messages: request.messages.map((m) => ({ role: m.role, content: messageText(m.content) })),
    tools: request.tools ?? undefined,
  });
  const spec = demoBrain(asOllama, context);
  return {
    chunks: (spec.chunks ?? []).map((c) => ({ content: c.content, reasoning: c.thinking })),
    toolCalls: (spec.toolCalls ?? []).map((c) => ({ name: c.name, arguments: c.arguments })),
  };
}

/** Waits, returning early (without throwing) when the signal fires; 0 still yields to the event loop. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  if (ms <= 0) {
    await new Promise((resolve) => setImmediate(resolve));
    return;
  }
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** Writes and honours backpressure, giving up if the connection goes away. */
async function write(res: ServerResponse, bytes: Buffer): Promise<void> {
  if (res.destroyed) return;
  if (res.write(bytes)) return;
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
