import { PostgresAdapter, type ColumnDataType, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Dialect } from '../sqlRunner';

/**
 * What one set of migrations needs to serve both engines: which one it runs on, and the few column
 * types that differ. Everything else is Kysely's schema builder or SQL both engines accept.
 */
export function dialectOf(db: Kysely<unknown>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Column types whose names differ: SQLite's `integer` is 64-bit and its `real` a double. */
export function columnTypes(db: Kysely<unknown>): { int64: ColumnDataType; double: ColumnDataType } {
  return dialectOf(db) === 'postgres' ? { int64: 'bigint', double: 'double precision' } : { int64: 'integer', double: 'real' };
}

/** An auto-numbered integer primary key: AUTOINCREMENT on SQLite, an identity column on PostgreSQL. */
export function autoIdColumn(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return dialectOf(db) === 'postgres'
    ? (c) => c.primaryKey().generatedByDefaultAsIdentity()
    : (c) => c.primaryKey().autoIncrement();
}
