import { describe, expect, it } from 'vitest';
import { isPostgresReachable, postgresTestDatabase } from '../../../test/helpers/postgres';
import { ConfigError, parseConfig } from '../config/loadConfig';
import { databaseLocation, MIGRATION_NAMES, openDatabase, step } from './database';

describe('choosing the store', () => {
  it('keeps the SQLite file in the data dir unless database.url or DATABASE_URL names PostgreSQL', () => {
    const sqlite = parseConfig({ dataDir: '/var/lib/aisle' });
    expect(databaseLocation({ dataDir: '/var/lib/aisle', config: sqlite })).toBe('/var/lib/aisle/aisle.sqlite');
    const fromFile = parseConfig({ database: { url: 'postgres://aisle@db:5432/shop' } });
    expect(databaseLocation({ dataDir: '/d', config: fromFile })).toBe('postgres://aisle@db:5432/shop');
    const fromEnv = parseConfig({ database: { url: 'postgres://aisle@db:5432/shop' } }, { DATABASE_URL: 'postgresql://other/x' });
    expect(fromEnv.database.url).toBe('postgresql://other/x');
  });

  it('refuses a URL that is not PostgreSQL, naming the field', () => {
    expect(() => parseConfig({ database: { url: 'mysql://db/shop' } })).toThrow(ConfigError);
    expect(() => parseConfig({ database: { url: 'mysql://db/shop' } })).toThrow(/database\.url/);
  });

  it('says which PostgreSQL it could not reach, without the password', async () => {
    const failure = openDatabase('postgres://aisle:hunter2@127.0.0.1:1/shop');
    await expect(failure).rejects.toThrow('Could not connect to PostgreSQL at postgres://aisle:***@127.0.0.1:1/shop');
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});

describe.skipIf(!(await isPostgresReachable()))('PostgreSQL store', () => {
  it('migrates an empty schema once when several nodes start at the same moment, and each can work', async () => {
    const target = await postgresTestDatabase();
    const nodes = await Promise.all([1, 2, 3].map(() => openDatabase(target.url)));
    try {
      const applied = await nodes[0]?.get<{ n: number }>('SELECT count(*) AS n FROM kysely_migration');
      expect(applied?.n).toBe(MIGRATION_NAMES.length);
      for (const node of nodes)
        expect(await node.get<{ version: number }>('SELECT version FROM catalogue_version')).toEqual({ version: 0 });
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await target.cleanup();
    }
  });

  it('rolls a transaction back whole when a statement in it fails', async () => {
    const target = await postgresTestDatabase();
    const db = await openDatabase(target.url);
    try {
      await expect(
        db.transaction(function* () {
          yield* step.run('INSERT INTO shopper_sessions (id_hash, created_at, last_seen_at) VALUES (?, ?, ?)', ['h', 'a', 'a']);
          yield* step.run('INSERT INTO shopper_sessions (id_hash, created_at, last_seen_at) VALUES (?, ?, ?)', ['h', 'b', 'b']);
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM shopper_sessions')).toEqual({ n: 0 });
    } finally {
      await db.close();
      await target.cleanup();
    }
  });
});
