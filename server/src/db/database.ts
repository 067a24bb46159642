import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import * as sqliteVec from 'sqlite-vec';
import type { DB } from './schema';
import * as m0001 from './migrations/0001_initial';
import * as m0002 from './migrations/0002_handoff_feedback';
import * as m0003 from './migrations/0003_agents';
import * as m0004 from './migrations/0004_grounding';
import * as m0005 from './migrations/0005_experiments';
import * as m0006 from './migrations/0006_final_text_index';
import * as m0007 from './migrations/0007_catalogue_sources';
import * as m0008 from './migrations/0008_search_vocabulary';
import * as m0009 from './migrations/0009_product_embeddings';
import * as m0010 from './migrations/0010_contact_email';
import * as m0011 from './migrations/0011_page_context';
import * as m0012 from './migrations/0012_card_clicks';
import * as m0013 from './migrations/0013_reveal_subject';
import * as m0014 from './migrations/0014_message_constraints';
import * as m0015 from './migrations/0015_history_branches';
import * as m0016 from './migrations/0016_suggestions_comparison';

export type { DB } from './schema';

/** The open database: the typed Kysely handle and the raw driver (for pragmas and checks). */
export interface Database {
  kysely: Kysely<DB>;
  sqlite: BetterSqlite3.Database;
  file: string;
  /**
   * Whether the sqlite-vec extension loaded (it ships as a prebuilt binary per platform): without it
   * search stays lexical, and `error` says why.
   */
  vectorExtension: { isLoaded: boolean; error: string | null };
  /**
   * A prepared statement for `text`, prepared once per database and reused (Kysely's queries go
   * through the same cache). Hot paths write their SQL here instead of building it per call.
   */
  statement<Params extends unknown[] | object = unknown[], Row = unknown>(text: string): BetterSqlite3.Statement<Params, Row>;
  close(): Promise<void>;
}

/**
 * Statements kept per database. Preparing parses and plans the SQL (tens of µs, more for the search);
 * the hot queries are a few dozen distinct texts, and `IN (?, ?)` lists of varying length add some more.
 */
const STATEMENT_CACHE_SIZE = 500;

/** better-sqlite3's `prepare` with a least-recently-used cache in front of it. */
function cachedPrepare(sqlite: BetterSqlite3.Database): (text: string) => BetterSqlite3.Statement<unknown[], unknown> {
  const cache = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();
  return (text) => {
    const hit = cache.get(text);
    if (hit) {
      // A statement still iterating (a streamed query) cannot run again until it finishes.
      if (hit.busy) return sqlite.prepare(text);
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const stmt = sqlite.prepare(text);
    cache.set(text, stmt);
    if (cache.size > STATEMENT_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    return stmt;
  };
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
  '0006_final_text_index': m0006,
  '0007_catalogue_sources': m0007,
  '0008_search_vocabulary': m0008,
  '0009_product_embeddings': m0009,
  '0010_contact_email': m0010,
  '0011_page_context': m0011,
  '0012_card_clicks': m0012,
  '0013_reveal_subject': m0013,
  '0014_message_constraints': m0014,
  '0015_history_branches': m0015,
  '0016_suggestions_comparison': m0016,
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

  const vectorExtension = loadVectorExtension(sqlite);

  const prepare = cachedPrepare(sqlite);
  const kysely = new Kysely<DB>({ dialect: new SqliteDialect({ database: { prepare, close: () => sqlite.close() } }) });
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
    vectorExtension,
    // The cache holds statements of any shape; each caller states the shape of its own SQL.
    statement: <Params extends unknown[] | object, Row>(text: string) =>
      prepare(text) as unknown as BetterSqlite3.Statement<Params, Row>,
    close: () => kysely.destroy(),
  };
}

/**
 * Loads sqlite-vec into this connection. A platform without its prebuilt binary (or a driver built
 * without extension loading) must not stop the shop: the caller learns why and search stays lexical.
 */
function loadVectorExtension(sqlite: BetterSqlite3.Database): Database['vectorExtension'] {
  try {
    sqliteVec.load(sqlite);
    return { isLoaded: true, error: null };
  } catch (err) {
    return { isLoaded: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** ISO timestamp used for every stored time. */
export function nowIso(): string {
  return new Date().toISOString();
}
