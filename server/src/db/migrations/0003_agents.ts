import { sql, type Kysely } from 'kysely';
import { autoIdColumn, dialectOf } from './dialect';

/**
 * The agent console: accounts and their sessions, notes/labels/flags on transcripts, the audit of
 * revealed messages, and a full-text index over message text (on PostgreSQL a GIN index, made by 0006).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agent_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_sessions_agent').on('agent_sessions').columns(['agent_id']).execute();

  // Notes keep the author's name: they outlive the author's account.
  await db.schema
    .createTable('transcript_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('agent_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('transcript_notes_conversation')
    .on('transcript_notes')
    .columns(['conversation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('transcript_labels')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transcript_labels_pk', ['conversation_id', 'label'])
    .execute();
  await db.schema.createIndex('transcript_labels_label').on('transcript_labels').columns(['label']).execute();

  await db.schema
    .createTable('transcript_flags')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // The audit trail outlives the conversation (retention deletes the text, not the record of access).
  await db.schema
    .createTable('message_reveals')
    .addColumn('id', 'integer', autoIdColumn(db))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('agent_email', 'text', (c) => c.notNull())
    .addColumn('revealed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_reveals_time').on('message_reveals').columns(['revealed_at']).execute();

  // Date-range filters and the dashboard read these.
  await db.schema.createIndex('conversations_created').on('conversations').columns(['created_at']).execute();
  await db.schema.createIndex('messages_created').on('messages').columns(['role', 'created_at']).execute();

  if (dialectOf(db) === 'postgres') return;
  // A plain FTS5 table (it keeps its own copy of the text) keyed by the message's rowid; triggers keep
  // it in sync, so every path that writes messages is indexed without knowing about it.
  await sql`CREATE VIRTUAL TABLE messages_fts USING fts5(
      content, message_id UNINDEXED,
      tokenize='porter unicode61 remove_diacritics 2'
    )`.execute(db);
  await sql`CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages WHEN new.content <> '' BEGIN
      INSERT INTO messages_fts(rowid, content, message_id) VALUES (new.rowid, new.content, new.id);
    END`.execute(db);
  await sql`CREATE TRIGGER messages_fts_au AFTER UPDATE OF content ON messages WHEN old.content IS NOT new.content BEGIN
      DELETE FROM messages_fts WHERE rowid = old.rowid;
      INSERT INTO messages_fts(rowid, content, message_id) SELECT new.rowid, new.content, new.id WHERE new.content <> '';
    END`.execute(db);
  await sql`CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
      DELETE FROM messages_fts WHERE rowid = old.rowid;
    END`.execute(db);
  await sql`INSERT INTO messages_fts(rowid, content, message_id) SELECT rowid, content, id FROM messages WHERE content <> ''`.execute(
    db,
  );
}

/** Drops what 0003 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'sqlite') await dropMessagesFts(db);
  await db.schema.dropIndex('messages_created').ifExists().execute();
  await db.schema.dropIndex('conversations_created').ifExists().execute();
  for (const table of [
    'message_reveals',
    'transcript_flags',
    'transcript_labels',
    'transcript_notes',
    'agent_sessions',
    'agents',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

/** The message FTS5 table and its triggers (SQLite only). */
async function dropMessagesFts(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['messages_fts_ai', 'messages_fts_au', 'messages_fts_ad'])
    await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)}`.execute(db);
  await sql`DROP TABLE IF EXISTS messages_fts`.execute(db);
}
