import type { Kysely } from 'kysely';

/**
 * What an answer offers beyond its text: the suggestions under it (JSON `Suggestion[]`) and, when the
 * shopper asked to compare, the comparison of the products in question (JSON `Comparison`). Both are
 * built from the database at answer time and stored so a reload shows them on the answer again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('suggestions', 'text').execute();
  await db.schema.alterTable('messages').addColumn('comparison', 'text').execute();
}

/** Drops what 0016 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('comparison').execute();
  await db.schema.alterTable('messages').dropColumn('suggestions').execute();
}
