/**
 * Match building for every full-text index (products, messages): FTS5 queries on SQLite, tsquery
 * text (for `to_tsquery`) on PostgreSQL, from the same terms. Whatever a shopper or an agent typed
 * becomes quoted terms here, so operators in the input (`OR`, `NEAR(`, `*`, `-`, `col:`, `&`, `|`,
 * `!`, `<->`) are plain text and never query syntax.
 */
import { quoteTsLexeme } from './postgresSearch';

/** Which query language to build: FTS5's (SQLite) or tsquery's (PostgreSQL). */
export type MatchSyntax = 'fts5' | 'tsquery';

const SYNTAX = {
  fts5: { quote: (t: string, isPrefix = false) => quoteFtsTerm(t, isPrefix), or: ' OR ', and: ' AND ', all: ' ' },
  tsquery: { quote: quoteTsLexeme, or: ' | ', and: ' & ', all: ' & ' },
} as const;

/** Terms kept from one query: bounds the cost of a pasted paragraph. */
const MAX_TERMS = 12;

const PRODUCT_STOPWORDS = new Set(
  // Question words ("do you have ...") too: a word no product contains makes the every-term search
  // find nothing and fall back to any-term, which matches most of a large catalogue.
  'a an and are as at be by can do does did for from have has had i in is it me my of on or please show some that the this to under over with without want need looking find any less than more below above between around about size sizes cheap cheaper under usd eur gbp you your we us our they them their what which who would could should will there here just also really very get got'.split(
    ' ',
  ),
);

/** One FTS5 string term: double quotes inside are doubled (FTS5's escape); `*` makes it a prefix. */
export function quoteFtsTerm(term: string, isPrefix = false): string {
  return `"${term.replaceAll('"', '""')}"${isPrefix ? '*' : ''}`;
}

/**
 * The search words of a catalogue query, lower-cased, in order: words only, stopwords and numbers
 * dropped, at most {@link MAX_TERMS}. Hyphenated words stay whole ("t-shirt").
 */
export function productQueryTerms(text: string): string[] {
  return [...new Set((text.toLowerCase().match(/[\p{L}][\p{L}\p{N}'-]*/gu) ?? []).map((t) => t.replace(/['-]+$/, '')))]
    .filter((t) => t.length >= 2 && !PRODUCT_STOPWORDS.has(t))
    .slice(0, MAX_TERMS);
}

/**
 * One word or phrase as an FTS5 expression. A single word of 3+ letters also prefix-matches a trimmed
 * stem, so a plural in the query still finds the singular; a phrase ("running shoes") is matched as a
 * phrase (the porter tokenizer stems each of its words).
 */
function alternativeMatch(term: string, syntax: MatchSyntax): string {
  const { quote, or } = SYNTAX[syntax];
  if (/[\s-]/.test(term)) return quote(term);
  const stem = term.length > 4 && term.endsWith('s') ? term.slice(0, -1) : term;
  return term.length >= 3 ? `(${quote(stem, true)}${or}${quote(term)})` : quote(term);
}

/**
 * An FTS5 query from query terms, each given as its alternatives (a word and its synonyms): any
 * alternative of a term may match; `and` needs every term, `or` any. Null when no term is given.
 */
export function productMatchFromTerms(
  terms: ReadonlyArray<readonly string[]>,
  mode: 'and' | 'or',
  syntax: MatchSyntax = 'fts5',
): string | null {
  const { or, and } = SYNTAX[syntax];
  const parts = terms
    .filter((alternatives) => alternatives.length > 0)
    .map((alternatives) => {
      const unique = [...new Set(alternatives)];
      const first = unique[0];
      return unique.length === 1 && first !== undefined
        ? alternativeMatch(first, syntax)
        : `(${unique.map((t) => alternativeMatch(t, syntax)).join(or)})`;
    });
  if (parts.length === 0) return null;
  return parts.join(mode === 'and' ? and : or);
}

/**
 * Catalogue search words to an FTS5 query: words only, stopwords and numbers dropped, each term
 * quoted and prefix-matched when long enough. `and` needs every term, `or` any. Null when nothing is left.
 */
export function productMatchQuery(text: string, mode: 'and' | 'or', syntax: MatchSyntax = 'fts5'): string | null {
  return productMatchFromTerms(
    productQueryTerms(text).map((t) => [t]),
    mode,
    syntax,
  );
}

/**
 * What an agent typed into the transcript search to an FTS5 query over message text: every word
 * required, the last one also matching as a prefix (the agent may still be typing it). Null when no
 * word is left.
 */
export function messageMatchQuery(text: string, syntax: MatchSyntax = 'fts5'): string | null {
  const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_TERMS);
  if (words.length === 0) return null;
  const { quote, all } = SYNTAX[syntax];
  return words.map((w, i) => quote(w, i === words.length - 1)).join(all);
}
