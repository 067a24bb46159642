import type { Kysely } from 'kysely';

/**
 * Issue 11: a shopper's history and answer branches.
 * - `conversations.hidden_by_shopper_at`: the shopper deleted the conversation from their history. It is
 *   gone from their list and unreachable for them; agents still see it (marked) until retention deletes
 *   it by its last activity (`updated_at`, which hiding does not touch).
 * - `messages.alternative_group`: answers regenerated for the same shopper message share the id of the
 *   first of them. The shown one has `replaced_by` null; earlier ones point at the answer that followed.
 *   A shopper message replaced by an edit has `replaced_by` set to the new message and no group.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('hidden_by_shopper_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('alternative_group', 'text').execute();
}

/** Drops what 0015 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('alternative_group').execute();
  await db.schema.alterTable('conversations').dropColumn('hidden_by_shopper_at').execute();
}
