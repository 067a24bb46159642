import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './database';

/**
 * Moving a shop from one store to another (SQLite to PostgreSQL): every table that holds the shop's
 * own rows, in an order that satisfies the foreign keys, with its primary key (rows are compared in
 * that order). Indexes derived from these rows (FTS5 tables, `products_search`, sqlite-vec vectors)
 * are rebuilt by the target, not copied; the migrator's own tables are the target's.
 */
export const COPIED_TABLES: ReadonlyArray<{ name: string; key: readonly string[] }> = [
  { name: 'products', key: ['id'] },
  { name: 'catalogue_sources', key: ['name'] },
  { name: 'catalogue_syncs', key: ['id'] },
  { name: 'catalogue_staging', key: ['source', 'id'] },
  { name: 'catalogue_version', key: ['id'] },
  { name: 'embedding_index', key: ['id'] },
  { name: 'product_embeddings', key: ['product_id'] },
  { name: 'shopper_sessions', key: ['id_hash'] },
  { name: 'conversations', key: ['id'] },
  { name: 'messages', key: ['id'] },
  { name: 'message_feedback', key: ['message_id'] },
  { name: 'card_clicks', key: ['id'] },
  { name: 'search_log', key: ['id'] },
  { name: 'agents', key: ['id'] },
  { name: 'agent_sessions', key: ['id_hash'] },
  { name: 'transcript_notes', key: ['id'] },
  { name: 'transcript_labels', key: ['conversation_id', 'label'] },
  { name: 'transcript_flags', key: ['conversation_id'] },
  { name: 'message_reveals', key: ['id'] },
];

/** Tables whose `id` is numbered by the database: the target's counter must continue after the copy. */
const NUMBERED_TABLES = ['catalogue_syncs', 'card_clicks', 'search_log', 'message_reveals'];

/** Rows read per page of the source. */
const PAGE_ROWS = 1000;

/** One table's rows and fingerprint on one side. */
export interface TableFingerprint {
  table: string;
  rows: number;
  /** sha256 over every row in primary-key order, values normalised so both engines hash alike. */
  checksum: string;
}

/** One table compared after a copy. */
export interface TableCheck {
  table: string;
  source: TableFingerprint;
  target: TableFingerprint;
  isMatch: boolean;
}

/** Thrown when the target already holds a shop: a copy never merges into or overwrites one. */
export class TargetNotEmptyError extends Error {
  constructor(readonly tables: string[]) {
    super(`the target database is not empty (rows in ${tables.join(', ')}); copy into a new, empty database`);
    this.name = 'TargetNotEmptyError';
  }
}

/** The table's columns on this engine, in table order (on PostgreSQL, in the schema in use). */
async function columnsOf(db: Database, table: string): Promise<string[]> {
  const { rows } =
    db.dialect === 'postgres'
      ? await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`.execute(db.kysely)
      : await sql<{ name: string }>`SELECT name FROM pragma_table_info(${table}) ORDER BY cid`.execute(db.kysely);
  if (rows.length === 0) throw new Error(`the table ${table} is missing from the ${db.dialect} database`);
  return rows.map((r) => r.name);
}

/** Tables whose key is a number (every other key is text). */
const NUMBER_KEYED = new Set([...NUMBERED_TABLES, 'catalogue_version', 'embedding_index']);

/** ORDER BY the key, text bytewise on both engines (SQLite compares text by bytes; PostgreSQL by collation). */
function orderBy(db: Database, table: string, key: readonly string[]) {
  const isText = !NUMBER_KEYED.has(table);
  return sql.join(key.map((k) => (db.dialect === 'postgres' && isText ? sql`${sql.ref(k)} COLLATE "C"` : sql.ref(k))));
}

/** Pages of a table's rows in key order. */
async function* pages(db: Database, table: string, key: readonly string[], columns: string[]) {
  for (let offset = 0; ; offset += PAGE_ROWS) {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${sql.join(columns.map((c) => sql.ref(c)))} FROM ${sql.table(table)}
      ORDER BY ${orderBy(db, table, key)} LIMIT ${PAGE_ROWS} OFFSET ${offset}`.execute(db.kysely);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < PAGE_ROWS) return;
  }
}

/**
 * A value as both engines give it back: numbers as numbers (PostgreSQL's bigint arrives as text
 * unless parsed), text as text, null as null.
 */
function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value ?? null;
}

/** Row count and checksum of a table, over `columns` in that order. */
export async function fingerprint(
  db: Database,
  table: string,
  key: readonly string[],
  columns: string[],
): Promise<TableFingerprint> {
  const hash = createHash('sha256');
  let rows = 0;
  for await (const page of pages(db, table, key, columns)) {
    for (const row of page) hash.update(`${JSON.stringify(columns.map((c) => normalise(row[c])))}\n`);
    rows += page.length;
  }
  return { table, rows, checksum: hash.digest('hex') };
}

/** Tables of the target that already have rows (the version row migration 0006 inserts does not count). */
async function occupiedTables(db: Database): Promise<string[]> {
  const occupied: string[] = [];
  for (const { name } of COPIED_TABLES) {
    const condition = name === 'catalogue_version' ? sql`WHERE version <> 0` : sql``;
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(name)} ${condition}`.execute(db.kysely);
    if (Number(rows[0]?.n ?? 0) > 0) occupied.push(name);
  }
  return occupied;
}

/** Inserts rows in statements of at most ~30,000 parameters (PostgreSQL allows 65,535). */
async function insertRows(trx: Kysely<unknown>, table: string, columns: string[], rows: Array<Record<string, unknown>>) {
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    const values = rows.slice(i, i + perStatement).map((r) => sql`(${sql.join(columns.map((c) => normalise(r[c])))})`);
    await sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) VALUES ${sql.join(values)}`.execute(
      trx,
    );
  }
}

/**
 * Copies every shop table from `source` into the empty `target` in one transaction of the target
 * (a failure leaves it empty), then compares per-table row counts and checksums of both sides.
 * `progress` hears each table as it is copied.
 */
export async function copyDatabase(
  source: Database,
  target: Database,
  progress: (table: string, rows: number) => void = () => {},
): Promise<TableCheck[]> {
  const occupied = await occupiedTables(target);
  if (occupied.length > 0) throw new TargetNotEmptyError(occupied);
  const plan: Array<{ name: string; key: readonly string[]; columns: string[] }> = [];
  for (const { name, key } of COPIED_TABLES) {
    const columns = await columnsOf(source, name);
    const targetColumns = new Set(await columnsOf(target, name));
    const missing = columns.filter((c) => !targetColumns.has(c));
    if (missing.length > 0)
      throw new Error(`the target's ${name} has no column ${missing.join(', ')}: migrate both to the same version`);
    plan.push({ name, key, columns });
  }
  await (target.kysely as Kysely<unknown>).transaction().execute(async (trx) => {
    // The target's own version row goes: the source's is copied with the rest.
    await sql`DELETE FROM catalogue_version`.execute(trx);
    for (const { name, key, columns } of plan) {
      let copied = 0;
      for await (const page of pages(source, name, key, columns)) {
        await insertRows(trx, name, columns, page);
        copied += page.length;
      }
      progress(name, copied);
    }
    if (target.dialect === 'postgres') {
      for (const name of NUMBERED_TABLES)
        await sql`SELECT setval(pg_get_serial_sequence(${name}, 'id'), coalesce(max(id), 0) + 1, false) FROM ${sql.table(name)}`.execute(
          trx,
        );
    }
  });
  return verifyCopy(source, target);
}

/** Per-table row counts and checksums of both sides, over the source's columns. */
export async function verifyCopy(source: Database, target: Database): Promise<TableCheck[]> {
  const checks: TableCheck[] = [];
  for (const { name, key } of COPIED_TABLES) {
    const columns = await columnsOf(source, name);
    const from = await fingerprint(source, name, key, columns);
    const to = await fingerprint(target, name, key, columns);
    checks.push({ table: name, source: from, target: to, isMatch: from.rows === to.rows && from.checksum === to.checksum });
  }
  return checks;
}
