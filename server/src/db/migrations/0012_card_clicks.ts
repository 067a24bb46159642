import { sql, type Kysely } from 'kysely';
import { autoIdColumn } from './dialect';

/**
 * Clicks on answer cards ("View product", "Add to cart"), one row per click, so the dashboard can say
 * how often an answer's cards led somewhere, per model and experiment arm.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('card_clicks')
    .addColumn('id', 'integer', autoIdColumn(db))
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('view', 'cart')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('card_clicks_message').on('card_clicks').columns(['message_id', 'kind']).execute();
}

/** Drops what 0012 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('card_clicks').execute();
}
