/** The k of reciprocal rank fusion: 60, as in Cormack et al. (2009) and most hybrid search engines. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each ranked list adds 1 / (k + rank) to the score of every id in it (rank
 * from 1), so ids near the top of several lists rise. Needs no score calibration between lists (bm25
 * and vector distances are not comparable). Highest score first; ties keep first appearance.
 */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k = RRF_K): Array<{ id: string; score: number }> {
  const scores = new Map<string, number>();
  for (const list of lists) {
    const seen = new Set<string>();
    list.forEach((id, index) => {
      // An id listed twice in one list counts once, at its best rank.
      if (seen.has(id)) return;
      seen.add(id);
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + index + 1));
    });
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
