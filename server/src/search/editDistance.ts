/**
 * Damerau-Levenshtein distance (optimal string alignment: insert, delete, substitute, swap two
 * neighbours) with a ceiling. Typo tolerance compares one unknown query word with thousands of
 * catalogue terms, nearly all of them far away, so the scan stops as soon as a row of the table
 * exceeds the ceiling and never allocates more than three rows. The packages on npm either lack
 * transpositions ("jakcet" is one slip, not two) or build the full table with no early exit.
 */

/** The distance between `a` and `b` when it is at most `max`; otherwise `max + 1`. */
export function boundedDamerauLevenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  let before = new Array<number>(n + 1).fill(0);
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j += 1) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  const d = previous[n] ?? max + 1;
  return d > max ? max + 1 : d;
}

/** Edits tolerated in a word of this length: none under 4 letters, 1 up to 6, 2 beyond. */
export function maxEditsFor(length: number): number {
  if (length < 4) return 0;
  return length <= 6 ? 1 : 2;
}
