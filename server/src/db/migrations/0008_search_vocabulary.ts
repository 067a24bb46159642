import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect';

/**
 * The catalogue's own words, for typo tolerance: an `fts5vocab` table over the products index lists
 * every indexed term (porter stems, diacritics removed, as the index stores them) with the number of
 * products that contain it. It reads the index itself, so it is never stale and costs no storage.
 * The products index already tokenizes with `porter unicode61 remove_diacritics 2` (since 0001), so
 * stemming needs no rebuild here. PostgreSQL reads the same list from the products' tsvectors with
 * `ts_stat` (the product repository), so it needs nothing here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') return;
  await sql`CREATE VIRTUAL TABLE IF NOT EXISTS products_fts_vocab USING fts5vocab(products_fts, row)`.execute(db);
}

/** Back to 0007: no vocabulary table (the index is untouched). */
export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') return;
  await sql`DROP TABLE IF EXISTS products_fts_vocab`.execute(db);
}
