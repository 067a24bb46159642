import { sql, type Kysely } from 'kysely';

/**
 * What a reveal showed: a masked message (every row until now) or the contact email a shopper left.
 * A contact reveal has no message; its `message_id` is empty and the conversation says whose it was.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('message_reveals')
    .addColumn('revealed', 'text', (c) => c.notNull().defaultTo(sql`'message'`))
    .execute();
}

/** Drops what 0013 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('message_reveals').dropColumn('revealed').execute();
}
