import type { ProductSearch } from '@aisle/shared';
import type { VectorNeighbour, VectorRepository } from '../db/vectorRepository';
import type { EmbedRequest, EmbedResult } from '../llm/types';
import type { Logger } from '../logger';
import type { EmbeddingIndex } from './embeddingIndex';
import { fitVector } from './embeddingText';
import { LruCache } from './semanticCache';

/**
 * The semantic side of search, in the shape the lexical search takes as its `semantic` option:
 * the `k` products nearest to the query's meaning among those that pass the filters. Empty when
 * semantic search is off or the query could not be embedded (search is then lexical).
 */
export type SemanticNeighbours = (query: string, filters: ProductSearch, k: number) => Promise<VectorNeighbour[]>;

/** Options of {@link createSemanticSearch}. */
export interface SemanticSearchOptions {
  index: EmbeddingIndex;
  vectors: VectorRepository;
  embed: (req: EmbedRequest) => Promise<EmbedResult>;
  /** `embedding.queryInstruction`, read per query. */
  instruction: () => string | null;
  logger: Logger;
  /** Query vectors kept (default 500). */
  cacheSize?: number;
  /** Longest wait for a query's vector before the search goes on lexical only (default 3 s). */
  queryTimeoutMs?: number;
}

/** Qwen3-Embedding's model card: queries carry a task instruction, documents are embedded as they are. */
const QWEN3_INSTRUCTION = "Instruct: Given a shopper's question, retrieve the catalogue products that match it\nQuery: ";

/**
 * The text embedded for a query: the configured instruction before it, or with none configured
 * (null) the model's recommended one when known. An empty instruction embeds the query alone.
 */
export function queryText(model: string, query: string, instruction: string | null = null): string {
  const prefix = instruction ?? (/qwen3-embedding/i.test(model) ? QWEN3_INSTRUCTION : '');
  return `${prefix}${query}`;
}

/**
 * Embeds shopper queries (with a cache of recent ones) and finds their nearest products. A failed
 * query embedding is logged at debug and counted, and that one search is lexical: the model may be
 * loading, or another host serving it.
 */
export function createSemanticSearch(options: SemanticSearchOptions) {
  const log = options.logger.child({ area: 'semantic-search' });
  const cache = new LruCache<string, Float32Array>(options.cacheSize ?? 500);
  const counters = { queries: 0, cacheHits: 0, fallbacks: 0 };

  async function queryVector(query: string, model: string, dimensions: number, isTruncated: boolean): Promise<Float32Array> {
    const text = queryText(model, query.replace(/\s+/g, ' ').trim(), options.instruction());
    const key = `${model}|${dimensions}|${text.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit) {
      counters.cacheHits += 1;
      return hit;
    }
    const result = await options.embed({
      model,
      input: [text],
      // Only when the config asks for it: a server whose model has one size may refuse the field.
      ...(isTruncated ? { dimensions } : {}),
      timeoutMs: options.queryTimeoutMs ?? 3000,
    });
    const vector = fitVector(result.embeddings[0] ?? [], dimensions);
    if (vector.length !== dimensions)
      throw new Error(`the query vector has ${vector.length} dimensions, the index ${dimensions}`);
    cache.set(key, vector);
    return vector;
  }

  /**
   * The neighbours, or null when semantic search did not take part (off, no words to embed, or the
   * query embedding failed): the caller then says the search was lexical.
   */
  async function search(query: string, filters: ProductSearch, k: number): Promise<VectorNeighbour[] | null> {
    const meta = options.index.searchable();
    const words = query.trim();
    if (!meta || words === '') return null;
    counters.queries += 1;
    let vector: Float32Array;
    try {
      vector = await queryVector(words, meta.model, meta.dimensions, meta.isTruncated);
    } catch (err) {
      counters.fallbacks += 1;
      log.debug({ err, fallbacks: counters.fallbacks }, 'query embedding failed; this search is lexical');
      return null;
    }
    try {
      return options.vectors.nearest(vector, k, filters);
    } catch (err) {
      // Not the model's doing: a fault here is ours, so it is an error, though the shopper still gets results.
      counters.fallbacks += 1;
      log.error({ err }, 'the vector index could not be searched; this search is lexical');
      return null;
    }
  }

  const nearest: SemanticNeighbours = async (query, filters, k) => (await search(query, filters, k)) ?? [];

  return {
    search,
    nearest,
    /** Queries embedded or served from the cache, and those that fell back to lexical. */
    counters: () => ({ ...counters, cached: cache.size }),
  };
}

export type SemanticSearch = ReturnType<typeof createSemanticSearch>;
