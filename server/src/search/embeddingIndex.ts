import type { VectorIndexMeta, VectorRepository } from '../db/vectorRepository';
import { LlmError } from '../llm/llmErrors';
import type { EmbedRequest, EmbedResult } from '../llm/types';
import type { Logger } from '../logger';
import { fitVector, productsToEmbed, type ProductToEmbed } from './embeddingText';

/** The `embedding` section of the config, as the index reads it on every pass. */
export interface EmbeddingSettings {
  model: string | null;
  dimensions: number | null;
  batchSize: number;
  concurrency: number;
}

/**
 * `off`: no model configured or no vector extension; `unavailable`: the model did not answer (not
 * pulled, host down); `indexing`: a pass is embedding products; `ready`: every live product has a
 * vector of its current text.
 */
export type EmbeddingIndexState = 'off' | 'unavailable' | 'indexing' | 'ready';

/** What agents, logs and `pnpm models` are told about semantic search. */
export interface EmbeddingIndexStatus {
  state: EmbeddingIndexState;
  /** Why semantic search is off or unavailable, with what to do; null otherwise. */
  reason: string | null;
  model: string | null;
  dimensions: number | null;
  /** Live products with a vector, and all live products. */
  embedded: number;
  total: number;
  /** One line for people: "embeddings: 2,374 / 2,374, model qwen3-embedding:0.6b" or "semantic search off: …". */
  summary: string;
}

/** Options of {@link createEmbeddingIndex}. */
export interface EmbeddingIndexOptions {
  vectors: VectorRepository;
  /** The host pool's embed call for the embedding model. */
  embed: (req: EmbedRequest) => Promise<EmbedResult>;
  settings: () => EmbeddingSettings;
  logger: Logger;
  /** How often the catalogue version and settings are compared with the last pass (default 5 s). */
  pollMs?: number;
  /** How long an unavailable model is left alone before it is asked again (default 60 s). */
  retryMs?: number;
  /** Milliseconds now; tests pass a clock they move. */
  now?: () => number;
}

/** Products read from the database per page while looking for what to embed. */
const PAGE_SIZE = 500;
/** A batch of product texts may take a while on a CPU-only host. */
const BATCH_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 30_000;

const number = new Intl.NumberFormat('en-US');

function summaryOf(s: Omit<EmbeddingIndexStatus, 'summary'>): string {
  if (s.state === 'off' || s.state === 'unavailable') return `semantic search off: ${s.reason ?? 'unknown reason'}`;
  return `embeddings: ${number.format(s.embedded)} / ${number.format(s.total)}, model ${s.model ?? '?'}${
    s.state === 'indexing' ? ' (indexing)' : ''
  }`;
}

/** Why the model could not embed, in words an operator can act on. */
function reasonOf(err: unknown, model: string): string {
  if (err instanceof LlmError) {
    if (err.code === 'model-not-pulled') return `the embedding model ${model} is not pulled: run "ollama pull ${model}"`;
    return `the embedding model ${model} failed: ${err.message}${err.hint ? ` ${err.hint}` : ''}`;
  }
  return `the embedding model ${model} failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** Runs `work` over `items` with at most `limit` at once, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * Keeps the catalogue's vectors current in the background: at start, after every import (the
 * catalogue version, so imports by the CLI in another process count too), and when the embedding
 * model or size changes (which re-embeds everything). Only products whose text hash changed are
 * embedded; vectors of deleted or gone products are removed. Never blocks startup or an import, and
 * never throws: failures become the status and one warning per distinct reason.
 */
export function createEmbeddingIndex(options: EmbeddingIndexOptions) {
  const log = options.logger.child({ area: 'semantic-search' });
  const now = options.now ?? (() => Date.now());
  const { vectors } = options;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let status: Omit<EmbeddingIndexStatus, 'summary'> = {
    state: 'off',
    reason: 'not started yet',
    model: null,
    dimensions: null,
    embedded: 0,
    total: 0,
  };
  /** The meta of the vectors queries may use now; null when semantic search is off. */
  let searchable: VectorIndexMeta | null = null;
  let lastPass: { catalogueVersion: number; settingsKey: string; at: number } | null = null;
  let queued: Promise<void> | null = null;
  let chain: Promise<void> = Promise.resolve();
  const warned = new Set<string>();

  const settingsKey = (s: EmbeddingSettings) => `${s.model ?? ''}|${s.dimensions ?? ''}`;

  function setStatus(next: Partial<Omit<EmbeddingIndexStatus, 'summary'>>): void {
    status = { ...status, ...next };
    if (status.state === 'off' || status.state === 'unavailable') {
      const line = summaryOf(status);
      // One line per reason, not per pass or query: a missing model is said once, a new problem again.
      if (!warned.has(line)) {
        warned.add(line);
        log.warn({ reason: status.reason }, `${line}; search is lexical only`);
      }
    }
  }

  async function pass(): Promise<void> {
    const settings = options.settings();
    lastPass = { catalogueVersion: vectors.catalogueVersion(), settingsKey: settingsKey(settings), at: now() };
    const model = settings.model;
    if (!model) {
      searchable = null;
      setStatus({
        state: 'off',
        reason:
          'no embedding model is configured (set embedding.model, e.g. qwen3-embedding:0.6b, after "ollama pull qwen3-embedding:0.6b")',
        model: null,
        dimensions: null,
      });
      return;
    }
    const availability = vectors.availability();
    if (!availability.isAvailable) {
      searchable = null;
      setStatus({ state: 'off', reason: availability.reason, model, dimensions: null });
      return;
    }
    const requested = settings.dimensions ?? undefined;
    const embed = async (input: string[], timeoutMs: number): Promise<Float32Array[]> => {
      const result = await options.embed({
        model,
        input,
        timeoutMs,
        signal: abort.signal,
        ...(requested !== undefined ? { dimensions: requested } : {}),
      });
      return result.embeddings.map((v) => fitVector(v, requested ?? v.length));
    };

    // One short call first: it tells whether the model answers and its size, before any vector is
    // stored in an index of another size.
    let dimensions: number;
    try {
      const [probe] = await embed(['dimension probe'], PROBE_TIMEOUT_MS);
      dimensions = probe?.length ?? 0;
    } catch (err) {
      if (abort.signal.aborted) return;
      searchable = null;
      setStatus({ state: 'unavailable', reason: reasonOf(err, model), model });
      return;
    }
    const meta = { model, dimensions };
    if (vectors.prepare(meta)) log.info(meta, 'embedding the whole catalogue for semantic search (new model or size)');
    const removed = vectors.removeStale();
    if (removed > 0) log.debug({ removed }, 'removed vectors of products that are gone');
    searchable = meta;
    setStatus({ state: 'indexing', reason: null, model, dimensions, ...vectors.counts() });

    const stored = vectors.storedHashes();
    const started = now();
    let done = 0;
    let after = 0;
    try {
      for (;;) {
        const page = vectors.productsAfter(after, PAGE_SIZE);
        const last = page.at(-1);
        if (!last || abort.signal.aborted) break;
        after = last.rowid;
        const todo = productsToEmbed(page, stored);
        const batches: ProductToEmbed[][] = [];
        for (let i = 0; i < todo.length; i += settings.batchSize) batches.push(todo.slice(i, i + settings.batchSize));
        await eachLimited(batches, settings.concurrency, async (batch) => {
          if (abort.signal.aborted) return;
          const vectorsOf = await embed(
            batch.map((p) => p.text),
            BATCH_TIMEOUT_MS,
          );
          vectors.save(
            batch.map((p, i) => ({ id: p.id, contentHash: p.hash, vector: vectorsOf[i] ?? new Float32Array(dimensions) })),
          );
          done += batch.length;
          setStatus(vectors.counts());
        });
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      // What is stored stays searchable; the rest is embedded when the model answers again.
      setStatus({ state: 'unavailable', reason: reasonOf(err, model), ...vectors.counts() });
      return;
    }
    if (abort.signal.aborted) return;
    setStatus({ state: 'ready', reason: null, ...vectors.counts() });
    if (done > 0) log.info({ embedded: done, ms: Math.round(now() - started) }, summaryOf(status));
  }

  /** Runs a pass after the current one; calls made while one waits share it. */
  function syncNow(): Promise<EmbeddingIndexStatus> {
    if (!queued) {
      const next = chain.then(async () => {
        queued = null;
        try {
          await pass();
        } catch (err) {
          // A database error must not leave the chain rejected: the next pass tries again.
          log.error({ err }, 'the semantic index pass failed');
        }
      });
      queued = next;
      chain = next;
    }
    return queued.then(() => api.status());
  }

  /** A pass is due when the catalogue or the settings changed, or an unavailable model may be back. */
  function tick(): void {
    const settings = options.settings();
    const isDue =
      lastPass === null ||
      lastPass.catalogueVersion !== vectors.catalogueVersion() ||
      lastPass.settingsKey !== settingsKey(settings) ||
      (status.state === 'unavailable' && now() - lastPass.at >= (options.retryMs ?? 60_000));
    if (isDue) void syncNow();
  }

  const api = {
    /** Starts the first pass in the background and watches for changes. */
    start(): void {
      void syncNow();
      timer = setInterval(tick, options.pollMs ?? 5000);
      timer.unref();
    },
    syncNow,
    /** Looks for changes now (what the timer does). */
    tick,
    /** Waits for the current and queued passes to end. */
    idle(): Promise<EmbeddingIndexStatus> {
      return chain.then(() => api.status());
    },
    status(): EmbeddingIndexStatus {
      return { ...status, summary: summaryOf(status) };
    },
    /**
     * The model and size queries must be embedded with, or null when semantic search is off. A model
     * changed in the config is not used before its vectors are there: until the next pass, null.
     */
    searchable(): (VectorIndexMeta & { isTruncated: boolean }) | null {
      const settings = options.settings();
      if (!searchable || settings.model !== searchable.model) return null;
      if (settings.dimensions !== null && settings.dimensions !== searchable.dimensions) return null;
      return status.embedded > 0 ? { ...searchable, isTruncated: settings.dimensions !== null } : null;
    },
    /** Stops watching and ends a pass at its next batch; resolves once it has. */
    async stop(): Promise<void> {
      clearInterval(timer);
      abort.abort();
      await chain;
    },
  };
  return api;
}

export type EmbeddingIndex = ReturnType<typeof createEmbeddingIndex>;
