import { sql, type Kysely } from 'kysely';
import { autoIdColumn, columnTypes, dialectOf } from './dialect';

/**
 * Products with an FTS5 index kept in sync by triggers, shopper sessions, conversations, messages.
 * On PostgreSQL the products' full-text index is a GIN index on an expression, created by 0007.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const types = columnTypes(db);
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
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
    .addColumn('review_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('stock_quantity', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('products_category').on('products').columns(['category']).execute();
  await db.schema.createIndex('products_brand').on('products').columns(['brand']).execute();
  await db.schema.createIndex('products_group').on('products').columns(['item_group_id']).execute();
  await db.schema.createIndex('products_price').on('products').columns(['price_minor']).execute();

  // External-content FTS5 table: the text lives once, in products; triggers keep the index current.
  if (dialectOf(db) === 'sqlite') await productsFts(db);

  await db.schema
    .createTable('shopper_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_hash', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_session').on('conversations').columns(['session_hash', 'updated_at']).execute();
  await db.schema.createIndex('conversations_updated').on('conversations').columns(['updated_at']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('client_message_id', 'text')
    .addColumn('model', 'text')
    .addColumn('config_version', 'text')
    .addColumn('thinking', 'text')
    .addColumn('tool_calls', 'text')
    .addColumn('products', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_hint', 'text')
    .addColumn('done_reason', 'text')
    .addColumn('first_token_ms', 'integer')
    .addColumn('total_ms', 'integer')
    .addColumn('prompt_eval_count', 'integer')
    .addColumn('eval_count', 'integer')
    .addColumn('load_duration_ns', types.int64)
    .addColumn('prompt_eval_duration_ns', types.int64)
    .addColumn('eval_duration_ns', types.int64)
    .addColumn('total_duration_ns', types.int64)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('replaced_by', 'text')
    .execute();
  await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'seq']).unique().execute();
  await db.schema
    .createIndex('messages_client_id')
    .on('messages')
    .columns(['conversation_id', 'client_message_id'])
    .unique()
    .where(sql.ref('client_message_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('messages_status').on('messages').columns(['status']).execute();

  await db.schema
    .createTable('search_log')
    .addColumn('id', 'integer', autoIdColumn(db))
    .addColumn('conversation_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('result_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('search_log_created').on('search_log').columns(['created_at']).execute();
}

/** The products' FTS5 index (SQLite only). */
async function productsFts(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE VIRTUAL TABLE products_fts USING fts5(
      title, brand, category, product_type, color, material, description,
      content='products', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2'
    )`.execute(db);
  await sql`CREATE TRIGGER products_ai AFTER INSERT ON products BEGIN
      INSERT INTO products_fts(rowid, title, brand, category, product_type, color, material, description)
      VALUES (new.rowid, new.title, new.brand, new.category, new.product_type, new.color, new.material, new.description);
    END`.execute(db);
  await sql`CREATE TRIGGER products_ad AFTER DELETE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, title, brand, category, product_type, color, material, description)
      VALUES ('delete', old.rowid, old.title, old.brand, old.category, old.product_type, old.color, old.material, old.description);
    END`.execute(db);
  await sql`CREATE TRIGGER products_au AFTER UPDATE ON products BEGIN
      INSERT INTO products_fts(products_fts, rowid, title, brand, category, product_type, color, material, description)
      VALUES ('delete', old.rowid, old.title, old.brand, old.category, old.product_type, old.color, old.material, old.description);
      INSERT INTO products_fts(rowid, title, brand, category, product_type, color, material, description)
      VALUES (new.rowid, new.title, new.brand, new.category, new.product_type, new.color, new.material, new.description);
    END`.execute(db);
}

/** Drops everything 0001 created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['search_log', 'messages', 'conversations', 'shopper_sessions']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
  if (dialectOf(db) === 'sqlite') await sql`DROP TABLE IF EXISTS products_fts`.execute(db);
  await db.schema.dropTable('products').ifExists().execute();
}
