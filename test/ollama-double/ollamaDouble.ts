import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoBrain } from './demoBrain';
import { countTokens, fakeEmbedding } from './embeddings';
import type { FakeModel } from './models';
import {
  DEFAULT_MODELS,
  fullModelName,
  inferModel,
  modelDigest,
  normalizeModelName,
  psEntry,
  showResponse,
  tagsEntry,
} from './models';
import type { ChatBrain, ChatContext, ChatPlan, ScriptedChat, ScriptedChatSpec } from './script';
import { mergePlan, planChat } from './script';
import type { ChatRequestBody, WireMetrics } from './wire';
import {
  chatChunk,
  chatRequestSchema,
  describeBodyError,
  embedRequestSchema,
  modelRefSchema,
  OLLAMA_ERRORS,
  parseThink,
  toJson,
  wireMessage,
} from './wire';

/** Options of {@link startOllamaDouble}. */
export interface OllamaDoubleOptions {
  /** Default 0 (a free port); the host is always 127.0.0.1. */
  port?: number;
  /** Default: qwen3:4b and qwen3:8b (completion, tools, thinking) and qwen3-embedding:0.6b (1024 dims). */
  models?: FakeModel[];
  /** Delay between streamed chunks. Default 0 for tests; the CLI uses 25. */
  tokenDelayMs?: number;
  /** Responder used when no scripted reply is queued. Default: {@link demoBrain}. */
  brain?: ChatBrain;
  /** Mirror Go's `\u003c`/`\u003e`/`\u0026` escaping byte for byte. */
  htmlEscape?: boolean;
  /** Extra header delay for the first request to a model that is not loaded yet. Default 0. */
  coldLoadMs?: number;
  /**
   * Concurrency mode (OLLAMA_NUM_PARALLEL): at most this many chat generations per model at once; the
   * rest wait with no headers. Default: unlimited.
   */
  numParallel?: number;
  /** With `numParallel`: how many may wait per model before further requests get 503 "server busy". */
  maxQueue?: number;
  /** If given, only these can be pulled; other names fail like an unknown registry model. */
  pullable?: FakeModel[];
}

/** Every request the double received, in arrival order. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  headers: IncomingHttpHeaders;
  receivedAt: Date;
}

/**
 * Chat generations (validated requests that are not load/unload). Each one in the end counts once as
 * `completed` (its reply was fully written, whatever it said), `aborted` (the client closed the
 * connection first) or `dropped` (the double cut it itself through setDown/close).
 */
export interface OllamaDoubleStats {
  started: number;
  completed: number;
  aborted: number;
  dropped: number;
  active: number;
}

/** A running Ollama test double. */
export interface OllamaDouble {
  /** e.g. `http://127.0.0.1:43567`, ready for `new Ollama({ host: double.url })`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Queue scripted replies for the next valid /api/chat generations (FIFO; load requests and validation errors do not use one). */
  enqueueChat(...responses: ScriptedChat[]): void;
  /** Scripted replies not used yet. */
  pendingScripts(): number;
  requests: RecordedRequest[];
  /** Parsed bodies of the /api/chat calls, in order. */
  chatRequests(): ChatRequestBody[];
  stats: OllamaDoubleStats;
  /** Resolves once `stats.aborted >= n`; rejects after `timeoutMs` (default 5000). */
  waitForAborted(n?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `stats.completed >= n`; rejects after `timeoutMs` (default 5000). */
  waitForCompleted(n?: number, timeoutMs?: number): Promise<void>;
  /**
   * Simulates Ollama being stopped: `true` closes the listener and cuts every open connection, so new
   * requests fail with ECONNREFUSED (ollama-js: `TypeError: fetch failed`); `false` listens again on
   * the same port.
   */
  setDown(isDown: boolean): Promise<void>;
  addModel(model: FakeModel): void;
  removeModel(name: string): void;
  models(): FakeModel[];
  /** Normalised names of the models shown by /api/ps; a model is loaded by its first chat or embed. */
  loaded: Set<string>;
}

/** Starts an Ollama test double on 127.0.0.1 and resolves once it listens. */
export async function startOllamaDouble(options: OllamaDoubleOptions = {}): Promise<OllamaDouble> {
  const double = new OllamaDoubleServer(options);
  await double.listen(options.port ?? 0);
  return double;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const NDJSON_TYPE = 'application/x-ndjson';
const OLLAMA_VERSION = '0.32.15';
/** Ollama's warm load_duration is about a millisecond. */
const WARM_LOAD_NS = 1_334_875;
/** Pause between the two halves of a split multibyte sequence, so they reach the client as two reads. */
const SPLIT_PAUSE_MS = 3;

interface LoadedInfo {
  expiresAt: Date;
  contextLength: number;
}

class HttpReply extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
  ) {
    super(error);
  }
}

class OllamaDoubleServer implements OllamaDouble {
  url = '';
  port = 0;
  requests: RecordedRequest[] = [];
  stats: OllamaDoubleStats = { started: 0, completed: 0, aborted: 0, dropped: 0, active: 0 };
  loaded = new Set<string>();

  private readonly server: Server;
  private readonly catalogue = new Map<string, FakeModel>();
  private readonly loadedInfo = new Map<string, LoadedInfo>();
  private readonly scripts: ScriptedChat[] = [];
  private readonly events = new EventEmitter();
  private readonly slots = new Map<string, { active: number; waiters: Array<() => void> }>();
  private isCutting = false;
  private isDown = false;

  constructor(private readonly options: OllamaDoubleOptions) {
    for (const model of options.models ?? DEFAULT_MODELS) this.addModel(model);
    this.events.setMaxListeners(0);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(error instanceof Error ? error.message : String(error));
        } else {
          res.destroy();
        }
      });
    });
  }

  async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('Ollama double: no TCP address');
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

  enqueueChat(...responses: ScriptedChat[]): void {
    this.scripts.push(...responses);
  }

  pendingScripts(): number {
    return this.scripts.length;
  }

  chatRequests(): ChatRequestBody[] {
    return this.requests.flatMap((request) => {
      if (request.path !== '/api/chat') return [];
      const parsed = chatRequestSchema.safeParse(request.body);
      return parsed.success ? [parsed.data] : [];
    });
  }

  waitForAborted(n = 1, timeoutMs = 5000): Promise<void> {
    return this.waitForStats((stats) => stats.aborted >= n, `aborted >= ${n}`, timeoutMs);
  }

  waitForCompleted(n = 1, timeoutMs = 5000): Promise<void> {
    return this.waitForStats((stats) => stats.completed >= n, `completed >= ${n}`, timeoutMs);
  }

  addModel(model: FakeModel): void {
    const name = normalizeModelName(model.name);
    this.catalogue.set(name, { ...model, name });
  }

  removeModel(name: string): void {
    const normalized = normalizeModelName(name);
    this.catalogue.delete(normalized);
    this.loaded.delete(normalized);
  }

  models(): FakeModel[] {
    return [...this.catalogue.values()];
  }

  // ---- plumbing ----

  private async stopListening(): Promise<void> {
    this.isCutting = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    // Let the handlers of the cut connections see their 'close' before new ones count as aborts again.
    await sleep(0);
    this.isCutting = false;
  }

  private waitForStats(predicate: (stats: OllamaDoubleStats) => boolean, label: string, timeoutMs: number): Promise<void> {
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
        reject(new Error(`Ollama double: timed out waiting for ${label}; stats ${JSON.stringify(this.stats)}`));
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
    const payload = toJson(body, this.options.htmlEscape ?? false);
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  private findModel(name: string): FakeModel | undefined {
    return this.catalogue.get(normalizeModelName(name));
  }

  private markLoaded(name: string, contextLength: unknown): void {
    this.loaded.add(name);
    this.loadedInfo.set(name, {
      expiresAt: new Date(Date.now() + 5 * 60_000),
      contextLength: typeof contextLength === 'number' ? contextLength : 4096,
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    let bodyError: string | undefined;
    if (raw.trim() === '') {
      bodyError = OLLAMA_ERRORS.missingBody;
    } else {
      try {
        body = JSON.parse(raw);
      } catch (error) {
        bodyError = error instanceof Error ? error.message : 'invalid JSON';
      }
    }
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://double').pathname;
    this.requests.push({ method, path, body, headers: req.headers, receivedAt: new Date() });

    const isRead = method === 'GET' || method === 'HEAD';
    try {
      if (isRead && path === '/') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 17 });
        res.end('Ollama is running');
      } else if (isRead && path === '/api/version') {
        this.json(res, 200, { version: OLLAMA_VERSION });
      } else if (isRead && path === '/api/tags') {
        this.json(res, 200, { models: this.models().map(tagsEntry) });
      } else if (method === 'GET' && path === '/api/ps') {
        this.json(res, 200, { models: this.psModels() });
      } else if (method === 'POST' && path === '/api/chat') {
        await this.chat(req, res, this.requireBody(body, bodyError));
      } else if (method === 'POST' && path === '/api/embed') {
        this.embed(res, this.requireBody(body, bodyError));
      } else if (method === 'POST' && path === '/api/embeddings') {
        this.legacyEmbeddings(res, this.requireBody(body, bodyError));
      } else if (method === 'POST' && path === '/api/show') {
        this.show(res, this.requireBody(body, bodyError));
      } else if (method === 'POST' && path === '/api/pull') {
        await this.pull(res, this.requireBody(body, bodyError));
      } else if (method === 'DELETE' && path === '/api/delete') {
        this.deleteModel(res, this.requireBody(body, bodyError));
      } else {
        // gin's default for unknown routes and for known paths with another method.
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found');
      }
    } catch (error) {
      if (!(error instanceof HttpReply)) throw error;
      this.json(res, error.status, { error: error.error });
    }
  }

  private requireBody(body: unknown, bodyError: string | undefined): unknown {
    if (bodyError !== undefined) throw new HttpReply(400, bodyError);
    return body;
  }

  private psModels(): Array<Record<string, unknown>> {
    return [...this.loaded]
      .flatMap((name) => {
        const model = this.catalogue.get(name);
        if (!model) return [];
        const info = this.loadedInfo.get(name) ?? { expiresAt: new Date(Date.now() + 5 * 60_000), contextLength: 4096 };
        return [{ entry: psEntry(model, info), expiresAt: info.expiresAt.getTime() }];
      })
      .sort((a, b) => b.expiresAt - a.expiresAt)
      .map(({ entry }) => entry);
  }

  // ---- /api/chat ----

  private async chat(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const requestStart = process.hrtime.bigint();
    const parsed = chatRequestSchema.safeParse(body);
    if (!parsed.success) throw new HttpReply(400, describeBodyError(parsed.error, 'ChatRequest'));
    const request = parsed.data;
    const think = parseThink(request.think);
    if (!think.ok) throw new HttpReply(400, think.error);
    if (request.model === '') throw new HttpReply(400, OLLAMA_ERRORS.modelRequired);
    const model = this.findModel(request.model);
    if (!model) throw new HttpReply(404, OLLAMA_ERRORS.chatModelNotFound(request.model));
    if (!model.capabilities.includes('completion')) throw new HttpReply(400, OLLAMA_ERRORS.noChat(request.model));
    if ((request.tools?.length ?? 0) > 0 && !model.capabilities.includes('tools')) {
      throw new HttpReply(400, OLLAMA_ERRORS.noTools(fullModelName(request.model)));
    }
    const canThink = model.capabilities.includes('thinking');
    const isThinkRequested = think.value !== undefined && think.value !== false;
    if (isThinkRequested && !canThink) throw new HttpReply(400, OLLAMA_ERRORS.noThinking(request.model));

    const signal = abortSignalFor(res);
    const numCtx = request.options?.num_ctx;
    const isUnload = isZeroKeepAlive(request.keep_alive);

    if ((request.messages?.length ?? 0) === 0) {
      // Load / unload requests answer with plain JSON even when stream is true (§2.6).
      if (!isUnload && !this.loaded.has(model.name))
        await sleep(this.options.coldLoadMs ?? 0, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      if (isUnload) this.loaded.delete(model.name);
      else this.markLoaded(model.name, numCtx);
      this.json(res, 200, chatChunk(request.model, wireMessage(''), { doneReason: isUnload ? 'unload' : 'load' }));
      return;
    }

    this.bump('started');
    let outcome: 'completed' | 'aborted' | 'dropped' | undefined;
    const settle = (result: 'completed' | 'aborted' | 'dropped') => {
      if (outcome) return;
      outcome = result;
      this.bump(result);
    };
    res.on('close', () => {
      if (!res.writableFinished) settle(this.isCutting ? 'dropped' : 'aborted');
    });

    const slot = await this.acquireSlot(model.name, signal);
    if (slot === 'aborted') return;
    try {
      if (slot === 'busy') {
        this.json(res, 503, { error: OLLAMA_ERRORS.busy });
        settle('completed');
        return;
      }
      const context: ChatContext = { isThinking: canThink && think.value !== false, model: model.name };
      const script = this.scripts.shift() ?? this.options.brain ?? demoBrain;
      let spec: ScriptedChatSpec;
      try {
        spec = typeof script === 'function' ? script(request, context) : script;
      } catch (error) {
        // A broken script function should fail its test loudly, not hang the client.
        this.json(res, 500, {
          error: `Ollama double script failed: ${error instanceof Error ? error.message : String(error)}`,
        });
        settle('completed');
        return;
      }
      const numPredict = request.options?.num_predict;
      const plan = planChat(spec, typeof numPredict === 'number' ? numPredict : undefined);

      const coldMs = this.loaded.has(model.name) ? 0 : (this.options.coldLoadMs ?? 0);
      const loadMs = plan.headersDelayMs + coldMs;
      if (loadMs > 0) await sleep(loadMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      this.markLoaded(model.name, numCtx);

      if (plan.preError) {
        if (plan.preError.errorBody === 'text') {
          res.writeHead(plan.preError.status, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(plan.preError.error);
        } else {
          this.json(res, plan.preError.status, { error: plan.preError.error });
        }
      } else {
        const timing = { requestStart, loadNs: WARM_LOAD_NS + loadMs * 1_000_000 };
        if (request.stream !== false) await this.replyStream(res, request, plan, timing, signal);
        else if ((await this.replyWhole(res, request, plan, timing, signal)) === 'cut') {
          // EOF mode without streaming: the connection just drops, with no response at all.
          settle('completed');
          res.destroy();
        }
      }
      if (res.writableFinished || res.writableEnded) settle('completed');
      if (isUnload) this.loaded.delete(model.name);
    } finally {
      this.releaseSlot(model.name);
    }
  }

  private async replyStream(
    res: ServerResponse,
    request: ChatRequestBody,
    plan: ChatPlan,
    timing: { requestStart: bigint; loadNs: number },
    signal: AbortSignal,
  ): Promise<void> {
    const delayMs = plan.tokenDelayMs ?? this.options.tokenDelayMs ?? 0;
    const evalStart = process.hrtime.bigint();
    res.socket?.setNoDelay(true);
    // Headers go out with the first line, as with gin: nothing is written before a chunk is ready.
    let isHeadWritten = false;
    const writeLine = async (value: unknown) => {
      if (!isHeadWritten) {
        res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
        isHeadWritten = true;
      }
      await this.writeLine(res, value, plan.splitUtf8, signal);
    };

    for (const [i, frame] of plan.frames.entries()) {
      if (signal.aborted) return;
      if (i > 0) await pause(delayMs, signal);
      if (signal.aborted) return;
      await writeLine(chatChunk(request.model, frame.message));
    }
    if (plan.frames.length > 0) await pause(delayMs, signal);
    if (signal.aborted) return;

    if (plan.end === 'eof') {
      if (!isHeadWritten) res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
    } else if (plan.end === 'done') {
      await writeLine(
        chatChunk(request.model, plan.final, {
          doneReason: plan.doneReason,
          metrics: this.metrics(request, plan, timing, evalStart),
        }),
      );
    } else {
      await writeLine({ error: plan.end.error });
    }
    if (!signal.aborted) res.end();
  }

  private async replyWhole(
    res: ServerResponse,
    request: ChatRequestBody,
    plan: ChatPlan,
    timing: { requestStart: bigint; loadNs: number },
    signal: AbortSignal,
  ): Promise<'sent' | 'cut'> {
    const evalStart = process.hrtime.bigint();
    const delayMs = plan.tokenDelayMs ?? this.options.tokenDelayMs ?? 0;
    // Generation takes as long as it would have streamed.
    await pause(delayMs * plan.frames.length, signal);
    if (signal.aborted) return 'sent';
    if (plan.end === 'eof') return 'cut';
    if (plan.end !== 'done') {
      this.json(res, 500, { error: plan.end.error });
      return 'sent';
    }
    const metrics = this.metrics(request, plan, timing, evalStart);
    this.json(res, 200, chatChunk(request.model, mergePlan(plan), { doneReason: plan.doneReason, metrics }));
    return 'sent';
  }

  private async writeLine(res: ServerResponse, value: unknown, splitUtf8: boolean, signal: AbortSignal): Promise<void> {
    const bytes = Buffer.from(`${toJson(value, this.options.htmlEscape ?? false)}\n`, 'utf8');
    // Cut right after the lead byte of the first multibyte character, so a decoder without
    // `stream: true` would produce U+FFFD (ollama-js < 0.6.1).
    const lead = splitUtf8 ? bytes.findIndex((byte) => byte >= 0xc0) : -1;
    if (lead === -1) {
      await write(res, bytes);
      return;
    }
    await write(res, bytes.subarray(0, lead + 1));
    await pause(SPLIT_PAUSE_MS, signal);
    if (!signal.aborted) await write(res, bytes.subarray(lead + 1));
  }

  private metrics(
    request: ChatRequestBody,
    plan: ChatPlan,
    timing: { requestStart: bigint; loadNs: number },
    evalStart: bigint,
  ): WireMetrics {
    const now = process.hrtime.bigint();
    const promptTokens =
      plan.promptEvalCount ??
      Math.max(
        1,
        (request.messages ?? []).reduce((sum, message) => sum + countTokens(message.content) + 4, 0),
      );
    return {
      total_duration: Math.max(1, Number(now - timing.requestStart)),
      load_duration: Math.round(timing.loadNs),
      prompt_eval_count: promptTokens,
      prompt_eval_duration: promptTokens * 250_000,
      eval_count: plan.evalCount ?? plan.frames.length + 1,
      eval_duration: Math.max(1, Number(now - evalStart)),
    };
  }

  private async acquireSlot(model: string, signal: AbortSignal): Promise<'ok' | 'busy' | 'aborted'> {
    const limit = this.options.numParallel;
    if (limit === undefined) return 'ok';
    let slot = this.slots.get(model);
    if (!slot) {
      slot = { active: 0, waiters: [] };
      this.slots.set(model, slot);
    }
    if (slot.active < limit) {
      slot.active += 1;
      return 'ok';
    }
    if (slot.waiters.length >= (this.options.maxQueue ?? Number.POSITIVE_INFINITY)) {
      // Counted as holding a slot so the caller's release stays balanced.
      slot.active += 1;
      return 'busy';
    }
    const queue = slot;
    return new Promise((resolve) => {
      const onAbort = () => {
        queue.waiters.splice(queue.waiters.indexOf(grant), 1);
        resolve('aborted');
      };
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        queue.active += 1;
        resolve('ok');
      };
      queue.waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaseSlot(model: string): void {
    const slot = this.slots.get(model);
    if (!slot) return;
    slot.active -= 1;
    slot.waiters.shift()?.();
  }

  // ---- other endpoints ----

  private embed(res: ServerResponse, body: unknown): void {
    const requestStart = process.hrtime.bigint();
    const parsed = embedRequestSchema.safeParse(body);
    if (!parsed.success) throw new HttpReply(400, describeBodyError(parsed.error, 'EmbedRequest'));
    const request = parsed.data;
    if (request.model === '') throw new HttpReply(400, OLLAMA_ERRORS.modelRequired);
    const model = this.findModel(request.model);
    if (!model) throw new HttpReply(404, OLLAMA_ERRORS.embedModelNotFound(request.model));

    const inputs = embedInputs(request.input);
    if (inputs.length === 0) {
      this.json(res, 200, { model: request.model, embeddings: [] });
      return;
    }
    const contextLength = model.contextLength ?? 32768;
    const tokenCounts = inputs.map(countTokens);
    if (request.truncate === false && tokenCounts.some((count) => count > contextLength)) {
      throw new HttpReply(400, OLLAMA_ERRORS.inputTooLong);
    }
    this.markLoaded(model.name, request.options?.num_ctx);
    const dimensions = model.embeddingLength ?? 1024;
    this.json(res, 200, {
      model: request.model,
      embeddings: inputs.map((input) => fakeEmbedding(input, dimensions, request.dimensions)),
      total_duration: Math.max(1, Number(process.hrtime.bigint() - requestStart)),
      load_duration: WARM_LOAD_NS,
      prompt_eval_count: tokenCounts.reduce((sum, count) => sum + Math.min(count, contextLength), 0),
    });
  }

  private legacyEmbeddings(res: ServerResponse, body: unknown): void {
    const parsed = modelRefSchema.extend({ prompt: embedRequestSchema.shape.input }).safeParse(body);
    if (!parsed.success) throw new HttpReply(400, describeBodyError(parsed.error, 'EmbeddingRequest'));
    const name = parsed.data.model ?? parsed.data.name ?? '';
    if (name === '') throw new HttpReply(400, OLLAMA_ERRORS.modelRequired);
    const model = this.findModel(name);
    if (!model) throw new HttpReply(404, OLLAMA_ERRORS.embedModelNotFound(name));
    const prompt = typeof parsed.data.prompt === 'string' ? parsed.data.prompt : '';
    this.json(res, 200, { embedding: prompt ? fakeEmbedding(prompt, model.embeddingLength ?? 1024) : [] });
  }

  private show(res: ServerResponse, body: unknown): void {
    const name = this.modelRef(body);
    const model = this.findModel(name);
    // show reports the normalised name (qwen3 → qwen3:latest), unlike chat.
    if (!model) throw new HttpReply(404, OLLAMA_ERRORS.chatModelNotFound(normalizeModelName(name)));
    this.json(res, 200, showResponse(model));
  }

  private deleteModel(res: ServerResponse, body: unknown): void {
    const name = this.modelRef(body);
    if (!this.findModel(name)) throw new HttpReply(404, OLLAMA_ERRORS.chatModelNotFound(name));
    this.removeModel(name);
    res.writeHead(200);
    res.end();
  }

  private async pull(res: ServerResponse, body: unknown): Promise<void> {
    const name = this.modelRef(body);
    const isStream = modelRefSchema.safeParse(body).data?.stream !== false;
    const normalized = normalizeModelName(name);
    const pullable = this.options.pullable;
    const model = pullable
      ? pullable.find((candidate) => normalizeModelName(candidate.name) === normalized)
      : (this.findModel(name) ?? inferModel(name));
    if (!model) throw new HttpReply(500, 'pull model manifest: file does not exist');

    if (!isStream) {
      this.addModel(model);
      this.json(res, 200, { status: 'success' });
      return;
    }
    const signal = abortSignalFor(res);
    const delayMs = this.options.tokenDelayMs ?? 0;
    const digest = modelDigest(normalized);
    const total = 1_000_000_000;
    const lines: Array<Record<string, unknown>> = [
      { status: 'pulling manifest' },
      { status: `pulling ${digest.slice(0, 12)}`, digest: `sha256:${digest}`, total },
      ...[0.25, 0.5, 0.75, 1].map((share) => ({
        status: `pulling ${digest.slice(0, 12)}`,
        digest: `sha256:${digest}`,
        total,
        completed: total * share,
      })),
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
      { status: 'success' },
    ];
    res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
    for (const [i, line] of lines.entries()) {
      if (signal.aborted) return;
      if (i > 0) await pause(delayMs, signal);
      // The model exists once its manifest is written, just before "success".
      if (line.status === 'success') this.addModel(model);
      await write(res, Buffer.from(`${toJson(line, this.options.htmlEscape ?? false)}\n`));
    }
    res.end();
  }

  private modelRef(body: unknown): string {
    const parsed = modelRefSchema.safeParse(body);
    if (!parsed.success) throw new HttpReply(400, describeBodyError(parsed.error, 'ModelRequest'));
    const name = parsed.data.model || parsed.data.name || '';
    if (name === '') throw new HttpReply(400, OLLAMA_ERRORS.modelRequired);
    return name;
  }
}

/** An AbortSignal that fires when the client's connection closes before the reply is finished. */
function abortSignalFor(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
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

function embedInputs(input: unknown): string[] {
  if (input === undefined || input === null || input === '') return [];
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item): item is string => typeof item === 'string')) return input;
  throw new HttpReply(400, OLLAMA_ERRORS.invalidInputType);
}

function isZeroKeepAlive(keepAlive: number | string | null | undefined): boolean {
  return keepAlive === 0 || (typeof keepAlive === 'string' && /^0+(?:\.0+)?(?:ns|us|µs|ms|s|m|h)?$/.test(keepAlive));
}
