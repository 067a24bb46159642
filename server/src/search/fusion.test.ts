import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './fusion';

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
