import { sql, type Kysely } from 'kysely';
import { messageDocument, messageIndexed } from '../postgresSearch';
import { dialectOf } from './dialect';

/**
 * Message text is indexed for the agents' search once it is final, not at every save of an answer
 * still streaming: each save re-indexed the whole growing text (delete + insert in `messages_fts`),
 * about once a second per stream. An answer is indexed when it leaves `streaming` (complete, stopped,
 * failed, or marked interrupted after a crash), with whatever text it had then. Also a catalogue
 * version, bumped by every product import, so caches of catalogue aggregates notice imports made by
 * another process. On PostgreSQL the index is a partial GIN index on the message text's tsvector:
 * rows still streaming are outside it, so their saves cost no index work.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql
      .raw(`CREATE INDEX messages_fts ON messages USING gin ((${messageDocument('')})) WHERE ${messageIndexed('')}`)
      .execute(db);
  } else await finalTextTriggers(db);

  await db.schema
    .createTable('catalogue_version')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO catalogue_version (id, version) VALUES (1, 0)`.execute(db);
}

/** SQLite: the message FTS5 triggers index text once it is final. */
async function finalTextTriggers(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['messages_fts_ai', 'messages_fts_au']) await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)}`.execute(db);
  await sql`CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages
      WHEN new.content <> '' AND new.status <> 'streaming' BEGIN
      INSERT INTO messages_fts(rowid, content, message_id) VALUES (new.rowid, new.content, new.id);
    END`.execute(db);
  // Fires when final text changes, and when an answer stops streaming (its text may be unchanged).
  await sql`CREATE TRIGGER messages_fts_au AFTER UPDATE OF content, status ON messages
      WHEN new.status <> 'streaming' AND (old.content IS NOT new.content OR old.status = 'streaming') BEGIN
      DELETE FROM messages_fts WHERE rowid = old.rowid;
      INSERT INTO messages_fts(rowid, content, message_id) SELECT new.rowid, new.content, new.id WHERE new.content <> '';
    END`.execute(db);
  // Partial text indexed by the old triggers goes; the answer is indexed again when it ends.
  await sql`DELETE FROM messages_fts WHERE rowid IN (SELECT rowid FROM messages WHERE status = 'streaming')`.execute(db);
}

/** Back to 0005: every save of message text is indexed again. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('catalogue_version').ifExists().execute();
  if (dialectOf(db) === 'postgres') {
    await db.schema.dropIndex('messages_fts').ifExists().execute();
    return;
  }
  for (const trigger of ['messages_fts_ai', 'messages_fts_au']) await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)}`.execute(db);
  await sql`CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages WHEN new.content <> '' BEGIN
      INSERT INTO messages_fts(rowid, content, message_id) VALUES (new.rowid, new.content, new.id);
    END`.execute(db);
  await sql`CREATE TRIGGER messages_fts_au AFTER UPDATE OF content ON messages WHEN old.content IS NOT new.content BEGIN
      DELETE FROM messages_fts WHERE rowid = old.rowid;
      INSERT INTO messages_fts(rowid, content, message_id) SELECT new.rowid, new.content, new.id WHERE new.content <> '';
    END`.execute(db);
  await sql`INSERT INTO messages_fts(rowid, content, message_id)
      SELECT rowid, content, id FROM messages WHERE status = 'streaming' AND content <> ''`.execute(db);
}
