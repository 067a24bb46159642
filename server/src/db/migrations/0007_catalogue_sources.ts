import { sql, type Kysely } from 'kysely';
import { productSearchTableSql } from '../postgresSearch';
import { autoIdColumn, columnTypes, dialectOf } from './dialect';

const FTS_COLUMNS = 'title, brand, category, product_type, color, material, description, keywords';
const FTS_NEW = 'new.title, new.brand, new.category, new.product_type, new.color, new.material, new.description, new.keywords';
const FTS_OLD = 'old.title, old.brand, old.category, old.product_type, old.color, old.material, old.description, old.keywords';

/**
 * Catalogue sources: every product records where it came from (`source`) and when a full feed sync
 * stopped listing it (`gone_at`; null = live). Gone products are kept so old transcripts still resolve.
 * Sources, their sync history and the staging table a sync writes into before it applies all at once.
 * Shopify tags (`keywords`, JSON) join the product full-text index; extra options go in `attributes`.
 * On PostgreSQL the product index is made here: `products_search` (see `postgresSearch.ts`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const types = columnTypes(db);
  await db.schema
    .alterTable('products')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('import'))
    .execute();
  await db.schema.alterTable('products').addColumn('gone_at', 'text').execute();
  await db.schema.alterTable('products').addColumn('keywords', 'text').execute();
  await db.schema.alterTable('products').addColumn('attributes', 'text').execute();
  // The demo generator writes every mpn as "<three brand letters>-<id without dashes>": a marker no
  // real feed is likely to share for every row, so rows that carry it came from the demo loader.
  await sql`UPDATE products SET source = 'demo'
            WHERE mpn IS NOT NULL AND substr(mpn, 4, 1) = '-' AND substr(mpn, 5) = replace(id, '-', '')`.execute(db);
  await db.schema.createIndex('products_source').on('products').columns(['source', 'gone_at']).execute();

  // The index gains a column for the shop's tags: rebuilt from the products table (external content).
  if (dialectOf(db) === 'postgres') for (const statement of productSearchTableSql()) await sql.raw(statement).execute(db);
  else await productsFtsWithTags(db);

  await db.schema
    .createTable('catalogue_sources')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_sync_at', 'text')
    .addColumn('last_status', 'text')
    // Validators of the last download that was applied, for the next conditional GET.
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    // Set while a sync of this source runs (server or CLI): one sync per source at a time.
    .addColumn('running_since', 'text')
    .execute();
  const at = new Date().toISOString();
  await sql`INSERT INTO catalogue_sources (name, kind, created_at)
            SELECT DISTINCT source, CASE source WHEN 'demo' THEN 'demo' ELSE 'file' END, ${at} FROM products`.execute(db);

  await db.schema
    .createTable('catalogue_syncs')
    .addColumn('id', 'integer', autoIdColumn(db))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('added', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('gone', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skip_reasons', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('catalogue_syncs_started').on('catalogue_syncs').columns(['started_at']).execute();

  await db.schema
    .createTable('catalogue_staging')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('image_link', 'text')
    .addColumn('price_minor', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('sale_price_minor', 'integer')
    .addColumn('availability', 'text', (c) => c.notNull())
    .addColumn('brand', 'text')
    .addColumn('gtin', 'text')
    .addColumn('mpn', 'text')
    .addColumn('condition', 'text')
    .addColumn('product_type', 'text')
    .addColumn('category', 'text')
    .addColumn('google_product_category', 'text')
    .addColumn('item_group_id', 'text')
    .addColumn('color', 'text')
    .addColumn('size', 'text')
    .addColumn('gender', 'text')
    .addColumn('age_group', 'text')
    .addColumn('material', 'text')
    .addColumn('rating', types.double)
    .addColumn('review_count', 'integer', (c) => c.notNull())
    .addColumn('stock_quantity', 'integer')
    .addColumn('keywords', 'text')
    .addColumn('attributes', 'text')
    .addPrimaryKeyConstraint('catalogue_staging_pk', ['source', 'id'])
    .execute();
}

/** SQLite: the products' FTS5 index with the tags column, and its triggers. */
async function productsFtsWithTags(db: Kysely<unknown>): Promise<void> {
  for (const t of ['products_ai', 'products_ad', 'products_au']) await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
  await sql`DROP TABLE IF EXISTS products_fts`.execute(db);
  await sql
    .raw(
      `CREATE VIRTUAL TABLE products_fts USING fts5(${FTS_COLUMNS},
       content='products', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER products_ai AFTER INSERT ON products BEGIN
      INSERT INTO products_fts(rowid, ${FTS_COLUMNS}) VALUES (new.rowid, ${FTS_NEW});
    END`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER products_ad AFTER DELETE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, ${FTS_COLUMNS}) VALUES ('delete', old.rowid, ${FTS_OLD});
    END`,
    )
    .execute(db);
  // Only when indexed text changes: a sync that marks 10,000 products gone should not re-index them.
  await sql
    .raw(
      `CREATE TRIGGER products_au AFTER UPDATE OF ${FTS_COLUMNS} ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, ${FTS_COLUMNS}) VALUES ('delete', old.rowid, ${FTS_OLD});
      INSERT INTO products_fts(rowid, ${FTS_COLUMNS}) VALUES (new.rowid, ${FTS_NEW});
    END`,
    )
    .execute(db);
  await sql`INSERT INTO products_fts(products_fts) VALUES ('rebuild')`.execute(db);
}

/** Drops what 0007 added and restores the seven-column product index. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['catalogue_staging', 'catalogue_syncs', 'catalogue_sources'])
    await db.schema.dropTable(t).ifExists().execute();
  if (dialectOf(db) === 'postgres') {
    await db.schema.dropTable('products_search').ifExists().execute();
    await sql`DROP FUNCTION IF EXISTS products_search_sync()`.execute(db);
    await db.schema.dropIndex('products_source').ifExists().execute();
    for (const c of ['attributes', 'keywords', 'gone_at', 'source'])
      await db.schema.alterTable('products').dropColumn(c).execute();
    return;
  }
  for (const t of ['products_ai', 'products_ad', 'products_au']) await sql.raw(`DROP TRIGGER IF EXISTS ${t}`).execute(db);
  await sql`DROP TABLE IF EXISTS products_fts`.execute(db);
  await db.schema.dropIndex('products_source').ifExists().execute();
  for (const c of ['attributes', 'keywords', 'gone_at', 'source']) await db.schema.alterTable('products').dropColumn(c).execute();
  const cols = 'title, brand, category, product_type, color, material, description';
  const neu = cols.replaceAll(/(\w+)/g, 'new.$1');
  const old = cols.replaceAll(/(\w+)/g, 'old.$1');
  await sql
    .raw(
      `CREATE VIRTUAL TABLE products_fts USING fts5(${cols}, content='products', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER products_ai AFTER INSERT ON products BEGIN
      INSERT INTO products_fts(rowid, ${cols}) VALUES (new.rowid, ${neu}); END`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER products_ad AFTER DELETE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, ${cols}) VALUES ('delete', old.rowid, ${old}); END`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER products_au AFTER UPDATE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, ${cols}) VALUES ('delete', old.rowid, ${old});
      INSERT INTO products_fts(rowid, ${cols}) VALUES (new.rowid, ${neu}); END`,
    )
    .execute(db);
  await sql`INSERT INTO products_fts(products_fts) VALUES ('rebuild')`.execute(db);
}
