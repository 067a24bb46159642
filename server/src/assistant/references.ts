const LINK = /\[([^\]\n]{1,200})\]\(product:([A-Za-z0-9._:\-/]{1,50})\)/g;

/** Product ids the answer links to with `[Name](product:ID)`, in order of first mention. */
export function linkedProductIds(text: string): string[] {
  const ids: string[] = [];
  for (const m of text.matchAll(LINK)) if (m[2] && !ids.includes(m[2])) ids.push(m[2]);
  return ids;
}

/**
 * Products of this turn that the answer names without a link (small models forget the link syntax),
 * found by their exact title, in order of mention.
 */
export function mentionedByTitle(text: string, candidates: Array<{ id: string; title: string }>): string[] {
  const lower = text.toLowerCase();
  return candidates
    .map((c) => ({ id: c.id, at: c.title.length >= 4 ? lower.indexOf(c.title.toLowerCase()) : -1 }))
    .filter((c) => c.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((c) => c.id);
}
