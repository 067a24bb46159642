import { sql, type Kysely } from 'kysely';

/**
 * An email the shopper leaves for a person to reply to when no agent is online, with an optional
 * note and when it was left (agents filter on "waiting for a reply by email").
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('contact_email', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('contact_note', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('contact_left_at', 'text').execute();
  await sql`CREATE INDEX conversations_contact_left_at ON conversations (contact_left_at) WHERE contact_left_at IS NOT NULL`.execute(db);
}
