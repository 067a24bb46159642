import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { databaseFile, openDatabase, type Database, type Dialect } from '@aisle/server/db/database';
import pg from 'pg';

/**
 * PostgreSQL for tests: the local server (127.0.0.1:5432, trust auth, database `test`), or
 * AISLE_TEST_POSTGRES_URL. Every test store gets a schema of its own, dropped afterwards, so files
 * running in parallel never see each other's rows.
 */
export const POSTGRES_TEST_URL = process.env.AISLE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The one line a test run prints when PostgreSQL is not there. */
export const POSTGRES_SKIP_LINE = `PostgreSQL tests skipped: nothing answers at ${new URL(POSTGRES_TEST_URL).host}. Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`;

let reachable: Promise<boolean> | null = null;
let skipNoted = false;

/** Whether the test PostgreSQL answers (asked once per process; prints the skip line once when not). */
export function isPostgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await dropLeftoverSchemas();
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })().then((isUp) => {
    if (!isUp && !skipNoted) {
      skipNoted = true;
      process.stderr.write(`${POSTGRES_SKIP_LINE}\n`);
    }
    return isUp;
  });
  return reachable;
}

let schemas = 0;
const byKey = new Map<string, PostgresTestDatabase>();

/**
 * Drops the schemas of test runs that are over (their process is gone): a run killed half way
 * leaves its schemas behind, and the next run clears them.
 */
async function dropLeftoverSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      "SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'aisle_test_%'",
    );
    for (const { name } of rows) {
      const pid = Number(name.split('_')[2]);
      if (!Number.isInteger(pid) || isAlive(pid)) continue;
      await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh schema in the test database. */
export interface PostgresTestDatabase {
  /** A connection URL whose connections use the fresh schema (`search_path`), then `public`. */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  cleanup(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A URL to a fresh, empty schema of the test PostgreSQL and its cleanup. Several servers given the
 * same URL share the schema (multi-node tests). Throws when PostgreSQL does not answer: check
 * {@link isPostgresReachable} first to skip instead.
 */
export async function postgresTestDatabase(): Promise<PostgresTestDatabase> {
  schemas += 1;
  // Unique per process, worker and call; no randomness, so a failed run's name is readable.
  return createSchema(`aisle_test_${process.pid}_${threadId}_${schemas}`);
}

/**
 * The same schema for the same key within this process (a server restarted on the same data dir
 * finds its shop again); made on first use. Left for {@link dropLeftoverSchemas} after the run, or
 * dropped earlier with `cleanup`.
 */
export async function postgresTestDatabaseFor(key: string): Promise<PostgresTestDatabase> {
  const known = byKey.get(key);
  if (known) return known;
  schemas += 1;
  const created = await createSchema(`aisle_test_${process.pid}_${threadId}_k${schemas}`);
  byKey.set(key, created);
  return created;
}

async function createSchema(schema: string): Promise<PostgresTestDatabase> {
  await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return {
    url: url.toString(),
    schema,
    cleanup: () => adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

/** One engine the store tests run against. */
export interface TestStore {
  dialect: Dialect;
  /**
   * Opens a fresh, migrated, empty database; `location` opens it again (as another process would);
   * `close` also deletes it.
   */
  open(): Promise<{ db: Database; location: string; close(): Promise<void> }>;
}

/**
 * The engines store tests run against, for `describe.each`: SQLite (a file in a temp dir) always,
 * PostgreSQL when it answers (otherwise the skip line is printed once).
 */
export async function testStores(): Promise<TestStore[]> {
  const sqlite: TestStore = {
    dialect: 'sqlite',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-store-'));
      const location = databaseFile({ dataDir: dir });
      const db = await openDatabase(location);
      return {
        db,
        location,
        close: async () => {
          await db.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
  if (!(await isPostgresReachable())) return [sqlite];
  const postgres: TestStore = {
    dialect: 'postgres',
    open: async () => {
      const target = await postgresTestDatabase();
      const db = await openDatabase(target.url);
      return {
        db,
        location: target.url,
        close: async () => {
          await db.close();
          await target.cleanup();
        },
      };
    },
  };
  return [sqlite, postgres];
}
