import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { DB } from './schema';
import * as m0001 from './migrations/0001_initial';
import * as m0002 from './migrations/0002_handoff_feedback';
import * as m0003 from './migrations/0003_agents';
import * as m0004 from './migrations/0004_grounding';
import * as m0005 from './migrations/0005_experiments';
import * as m0007 from './migrations/0007_catalogue_sources';

export type { DB } from './schema';

/** The open database: the typed Kysely handle and the raw driver (for pragmas and checks). */
export interface Database {
  kysely: Kysely<DB>;
  sqlite: BetterSqlite3.Database;
  file: string;
  close(): Promise<void>;
}

/** The database's file name inside the data dir. */
const DATABASE_FILE_NAME = 'aisle.sqlite';

/**
 * The one database file of a configuration: the server and every CLI open this, so a CLI never
 * writes into a file the server does not read.
 */
export function databaseFile(config: { dataDir: string }): string {
  return path.join(config.dataDir, DATABASE_FILE_NAME);
}

/**
 * Copies a database file (with its WAL, if any) into `toDir` so the copy can be opened and changed
 * without touching the original. Returns the copy's path.
 */
export function copyDatabaseFile(from: string, toDir: string): string {
  fs.mkdirSync(toDir, { recursive: true });
  const to = databaseFile({ dataDir: toDir });
  for (const suffix of ['', '-wal']) if (fs.existsSync(from + suffix)) fs.copyFileSync(from + suffix, to + suffix);
  return to;
}

/** Migrations live in code so they ship with the server and run in order on every start. */
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_handoff_feedback': m0002,
  '0003_agents': m0003,
  '0004_grounding': m0004,
  '0005_experiments': m0005,
  // 0006 (message search) lands from another branch; Kysely runs migrations in name order.
  '0007_catalogue_sources': m0007,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Opens (creating if needed) the SQLite file, sets WAL and a busy timeout so concurrent writers wait
 * instead of failing, and migrates to the latest schema.
 */
export async function openDatabase(file: string): Promise<Database> {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // NORMAL is durable across application crashes in WAL mode; only power loss can drop the last commits.
  sqlite.pragma('synchronous = NORMAL');

  const kysely = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db: kysely, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await kysely.destroy();
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return {
    kysely,
    sqlite,
    file,
    close: () => kysely.destroy(),
  };
}

/** ISO timestamp used for every stored time. */
export function nowIso(): string {
  return new Date().toISOString();
}
