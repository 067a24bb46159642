import { describe, expect, it } from 'vitest';
import type { ProductRow } from '../db/productRepository';
import { createHybridSearch, reciprocalRankFusion, RRF_K } from './hybridSearch';

describe('reciprocalRankFusion', () => {
  it('ranks an item high in both lists above one at the top of only one', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['b', 'd', 'a'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0]?.score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1), 12);
  });

  it('keeps the order of first appearance on ties, counts a repeated id once per list, and takes an empty list', () => {
    expect(reciprocalRankFusion([['x', 'y'], []]).map((f) => f.id)).toEqual(['x', 'y']);
    expect(reciprocalRankFusion([['x'], ['y']]).map((f) => f.id)).toEqual(['x', 'y']);
    expect(reciprocalRankFusion([['x', 'x', 'y']])).toEqual([
      { id: 'x', score: 1 / (RRF_K + 1) },
      { id: 'y', score: 1 / (RRF_K + 3) },
    ]);
  });
});

function row(id: string, group: string | null = null): ProductRow {
  return { id, item_group_id: group, title: id } as ProductRow;
}

describe('createHybridSearch', () => {
  const rows = new Map([row('A1', 'A'), row('A2', 'A'), row('B'), row('C')].map((r) => [r.id, r]));
  const search = (semantic: Array<{ id: string; distance: number }> | null) =>
    createHybridSearch({
      lexical: async () => [{ row: rows.get('B') as ProductRow, score: -3 }],
      semantic: async () => semantic,
      rows: async (ids) => ids.flatMap((id) => (rows.has(id) ? [rows.get(id) as ProductRow] : [])),
    });

  it('adds what only the semantic side found, one hit per variant group, marked hybrid', async () => {
    const result = await search([
      { id: 'A2', distance: 0.1 },
      { id: 'A1', distance: 0.11 },
      { id: 'B', distance: 0.3 },
      { id: 'gone', distance: 0.4 },
    ]).search({ q: 'Schuhe zum Wandern' });
    expect(result.mode).toBe('hybrid');
    expect(result.hits.map((h) => h.row.id)).toEqual(['B', 'A2']);
  });

  it('is lexical, and says so, when the semantic side does not take part', async () => {
    const result = await search(null).search({ q: 'shoes' });
    expect(result).toMatchObject({ mode: 'lexical', hits: [{ row: { id: 'B' } }] });
  });
});
