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

/** The rows fusion needs: a product's id and the variant group it belongs to. */
interface GroupedRow {
  id: string;
  item_group_id: string | null;
}

/**
 * Fuses a lexical hit list with semantic neighbours by reciprocal rank, one place per variant group:
 * five sizes of one shoe sit side by side in vector space and would otherwise take five places. A
 * group is shown by the variant lexical search chose, else by the nearest one. Neighbours whose row
 * is unknown (gone since they were indexed) are skipped. Score: the fused score, higher is better.
 */
export function fuseByGroup<R extends GroupedRow>(
  lexical: ReadonlyArray<{ row: R }>,
  neighbours: ReadonlyArray<{ id: string }>,
  rowsById: ReadonlyMap<string, R>,
  limit: number,
): Array<{ row: R; score: number }> {
  const groupOf = (row: R) => row.item_group_id ?? row.id;
  const chosen = new Map<string, R>();
  const lexicalGroups = lexical.map(({ row }) => {
    chosen.set(groupOf(row), row);
    return groupOf(row);
  });
  const semanticGroups: string[] = [];
  for (const n of neighbours) {
    const row = rowsById.get(n.id);
    if (!row) continue;
    const group = groupOf(row);
    if (!chosen.has(group)) chosen.set(group, row);
    semanticGroups.push(group);
  }
  return reciprocalRankFusion([lexicalGroups, semanticGroups])
    .slice(0, limit)
    .flatMap(({ id, score }) => {
      const row = chosen.get(id);
      return row ? [{ row, score }] : [];
    });
}
