import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { OllamaHostConfig } from '../config/configSchema';
import type { LoadedConfig } from '../config/loadConfig';
import { effectiveHosts, resolveModelSettings } from '../config/modelSettings';
import type { Logger } from '../logger';
import type { ChatBackend } from './chatBackend';
import { LlmError } from './llmErrors';
import { OllamaGateway } from './ollamaClient';
import type { ChatStreamRequest, EmbedRequest, EmbedResult, LlmEvent } from './types';
import { OpenAiCompatibleBackend } from './openai/openaiBackend';

/**
 * The backend for a configured host: Ollama's native API, or an OpenAI-compatible server whose API
 * key is read from the environment variable the config names.
 */
export function createBackend(
  host: OllamaHostConfig,
  options: { env?: Record<string, string | undefined>; logger?: Logger } = {},
): ChatBackend {
  if (host.type === 'ollama') return new OllamaGateway(host.url);
  const env = options.env ?? process.env;
  const apiKey = host.apiKeyEnv ? env[host.apiKeyEnv] : undefined;
  return new OpenAiCompatibleBackend({
    baseUrl: host.url,
    ...(apiKey ? { apiKey } : {}),
    ...(host.kind ? { kind: host.kind } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/** What the pool knows about one host. `healthy` is null until the first check. */
export interface HostStatus {
  name: string;
  url: string;
  healthy: boolean | null;
  version: string | null;
  error: string | null;
  checkedAt: string | null;
}

/** The host chosen for a model. `isFallback` is true when it is not the model's first preference. */
export interface HostChoice {
  backend: ChatBackend;
  hostName: string;
  url: string;
  isFallback: boolean;
  /** The model's first-choice host name. */
  preferred: string;
}

/** Which host served a model's calls, for the answer's trace. */
export interface ServedBy {
  model: string;
  hostName: string;
  url: string;
  isFallback: boolean;
  /** Hosts tried first that could not serve, with why (empty when the first choice served). */
  skipped: Array<{ hostName: string; url: string; reason: string }>;
}

/** A ChatBackend for one model that fails over to the next host; `served()` tells which host answered. */
export interface RoutedBackend extends ChatBackend {
  served(): ServedBy | null;
}

export interface HostPool {
  /** The first healthy host the model prefers (or its first preference when none is healthy). */
  pick(model: string): HostChoice;
  /** Every host the model may use: healthy ones first, each group in preference order. */
  candidates(model: string): HostChoice[];
  /** A backend for one answer: a host unreachable before the first token hands over to the next. */
  route(model: string): RoutedBackend;
  /** The backend of a host by name (for per-host checks), or undefined when no such host. */
  backendOf(hostName: string): ChatBackend | undefined;
  /** Marks a host down after a failed request; it is checked again on the next health round. */
  reportFailure(hostName: string, error: unknown): void;
  status(): HostStatus[];
  /** Checks every host now (GET /api/version with a short timeout). */
  checkNow(): Promise<HostStatus[]>;
  close(): void;
}

export interface HostPoolOptions {
  config: () => LoadedConfig;
  logger: Logger;
  /** Builds the backend of a host; default `createBackend` (by the host's `type`). */
  makeBackend?: (host: OllamaHostConfig) => ChatBackend;
  /** Where `apiKeyEnv` names are looked up; default process.env. */
  env?: Record<string, string | undefined>;
  /** Run health checks at start and periodically (default true; tests may drive `checkNow` instead). */
  autoCheck?: boolean;
}

/** Spans go nowhere until tracing is configured (the API's no-op tracer). */
const tracer = trace.getTracer('aisle');

/** Hosts found down are checked this often, however long the regular interval is. */
const DOWN_RECHECK_MS = 5000;

/**
 * Errors another host may not have: nothing listening, or the model not pulled there. A timeout is
 * not one of them (the model may be loading) and neither is anything after text has streamed.
 */
export function isFailoverError(err: unknown): boolean {
  return err instanceof LlmError && (err.code === 'ollama-unreachable' || err.code === 'model-not-pulled') && !err.isMidStream;
}

function reasonOf(err: unknown): string {
  if (err instanceof LlmError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The configured Ollama hosts with their health. Hosts are read from the config on every call, so a
 * hot-reloaded host list or model preference applies to the next answer.
 */
export function createHostPool(options: HostPoolOptions): HostPool {
  const log = options.logger.child({ area: 'hosts' });
  const makeBackend =
    options.makeBackend ??
    ((h: OllamaHostConfig) => createBackend(h, { logger: log, ...(options.env ? { env: options.env } : {}) }));
  const backends = new Map<string, ChatBackend>();
  const health = new Map<string, HostStatus>();
  let timer: NodeJS.Timeout | undefined;
  let isClosed = false;
  let lastFullCheck = 0;

  const keyOf = (h: OllamaHostConfig) => `${h.name}|${h.url}`;

  function backendFor(h: OllamaHostConfig): ChatBackend {
    const key = JSON.stringify(h);
    let backend = backends.get(key);
    if (!backend) {
      backend = makeBackend(h);
      backends.set(key, backend);
    }
    return backend;
  }

  function statusOf(h: OllamaHostConfig): HostStatus {
    return health.get(keyOf(h)) ?? { name: h.name, url: h.url, healthy: null, version: null, error: null, checkedAt: null };
  }

  function setStatus(h: OllamaHostConfig, next: HostStatus): void {
    const before = health.get(keyOf(h));
    health.set(keyOf(h), next);
    if (next.healthy === false && before?.healthy !== false)
      log.warn({ host: h.name, url: h.url, error: next.error }, `Ollama host ${h.name} is down`);
    if (next.healthy === true && before?.healthy === false)
      log.info({ host: h.name, url: h.url }, `Ollama host ${h.name} is back`);
  }

  async function checkHost(h: OllamaHostConfig): Promise<HostStatus> {
    const timeoutMs = options.config().config.ollama.healthCheckTimeoutMs;
    const checkedAt = new Date().toISOString();
    let next: HostStatus;
    try {
      const version = await backendFor(h).version(timeoutMs);
      next = { name: h.name, url: h.url, healthy: true, version, error: null, checkedAt };
    } catch (err) {
      next = { name: h.name, url: h.url, healthy: false, version: null, error: reasonOf(err), checkedAt };
    }
    setStatus(h, next);
    return next;
  }

  function choicesFor(model: string): HostChoice[] {
    const { config } = options.config();
    const hosts = effectiveHosts(config);
    const preferred = resolveModelSettings(config, model)
      .hosts.map((name) => hosts.find((h) => h.name === name))
      .filter((h): h is OllamaHostConfig => h !== undefined);
    const list = preferred.length > 0 ? preferred : hosts;
    const first = list[0]?.name ?? '';
    return list.map((h) => ({
      backend: backendFor(h),
      hostName: h.name,
      url: h.url,
      isFallback: h.name !== first,
      preferred: first,
    }));
  }

  function candidates(model: string): HostChoice[] {
    const all = choicesFor(model);
    const byName = new Map(effectiveHosts(options.config().config).map((h) => [h.name, h]));
    const isUp = (c: HostChoice) => {
      const h = byName.get(c.hostName);
      return h ? statusOf(h).healthy !== false : false;
    };
    return [...all.filter(isUp), ...all.filter((c) => !isUp(c))];
  }

  function pick(model: string): HostChoice {
    const [first] = candidates(model);
    if (!first) throw new Error('no Ollama host is configured');
    // Nobody is up: answer from the first preference so the error names the host the shopper expects.
    const hosts = effectiveHosts(options.config().config);
    const host = hosts.find((h) => h.name === first.hostName);
    if (host && statusOf(host).healthy === false) {
      const preferred = choicesFor(model)[0];
      if (preferred) return preferred;
    }
    return first;
  }

  function reportFailure(hostName: string, error: unknown): void {
    const host = effectiveHosts(options.config().config).find((h) => h.name === hostName);
    if (!host) return;
    setStatus(host, { ...statusOf(host), healthy: false, error: reasonOf(error), checkedAt: new Date().toISOString() });
  }

  async function checkNow(): Promise<HostStatus[]> {
    lastFullCheck = Date.now();
    return Promise.all(effectiveHosts(options.config().config).map(checkHost));
  }

  function loop(): void {
    if (isClosed) return;
    const interval = options.config().config.ollama.healthCheckIntervalMs;
    const isDue = Date.now() - lastFullCheck >= interval;
    const hosts = effectiveHosts(options.config().config);
    const work = isDue ? checkNow() : Promise.all(hosts.filter((h) => statusOf(h).healthy === false).map(checkHost));
    void work.finally(() => {
      if (isClosed) return;
      timer = setTimeout(loop, Math.min(interval, DOWN_RECHECK_MS));
      timer.unref();
    });
  }

  function route(model: string): RoutedBackend {
    let served: ServedBy | null = null;
    const skipped: ServedBy['skipped'] = [];
    const current = () => pick(model);
    const markServed = (c: HostChoice) => {
      served = { model, hostName: c.hostName, url: c.url, isFallback: c.isFallback, skipped: [...skipped] };
    };
    return {
      get host() {
        return served?.url ?? current().url;
      },
      served: () => served,
      async *streamChat(req: ChatStreamRequest): AsyncGenerator<LlmEvent> {
        const list = candidates(req.model);
        for (const [i, choice] of list.entries()) {
          let hasYielded = false;
          // One span per host tried; it ends when the stream does (or its reader stops early).
          const span = tracer.startSpan('aisle.model.call', {
            attributes: { 'aisle.model': req.model, 'aisle.host': choice.hostName, 'aisle.tools_offered': Boolean(req.tools) },
          });
          try {
            for await (const ev of choice.backend.streamChat(req)) {
              if (!hasYielded) markServed(choice);
              hasYielded = true;
              if (ev.type === 'done')
                span.setAttributes({
                  'aisle.tokens.prompt': ev.stats.promptEvalCount,
                  'aisle.tokens.completion': ev.stats.evalCount,
                });
              yield ev;
            }
            if (!hasYielded) markServed(choice);
            return;
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof LlmError ? err.code : 'error' });
            const next = list[i + 1];
            if (hasYielded || !next || req.signal.aborted || !isFailoverError(err)) throw err;
            skipped.push({ hostName: choice.hostName, url: choice.url, reason: reasonOf(err) });
            if (err instanceof LlmError && err.code === 'ollama-unreachable') reportFailure(choice.hostName, err);
            log.warn(
              { model: req.model, host: choice.hostName, next: next.hostName, error: reasonOf(err) },
              `${choice.hostName} could not serve ${req.model}; trying ${next.hostName}`,
            );
          } finally {
            span.end();
          }
        }
      },
      // The embedding model's hosts, in the same order and with the same failover as answers.
      async embed(req: EmbedRequest): Promise<EmbedResult> {
        const list = candidates(req.model);
        for (const [i, choice] of list.entries()) {
          try {
            const result = await choice.backend.embed(req);
            markServed(choice);
            return result;
          } catch (err) {
            const next = list[i + 1];
            if (!next || req.signal?.aborted || !isFailoverError(err)) throw err;
            skipped.push({ hostName: choice.hostName, url: choice.url, reason: reasonOf(err) });
            if (err instanceof LlmError && err.code === 'ollama-unreachable') reportFailure(choice.hostName, err);
          }
        }
        throw new Error('no Ollama host is configured');
      },
      loadedModels: (timeoutMs) => current().backend.loadedModels(timeoutMs),
      version: (timeoutMs) => current().backend.version(timeoutMs),
      listModels: (timeoutMs) => current().backend.listModels(timeoutMs),
    };
  }

  if (options.autoCheck ?? true) loop();

  return {
    pick,
    candidates,
    route,
    backendOf(hostName) {
      const host = effectiveHosts(options.config().config).find((h) => h.name === hostName);
      return host ? backendFor(host) : undefined;
    },
    reportFailure,
    status: () => effectiveHosts(options.config().config).map(statusOf),
    checkNow,
    close() {
      isClosed = true;
      clearTimeout(timer);
    },
  };
}
