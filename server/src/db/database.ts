import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import * as sqliteVec from 'sqlite-vec';
import type { DB } from './schema';
import {
  driveAsync,
  driveSync,
  numberPlaceholders,
  orderedValues,
  type Dialect,
  type NumberedSql,
  type SqlParams,
  type SqlRunner,
  type SqlStep,
  type SqlSteps,
} from './sqlRunner';
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
export type { Dialect, SqlParams, SqlRunner, SqlSteps } from './sqlRunner';
export { step } from './sqlRunner';

/** What both engines offer: typed Kysely, raw SQL with `?` placeholders, transactions. */
interface DatabaseCommon extends SqlRunner {
  kysely: Kysely<DB>;
  /**
   * Runs a generator of statements (`yield* step.run(…)`) as one transaction: synchronously inside
   * better-sqlite3's transaction on SQLite, over one pooled connection on PostgreSQL.
   */
  transaction<T>(body: () => SqlSteps<T>): Promise<T>;
  close(): Promise<void>;
}

/** The shop in a SQLite file: the raw driver (pragmas, checks, sqlite-vec) and its statement cache. */
export interface SqliteDatabase extends DatabaseCommon {
  dialect: 'sqlite';
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
}

/** The shop in PostgreSQL (`database.url`). */
export interface PostgresDatabase extends DatabaseCommon {
  dialect: 'postgres';
  pool: pg.Pool;
  /** The connection URL without its password, for logs. */
  location: string;
}

/** The open database, either engine; repositories branch on `dialect` only where SQL differs. */
export type Database = SqliteDatabase | PostgresDatabase;

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

/** Whether `location` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/**
 * Where a configuration keeps the shop: `database.url` (PostgreSQL) when set, else the SQLite file
 * in the data dir. The server and every CLI open this.
 */
export function databaseLocation(loaded: { dataDir: string; config: { database: { url: string | null } } }): string {
  return loaded.config.database.url ?? databaseFile(loaded);
}

/** A connection URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Whether an error is a unique-constraint violation (a duplicate key) on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof Error) || !('code' in err)) return false;
  return err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === '23505';
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

/** The migrations a database has once it is up to date, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Opens the shop's database and migrates it to the latest schema: PostgreSQL for a `postgres://`
 * URL, else the SQLite file (created if needed).
 */
export async function openDatabase(location: string): Promise<Database> {
  return isPostgresUrl(location) ? openPostgresDatabase(location) : openSqliteDatabase(location);
}

/**
 * Runs every migration not yet applied; on failure closes the handle and says which one failed. On
 * PostgreSQL the migrator's own tables live in the schema the shop's tables go to (the first of the
 * search path): left to itself it would find them in any schema of the database and skip its own.
 */
async function migrate(kysely: Kysely<DB>, dialect: Dialect): Promise<void> {
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(kysely)).rows[0]?.schema
      : undefined;
  if (dialect === 'postgres' && !schema) {
    await kysely.destroy();
    throw new Error('PostgreSQL has no schema to create tables in: check the search_path of the connection');
  }
  const migrator = new Migrator({ db: kysely, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    await kysely.destroy();
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}

/**
 * Opens (creating if needed) the SQLite file, sets WAL and a busy timeout so concurrent writers wait
 * instead of failing, and migrates to the latest schema.
 */
export async function openSqliteDatabase(file: string): Promise<SqliteDatabase> {
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
  await migrate(kysely, 'sqlite');
  const execute = (s: SqlStep): unknown => {
    const stmt = prepare(s.text);
    const args = Array.isArray(s.params) ? s.params : [s.params];
    if (s.op === 'all') return stmt.all(...args);
    if (s.op === 'get') return stmt.get(...args);
    return stmt.run(...args).changes;
  };
  const inTransaction = sqlite.transaction((body: SqlSteps<unknown>) => driveSync(body, execute));
  return {
    dialect: 'sqlite',
    kysely,
    sqlite,
    file,
    vectorExtension,
    // The cache holds statements of any shape; each caller states the shape of its own SQL.
    statement: <Params extends unknown[] | object, Row>(text: string) =>
      prepare(text) as unknown as BetterSqlite3.Statement<Params, Row>,
    all: async <Row>(text: string, params: SqlParams = []) => execute({ op: 'all', text, params }) as Row[],
    get: async <Row>(text: string, params: SqlParams = []) => execute({ op: 'get', text, params }) as Row | undefined,
    run: async (text: string, params: SqlParams = []) => execute({ op: 'run', text, params }) as number,
    transaction: async <T>(body: () => SqlSteps<T>) => inTransaction(body()) as T,
    close: () => kysely.destroy(),
  };
}

/**
 * Numbers come back as numbers, as from SQLite: `count(*)` and `bigint` columns (int8) and sums
 * (numeric) would otherwise arrive as strings. Every value Aisle stores fits a double.
 */
const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connections per process: a node's answers share them (a query holds one for milliseconds). */
const POOL_SIZE = 10;

/**
 * Connects to PostgreSQL and migrates to the latest schema. Kysely's migrator takes an advisory lock,
 * so nodes starting at once migrate one after another and the others find nothing left to do.
 */
export async function openPostgresDatabase(url: string): Promise<PostgresDatabase> {
  const location = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types: postgresTypes });
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Could not connect to PostgreSQL at ${location}: ${reason}`, { cause: err });
  }
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  await migrate(kysely, 'postgres');
  const numbered = new Map<string, NumberedSql>();
  const execute = async (client: pg.Pool | pg.PoolClient, s: SqlStep): Promise<unknown> => {
    let sql = numbered.get(s.text);
    if (!sql) {
      sql = numberPlaceholders(s.text);
      numbered.set(s.text, sql);
    }
    const result = await client.query(sql.text, orderedValues(sql, s.params));
    if (s.op === 'all') return result.rows;
    if (s.op === 'get') return result.rows[0];
    return result.rowCount ?? 0;
  };
  return {
    dialect: 'postgres',
    kysely,
    pool,
    location,
    all: async <Row>(text: string, params: SqlParams = []) => (await execute(pool, { op: 'all', text, params })) as Row[],
    get: async <Row>(text: string, params: SqlParams = []) =>
      (await execute(pool, { op: 'get', text, params })) as Row | undefined,
    run: async (text: string, params: SqlParams = []) => (await execute(pool, { op: 'run', text, params })) as number,
    transaction: async <T>(body: () => SqlSteps<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await driveAsync(body(), (s) => execute(client, s));
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    // Kysely ends the pool it was given.
    close: () => kysely.destroy(),
  };
}

/**
 * Loads sqlite-vec into this connection. A platform without its prebuilt binary (or a driver built
 * without extension loading) must not stop the shop: the caller learns why and search stays lexical.
 */
function loadVectorExtension(sqlite: BetterSqlite3.Database): SqliteDatabase['vectorExtension'] {
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
