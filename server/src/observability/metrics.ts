import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChatObserver } from '../chat/chatEvents';

/**
 * Aisle's Prometheus metrics. Each app has its own registry (never prom-client's global one), so
 * tests and several apps in one process do not count into each other. The chat service feeds it
 * through its observer events, the catalogue search through the callback wired in app.ts; queue
 * figures are read from a function when Prometheus scrapes.
 */

/** What the admission queue reports; the shape of `AdmissionQueue.stats()` (only what is exported here). */
export interface QueueFigures {
  /** Answers waiting for a slot, per host. */
  queued: Record<string, number>;
  /** Answers holding a slot, per host. */
  running?: Record<string, number>;
  /** How long the longest waiter has waited, 0 when nobody waits. */
  oldestWaitMs: number;
}

export interface MetricsOptions {
  /** Figures of the admission queue, read at every scrape; none until a queue is wired (depth 0). */
  queueStats?: () => QueueFigures | Promise<QueueFigures>;
  /** Add prom-client's process metrics (CPU, memory, event loop lag, GC); default true. */
  processMetrics?: boolean;
}

/** The metrics of one app and the hooks that feed them. */
export interface AppMetrics {
  registry: Registry;
  /** Content type of `render()`'s text (Prometheus text exposition format). */
  contentType: string;
  /** Subscribe with `chat.observe(metrics.chatObserver)`. */
  chatObserver: ChatObserver;
  /** A catalogue search ran (by the server before the first model call, or as a tool call). */
  searchPerformed(event: { origin: string; durationMs: number }): void;
  /** An answer got its slot at a host after waiting in line (0 when admitted at once). */
  queueWaited(event: { host: string; waitedMs: number }): void;
  /** Every metric in the text format. */
  render(): Promise<string>;
}

const NO_HOST = 'none';

/** Creates a registry with process metrics and Aisle's own. */
export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const answers = new Counter({
    name: 'aisle_answers_total',
    help: 'Answers ended, by outcome (complete, stopped, error), model and the host that served them.',
    labelNames: ['outcome', 'model', 'host'] as const,
    registers,
  });
  const errors = new Counter({
    name: 'aisle_answer_errors_total',
    help: 'Failed answers by the error code shown to the shopper (e.g. ollama-unreachable, ollama-timeout).',
    labelNames: ['code', 'model'] as const,
    registers,
  });
  const firstToken = new Histogram({
    name: 'aisle_answer_first_token_seconds',
    help: 'Time from the start of an answer (catalogue search included) to its first text.',
    labelNames: ['model', 'host'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers,
  });
  const duration = new Histogram({
    name: 'aisle_answer_duration_seconds',
    help: 'Time from the start of an answer to its commit, by outcome.',
    labelNames: ['outcome', 'model', 'host'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers,
  });
  const tokensPerSecond = new Histogram({
    name: 'aisle_answer_tokens_per_second',
    help: 'Generation speed of an answer: completion tokens over the time the model spent generating them.',
    labelNames: ['model', 'host'] as const,
    buckets: [1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 400],
    registers,
  });
  const tokens = new Counter({
    name: 'aisle_model_tokens_total',
    help: 'Tokens the models read (prompt) and wrote (completion).',
    labelNames: ['kind', 'model', 'host'] as const,
    registers,
  });
  const live = new Set<string>();
  new Gauge({
    name: 'aisle_active_streams',
    help: 'Answers generating now.',
    registers,
    collect() {
      this.set(live.size);
    },
  });
  const search = new Histogram({
    name: 'aisle_search_duration_seconds',
    help: 'Catalogue search latency, by origin (prefetch: the server before the first model call; model: a tool call).',
    labelNames: ['origin'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const queueWait = new Histogram({
    name: 'aisle_queue_wait_seconds',
    help: 'How long answers waited in line for a model host before starting.',
    labelNames: ['host'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  });
  const readQueue = async (): Promise<QueueFigures> =>
    options.queueStats ? await options.queueStats() : { queued: {}, running: {}, oldestWaitMs: 0 };
  new Gauge({
    name: 'aisle_queue_depth',
    help: 'Answers waiting in line for a model host, per host.',
    labelNames: ['host'] as const,
    registers,
    async collect() {
      const figures = await readQueue();
      this.reset();
      const entries = Object.entries(figures.queued);
      // Always one sample, so a dashboard shows 0 rather than "no data" while nobody waits.
      if (entries.length === 0) this.set({ host: NO_HOST }, 0);
      for (const [host, depth] of entries) this.set({ host }, depth);
    },
  });
  new Gauge({
    name: 'aisle_queue_oldest_wait_seconds',
    help: 'How long the longest-waiting answer has been in line, 0 when nobody waits.',
    registers,
    async collect() {
      this.set((await readQueue()).oldestWaitMs / 1000);
    },
  });

  const chatObserver: ChatObserver = {
    answerStarted(e) {
      live.add(e.messageId);
    },
    answerAdmitted(e) {
      queueWait.observe({ host: e.host }, e.waitedMs / 1000);
    },
    answerFirstToken(e) {
      firstToken.observe({ model: e.model, host: e.host ?? NO_HOST }, e.firstTokenMs / 1000);
    },
    answerFinished(e) {
      live.delete(e.messageId);
      const host = e.host ?? NO_HOST;
      answers.inc({ outcome: e.outcome, model: e.model, host });
      duration.observe({ outcome: e.outcome, model: e.model, host }, e.durationMs / 1000);
      if (e.errorCode) errors.inc({ code: e.errorCode, model: e.model });
      if (e.promptTokens > 0) tokens.inc({ kind: 'prompt', model: e.model, host }, e.promptTokens);
      if (e.completionTokens > 0) tokens.inc({ kind: 'completion', model: e.model, host }, e.completionTokens);
      if (e.completionTokens > 0 && e.generationNs > 0)
        tokensPerSecond.observe({ model: e.model, host }, e.completionTokens / (e.generationNs / 1e9));
    },
  };

  return {
    registry,
    contentType: registry.contentType,
    chatObserver,
    searchPerformed(e) {
      search.observe({ origin: e.origin }, e.durationMs / 1000);
    },
    queueWaited(e) {
      queueWait.observe({ host: e.host }, e.waitedMs / 1000);
    },
    render: () => registry.metrics(),
  };
}
