import { describe, expect, it } from 'vitest';
import { fuseByGroup, reciprocalRankFusion } from './fusion';

describe('reciprocalRankFusion', () => {
  it('puts an id that both lists rank well above one only a single list ranks first', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['d', 'b', 'a'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'b', 'd', 'c']);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 63);
  });

  it('keeps the order of one list when given one, and counts a repeated id once', () => {
    expect(reciprocalRankFusion([['x', 'y', 'x', 'z']]).map((f) => f.id)).toEqual(['x', 'y', 'z']);
    expect(reciprocalRankFusion([])).toEqual([]);
  });

  it('keeps first appearance on equal scores', () => {
    expect(reciprocalRankFusion([['p'], ['q']]).map((f) => f.id)).toEqual(['p', 'q']);
  });
});

describe('fuseByGroup', () => {
  const row = (id: string, group: string | null = null) => ({ id, item_group_id: group });
  const rows = new Map([row('A1', 'A'), row('A2', 'A'), row('B'), row('C')].map((r) => [r.id, r]));

  it('adds what only the semantic side found, one place per variant group, skipping unknown ids', () => {
    const fused = fuseByGroup([{ row: row('B') }], [{ id: 'A2' }, { id: 'A1' }, { id: 'B' }, { id: 'gone' }], rows, 8);
    expect(fused.map((h) => h.row.id)).toEqual(['B', 'A2']);
  });

  it('shows a group by the variant lexical search chose, and stops at the limit', () => {
    const fused = fuseByGroup([{ row: row('A1', 'A') }, { row: row('C') }], [{ id: 'A2' }, { id: 'B' }], rows, 2);
    expect(fused.map((h) => h.row.id)).toEqual(['A1', 'C']);
  });
});
