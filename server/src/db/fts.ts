/**
 * FTS5 match building for every full-text index (products, messages). Whatever a shopper or an agent
 * typed becomes quoted terms here, so FTS5 operators in the input (`OR`, `NEAR(`, `*`, `-`, `col:`)
 * are plain text and never query syntax.
 */

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
 * Catalogue search words to an FTS5 query: words only, stopwords and numbers dropped, each term
 * quoted and prefix-matched when long enough. `and` needs every term, `or` any. Null when nothing is left.
 */
export function productMatchQuery(text: string, mode: 'and' | 'or'): string | null {
  const terms = [...new Set((text.toLowerCase().match(/[\p{L}][\p{L}\p{N}'-]*/gu) ?? []).map((t) => t.replace(/['-]+$/, '')))]
    .filter((t) => t.length >= 2 && !PRODUCT_STOPWORDS.has(t))
    .slice(0, MAX_TERMS);
  if (terms.length === 0) return null;
  const parts = terms.map((t) => {
    // A plural in the query should still find the singular: prefix-match on a trimmed stem.
    const stem = t.length > 4 && t.endsWith('s') ? t.slice(0, -1) : t;
    return t.length >= 3 ? `(${quoteFtsTerm(stem, true)} OR ${quoteFtsTerm(t)})` : quoteFtsTerm(t);
  });
  return parts.join(mode === 'and' ? ' AND ' : ' OR ');
}

/**
 * What an agent typed into the transcript search to an FTS5 query over message text: every word
 * required, the last one also matching as a prefix (the agent may still be typing it). Null when no
 * word is left.
 */
export function messageMatchQuery(text: string): string | null {
  const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_TERMS);
  if (words.length === 0) return null;
  return words.map((w, i) => quoteFtsTerm(w, i === words.length - 1)).join(' ');
}
