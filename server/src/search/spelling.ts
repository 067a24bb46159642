import type { VocabularyTerm } from '../db/productRepository';
import { boundedDamerauLevenshtein, maxEditsFor } from './editDistance';

/** A correction target: a term of the catalogue (a porter stem) or a word of a synonym group. */
export interface SpellingCandidate {
  term: string;
  /** Products that contain it; 0 for synonym words (they match through their group). */
  docs: number;
  source: 'catalogue' | 'synonym';
}

/** Terms bucketed by length, so a word is compared only with terms its edit budget can reach. */
export interface SpellingIndex {
  byLength: Map<number, SpellingCandidate[]>;
}

/** Builds the index over the catalogue's vocabulary and the synonym words (once per catalogue version). */
export function createSpellingIndex(vocabulary: readonly VocabularyTerm[], synonymWords: readonly string[]): SpellingIndex {
  const byLength = new Map<number, SpellingCandidate[]>();
  const add = (c: SpellingCandidate) => {
    const list = byLength.get(c.term.length) ?? [];
    list.push(c);
    byLength.set(c.term.length, list);
  };
  const known = new Set<string>();
  for (const v of vocabulary) {
    known.add(v.term);
    add({ term: v.term, docs: v.docs, source: 'catalogue' });
  }
  for (const w of synonymWords) if (w.length >= 3 && !known.has(w)) add({ term: w, docs: 0, source: 'synonym' });
  return { byLength };
}

/**
 * The closest known term to a word the catalogue does not have: fewest edits (Damerau-Levenshtein,
 * at most 1 for 4-6 letters and 2 for longer words, none for shorter), then the term more products
 * contain. The word is also tried without a plural "s" or a final "e", because the catalogue's terms
 * are stems ("sneekers" -> "sneaker", `isPlural` says so; "fleese" -> "fleec"). Null when nothing is
 * close enough.
 */
export function closestTerm(index: SpellingIndex, word: string): (SpellingCandidate & { isPlural: boolean }) | null {
  // The porter stemmer drops a plural "s" and a final "e" ("fleece" is stored as "fleec").
  const plural = word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : null;
  const forms = [
    ...new Set([word, ...(plural ? [plural] : []), ...(word.length > 4 && word.endsWith('e') ? [word.slice(0, -1)] : [])]),
  ];
  let best: { candidate: SpellingCandidate; distance: number; form: string } | null = null;
  for (const form of forms) {
    const max = maxEditsFor(word.length);
    if (max === 0) continue;
    for (let length = form.length - max; length <= form.length + max; length += 1) {
      for (const candidate of index.byLength.get(length) ?? []) {
        const ceiling = best ? Math.min(max, best.distance) : max;
        const distance = boundedDamerauLevenshtein(form, candidate.term, ceiling);
        if (distance > ceiling || distance === 0) continue;
        if (!best || distance < best.distance || (distance === best.distance && candidate.docs > best.candidate.docs))
          best = { candidate, distance, form };
      }
    }
  }
  return best ? { ...best.candidate, isPlural: best.form === plural } : null;
}
