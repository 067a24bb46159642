import { type Kysely } from 'kysely';

/**
 * What the shopper was looking at on the shop's page (the embedded widget's page context): a product
 * id that existed when it was stored, the page's URL, and when it was set.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('context_product_id', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('context_url', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('context_at', 'text').execute();
}

/** Drops what 0011 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('context_at').execute();
  await db.schema.alterTable('conversations').dropColumn('context_url').execute();
  await db.schema.alterTable('conversations').dropColumn('context_product_id').execute();
}
