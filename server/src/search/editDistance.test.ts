import { describe, expect, it } from 'vitest';
import { boundedDamerauLevenshtein, maxEditsFor } from './editDistance';

describe('boundedDamerauLevenshtein', () => {
  it.each([
    ['jaket', 'jacket', 1],
    ['jakcet', 'jacket', 1],
    ['sneekers', 'sneakers', 1],
    ['sneekrs', 'sneakers', 2],
    ['backpak', 'backpack', 1],
    ['tent', 'tent', 0],
    ['', 'abc', 3],
    ['ca', 'abc', 3],
  ])('%s -> %s is %i edits', (a, b, d) => {
    expect(boundedDamerauLevenshtein(a, b, 3)).toBe(d);
    expect(boundedDamerauLevenshtein(b, a, 3)).toBe(d);
  });

  it('answers max + 1 for anything further than the ceiling, however far', () => {
    expect(boundedDamerauLevenshtein('jacket', 'headlamp', 1)).toBe(2);
    expect(boundedDamerauLevenshtein('tent', 'tentacles', 2)).toBe(3);
    expect(boundedDamerauLevenshtein('boot', 'shoe', 2)).toBe(3);
  });
});

describe('maxEditsFor', () => {
  it('tolerates no slip in short words, one in 4-6 letters, two in longer ones', () => {
    expect([3, 4, 6, 7, 12].map(maxEditsFor)).toEqual([0, 1, 1, 2, 2]);
  });
});
