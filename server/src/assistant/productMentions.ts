import type { GroundingProduct } from './groundingTypes';

/**
 * Where an answer refers to products: links, known titles written without a link, and names in the
 * places a small model puts a product name (bold, headings, list-item heads). Also the answer's lines,
 * so a price can be matched to the product on its line. Pure; used by the grounding check.
 */

/** A `[Name](product:ID)` link; global, so use it with `matchAll` or `replace`. */
export const LINK_RE = /\[([^\]\n]{1,200})\]\(product:([A-Za-z0-9._:\-/]{1,50})\)/g;
const STOP = new Set('the a an and or with for of in on to by from this that these those its it new'.split(' '));
const LABELS = new Set(
  'price prices cost rating ratings note notes why pros cons features feature summary budget size sizes colour color colors colours availability stock option options recommendation recommendations tip tips total sale details detail description'.split(
    ' ',
  ),
);

/** Lower-case words of two or more letters, without stop words or apostrophes. */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[’']/g, '')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((w) => w.length >= 2 && !STOP.has(w));
}

/** Lower case with one kind of apostrophe; keeps every position, so an index in it is an index in the text. */
function fold(text: string): string {
  return text.toLowerCase().replace(/’/g, "'");
}

/** Share of the name's words found in the product's title and brand. */
export function nameScore(name: string, product: { title: string; brand: string | null }): number {
  const nameWords = words(name);
  if (nameWords.length === 0) return 0;
  const known = new Set(words(`${product.title} ${product.brand ?? ''}`));
  return nameWords.filter((w) => known.has(w)).length / nameWords.length;
}

/** A place in the answer that refers to a product: a link, a title, or a name not in the catalogue. */
export interface ProductRef {
  index: number;
  line: number;
  /** Candidate products (variants share a title); empty for a name the catalogue does not know. */
  ids: string[];
  name: string;
}

/** One line of the answer and where it starts. */
export interface Line {
  text: string;
  start: number;
  isBlank: boolean;
  isContinuation: boolean;
}

/** The answer's lines, each marked blank or as continuing the item above. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const t of text.split('\n')) {
    lines.push({
      text: t,
      start,
      isBlank: t.trim() === '',
      // Indented, a sub-bullet, or a "Price: …" style label: it continues the item above.
      isContinuation: /^\s+\S/.test(t) || /^\s*(?:[-*+]\s+)?(?:\*\*)?(?:price|cost|now|was|sale|on sale|only)\b/i.test(t),
    });
    start += t.length + 1;
  }
  return lines;
}

/** The number of the line that holds the character at `index`. */
export function lineOf(lines: Line[], index: number): number {
  let lo = 0;
  for (let i = 0; i < lines.length; i++) if ((lines[i]?.start ?? 0) <= index) lo = i;
  return lo;
}

/** Bold spans, headings and list-item heads: where a small model writes a product name without a link. */
function nameCandidates(text: string): Array<{ name: string; index: number }> {
  const out: Array<{ name: string; index: number }> = [];
  const withoutLinks = text.replace(LINK_RE, (m) => ' '.repeat(m.length));
  const patterns = [
    /\*\*([^*\n]{3,100})\*\*/g,
    /__([^_\n]{3,100})__/g,
    /^#{1,6}\s+(.{3,100})$/gm,
    /^\s*(?:[-*+]|\d+[.)])\s+([^\n—–:(|*]{3,80}?)\s*(?:—|–| - |:|\()/gm,
  ];
  for (const re of patterns) {
    for (const m of withoutLinks.matchAll(re)) {
      const name = (m[1] ?? '').replace(/[:\s]+$/, '').trim();
      const ws = words(name);
      if (ws.length === 0 || ws.length > 10 || !/\p{Lu}/u.test(name)) continue;
      if (ws.length === 1 && LABELS.has(ws[0] ?? '')) continue;
      if (ws.every((w) => LABELS.has(w) || /^\d+$/.test(w))) continue;
      out.push({ name, index: (m.index ?? 0) + m[0].indexOf(m[1] ?? '') });
    }
  }
  return out;
}

/**
 * Every product reference in the answer, in text order: links (to a catalogue id, else to nothing),
 * known titles written without a link (variants share a title: all are candidates), and other names
 * where a product name usually goes, matched loosely to a known product or else left without ids.
 */
export function findProductRefs(
  answer: string,
  lines: Line[],
  catalogue: ReadonlyMap<string, GroundingProduct>,
  known: ReadonlyArray<{ id: string; title: string; brand: string | null }>,
): ProductRef[] {
  const refs: ProductRef[] = [];
  for (const m of answer.matchAll(LINK_RE)) {
    const [, name = '', id = ''] = m;
    refs.push({ index: m.index, line: lineOf(lines, m.index), ids: catalogue.has(id) ? [id] : [], name });
  }

  const lower = fold(answer);
  const byTitle = new Map<string, string[]>();
  for (const p of known) if (p.title.length >= 4) byTitle.set(fold(p.title), [...(byTitle.get(fold(p.title)) ?? []), p.id]);
  const linkSpans = [...answer.matchAll(LINK_RE)].map((m) => [m.index, m.index + m[0].length] as const);
  for (const [title, ids] of byTitle) {
    for (let at = lower.indexOf(title); at >= 0; at = lower.indexOf(title, at + title.length)) {
      if (linkSpans.some(([a, b]) => at >= a && at < b)) continue;
      refs.push({ index: at, line: lineOf(lines, at), ids, name: title });
    }
  }

  for (const c of nameCandidates(answer)) {
    if (refs.some((r) => Math.abs(r.index - c.index) < 3)) continue;
    let best: { ids: string[]; score: number } = { ids: [], score: 0 };
    for (const p of known) {
      const score = nameScore(c.name, p);
      if (score > best.score) best = { ids: [p.id], score };
      else if (score === best.score && score > 0 && best.ids.length < 20) best.ids.push(p.id);
    }
    refs.push({ index: c.index, line: lineOf(lines, c.index), ids: best.score >= 0.6 ? best.ids : [], name: c.name });
  }
  return refs.sort((a, b) => a.index - b.index);
}
