import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import * as m0001 from './0001_initial';
import * as m0002 from './0002_handoff_feedback';
import * as m0003 from './0003_agents';

let db: Kysely<unknown> | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
});

async function migrate(kysely: Kysely<unknown>, migrations: Record<string, Migration>): Promise<void> {
  const { error } = await new Migrator({ db: kysely, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) throw error;
}

async function search(kysely: Kysely<unknown>, words: string): Promise<string[]> {
  const res = await sql<{
    message_id: string;
  }>`SELECT message_id FROM messages_fts WHERE messages_fts MATCH ${words} ORDER BY message_id`.execute(kysely);
  return res.rows.map((r) => r.message_id);
}

describe('0003_agents: full-text index over messages', () => {
  it('indexes messages stored before the migration, and keeps up with inserts, edits and deletes', async () => {
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    db = kysely;
    await migrate(kysely, { '0001_initial': m0001, '0002_handoff_feedback': m0002 });
    const at = new Date().toISOString();
    await sql`INSERT INTO conversations (id, session_hash, title, status, model, created_at, updated_at) VALUES ('c1', 's', 't', 'active', 'm', ${at}, ${at})`.execute(
      kysely,
    );
    await sql`INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at) VALUES
      ('m1', 'c1', 1, 'user', 'Waterproof trail shoes please', 'complete', ${at}),
      ('m2', 'c1', 2, 'assistant', '', 'streaming', ${at})`.execute(kysely);

    await migrate(kysely, { '0001_initial': m0001, '0002_handoff_feedback': m0002, '0003_agents': m0003 });
    expect(await search(kysely, 'trail')).toEqual(['m1']);
    expect(await search(kysely, 'shoe')).toEqual(['m1']);

    // The answer is written once at the end (an update), as the chat does.
    await sql`UPDATE messages SET content = 'The Ridgeback trail shoe is waterproof', status = 'complete' WHERE id = 'm2'`.execute(
      kysely,
    );
    expect(await search(kysely, 'ridgeback')).toEqual(['m2']);
    expect(await search(kysely, 'waterproof')).toEqual(['m1', 'm2']);

    await sql`UPDATE messages SET replaced_by = 'm3' WHERE id = 'm2'`.execute(kysely);
    expect(await search(kysely, 'ridgeback')).toEqual(['m2']);

    await sql`INSERT INTO messages (id, conversation_id, seq, role, content, status, created_at) VALUES ('m3', 'c1', 3, 'agent', 'A person here', 'complete', ${at})`.execute(
      kysely,
    );
    expect(await search(kysely, 'person')).toEqual(['m3']);

    // Deleting the conversation cascades to its messages, and the index follows.
    await sql`PRAGMA foreign_keys = ON`.execute(kysely);
    await sql`DELETE FROM conversations WHERE id = 'c1'`.execute(kysely);
    expect(await search(kysely, 'waterproof OR person')).toEqual([]);
  });
});
