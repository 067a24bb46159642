/**
 * PostgreSQL's side of full-text search: the text-search vectors the GIN indexes are built on (the
 * migrations create the indexes on exactly these expressions, and queries must repeat them to use
 * the index), and tsquery building from the same terms the FTS5 queries are built from (`fts.ts`).
 */

/** The text-search configuration: the English snowball stemmer, like FTS5's porter tokenizer. */
export const TS_CONFIG = 'english';

/**
 * The products' weighted document (alias `p`). FTS5 weighs columns 10/4/3/3/2/2/1; PostgreSQL has
 * four weights: title A, brand B, category and type C, the rest (colour, material, description, tags) D.
 */
export function productDocument(alias = 'p'): string {
  const col = (c: string) => `coalesce(${alias ? `${alias}.` : ''}${c}, '')`;
  const part = (cols: string[], weight: string) =>
    `setweight(to_tsvector('${TS_CONFIG}', ${cols.map(col).join(` || ' ' || `)}), '${weight}')`;
  return [
    part(['title'], 'A'),
    part(['brand'], 'B'),
    part(['category', 'product_type'], 'C'),
    part(['color', 'material', 'description', 'keywords'], 'D'),
  ].join(' || ');
}

/** ts_rank's weights for D, C, B, A (title 1.0, brand 0.4, category 0.3, the rest 0.1). */
export const PRODUCT_RANK_WEIGHTS = `'{0.1, 0.3, 0.4, 1.0}'`;

/** The message text document (alias `m`), indexed once the message is final, as on SQLite. */
export function messageDocument(alias = 'm'): string {
  return `to_tsvector('${TS_CONFIG}', ${alias ? `${alias}.` : ''}content)`;
}

/** The condition of the partial message index: streaming answers are not indexed until they end. */
export function messageIndexed(alias = 'm'): string {
  const a = alias ? `${alias}.` : '';
  return `${a}status <> 'streaming' AND ${a}content <> ''`;
}

/** One tsquery lexeme, quoted (to_tsquery then stems it with the configuration). */
export function quoteTsLexeme(term: string, isPrefix = false): string {
  return `'${term.replaceAll('\\', '\\\\').replaceAll("'", "''")}'${isPrefix ? ':*' : ''}`;
}
