/**
 * PostgreSQL's side of full-text search: the text-search documents the GIN indexes are built on, and
 * tsquery quoting for the queries `fts.ts` builds from the same terms as the FTS5 ones.
 *
 * Products: like SQLite's external-content FTS5 table, `products_search` holds one weighted tsvector
 * per product, kept current by a trigger, so `products` keeps exactly SQLite's columns and a search
 * never re-parses product text (ranking reads the stored vector). Messages: a partial GIN index on
 * an expression (queries repeat `messageDocument` to use it); only agents search them.
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

/**
 * The statements that create `products_search`, its GIN index and the trigger that keeps it current
 * (rows go with their product: the foreign key cascades). Only changes to indexed text re-index, so a
 * sync marking products gone costs nothing here.
 */
export function productSearchTableSql(): string[] {
  const indexed = ['title', 'brand', 'category', 'product_type', 'color', 'material', 'description', 'keywords'];
  return [
    `CREATE TABLE products_search (
       id text PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
       doc tsvector NOT NULL
     )`,
    'CREATE INDEX products_search_doc ON products_search USING gin (doc)',
    `CREATE FUNCTION products_search_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       INSERT INTO products_search (id, doc) VALUES (NEW.id, ${productDocument('NEW')})
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc;
       RETURN NULL;
     END
     $fn$`,
    `CREATE TRIGGER products_search_ai AFTER INSERT ON products FOR EACH ROW EXECUTE FUNCTION products_search_sync()`,
    `CREATE TRIGGER products_search_au AFTER UPDATE OF ${indexed.join(', ')} ON products
       FOR EACH ROW EXECUTE FUNCTION products_search_sync()`,
    `INSERT INTO products_search (id, doc) SELECT p.id, ${productDocument('p')} FROM products p`,
  ];
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
