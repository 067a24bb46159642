import type { ProductSearch } from '@aisle/shared';
import type { ProductHit, ProductRow } from '../db/productRepository';
import type { VectorNeighbour } from '../db/vectorRepository';

/** RRF's constant: 60 in the original paper and in most engines; it damps the weight of the top ranks. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each id scores Σ 1 / (k + rank) over the lists it appears in (rank from
 * 1), so an id near the top of both lists beats one at the top of only one. Ranks only, never the
 * lists' own scores, which are not comparable (bm25 against cosine distance). Ties keep the order of
 * first appearance, earlier lists first.
 */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k = RRF_K): Array<{ id: string; score: number }> {
  const scores = new Map<string, number>();
  for (const list of lists) {
    const seen = new Set<string>();
    list.forEach((id, i) => {
      // An id listed twice in one list counts at its best rank only.
      if (seen.has(id)) return;
      seen.add(id);
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
    });
  }
  return [...scores.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/** What a hybrid search answers: hits best first, and whether the semantic side took part. */
export interface HybridResult {
  /** One hit per variant group; `score` is the negated fused score, so lower is better as in lexical hits. */
  hits: ProductHit[];
  mode: 'lexical' | 'hybrid';
}

/** Options of {@link createHybridSearch}. */
export interface HybridSearchOptions {
  /** The lexical search (FTS5 + filters), one hit per variant group, best first. */
  lexical: (f: ProductSearch) => Promise<ProductHit[]>;
  /** Nearest products by meaning, or null when semantic search does not take part in this query. */
  semantic: (query: string, filters: ProductSearch, k: number) => Promise<VectorNeighbour[] | null>;
  /** Rows by id (for products only the semantic side found). */
  rows: (ids: readonly string[]) => Promise<ProductRow[]>;
}

const DEFAULT_LIMIT = 8;

const groupOf = (row: ProductRow) => row.item_group_id ?? row.id;

/**
 * Lexical and semantic search fused by RRF. Both sides get the shopper's filters and look deeper
 * than the page (fusion needs the runners-up); variants are fused as their group, so five sizes of
 * one shoe count once. A query the model cannot embed is answered lexically, marked so.
 *
 * Seam for the lexical search (`catalogueSearch.ts`, whose `semantic` option takes `nearest` from
 * `semanticSearch.ts` and fuses with `fusion.ts`): at merge, this function's fusion and that one
 * become one; `reciprocalRankFusion` is the part to keep or replace.
 */
export function createHybridSearch(options: HybridSearchOptions) {
  return {
    async search(f: ProductSearch): Promise<HybridResult> {
      const limit = f.limit ?? DEFAULT_LIMIT;
      const depth = Math.min(50, Math.max(limit * 3, 24));
      const query = f.q?.trim() ?? '';
      const [lexical, neighbours] = await Promise.all([
        options.lexical({ ...f, limit: depth }),
        // Variants of one product sit side by side in vector space: ask for more to fill `depth` groups.
        query ? options.semantic(query, f, depth * 4) : Promise.resolve(null),
      ]);
      if (neighbours === null) return { hits: lexical.slice(0, limit), mode: 'lexical' };

      const rowsById = new Map<string, ProductRow>(lexical.map((h) => [h.row.id, h.row]));
      const missing = neighbours.map((n) => n.id).filter((id) => !rowsById.has(id));
      for (const row of await options.rows(missing)) rowsById.set(row.id, row);

      // The representative of a group: the variant lexical search chose, else the nearest one.
      const chosen = new Map<string, ProductRow>();
      const lexicalGroups = lexical.map((h) => {
        chosen.set(groupOf(h.row), h.row);
        return groupOf(h.row);
      });
      const semanticGroups: string[] = [];
      for (const n of neighbours) {
        const row = rowsById.get(n.id);
        if (!row) continue;
        const group = groupOf(row);
        if (!chosen.has(group)) chosen.set(group, row);
        semanticGroups.push(group);
      }
      const fused = reciprocalRankFusion([lexicalGroups, semanticGroups]);
      const hits = fused.slice(0, limit).flatMap(({ id, score }) => {
        const row = chosen.get(id);
        return row ? [{ row, score: -score }] : [];
      });
      return { hits, mode: 'hybrid' };
    },
  };
}

export type HybridSearch = ReturnType<typeof createHybridSearch>;
