import { type Kysely } from 'kysely';

/** Hand-off to a person (who took a conversation over), message authors, and shopper feedback. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('taken_over_by', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('taken_over_name', 'text').execute();
  await db.schema.alterTable('messages').addColumn('author_id', 'text').execute();
  await db.schema.alterTable('messages').addColumn('author_name', 'text').execute();
  await db.schema
    .createTable('message_feedback')
    .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_feedback_conversation').on('message_feedback').columns(['conversation_id']).execute();
}

/** Drops what 0002 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_feedback').ifExists().execute();
  await db.schema.alterTable('messages').dropColumn('author_name').execute();
  await db.schema.alterTable('messages').dropColumn('author_id').execute();
  await db.schema.alterTable('conversations').dropColumn('taken_over_name').execute();
  await db.schema.alterTable('conversations').dropColumn('taken_over_by').execute();
}
