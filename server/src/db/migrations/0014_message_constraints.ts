import type { Kysely } from 'kysely';

/**
 * What each answer understood the shopper to want (`ShopperConstraints` as JSON): shown as chips the
 * shopper edits, and read by the next answer of the conversation. Null for other messages and older rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('constraints', 'text').execute();
}

/** Drops what 0014 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('constraints').execute();
}
