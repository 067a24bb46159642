import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import * as m0001 from './0001_initial';
import * as m0002 from './0002_handoff_feedback';
import * as m0003 from './0003_agents';
import * as m0004 from './0004_grounding';
import * as m0005 from './0005_experiments';
import * as m0007 from './0007_catalogue_sources';

let db: Kysely<unknown> | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
});

const before: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_handoff_feedback': m0002,
  '0003_agents': m0003,
  '0004_grounding': m0004,
  '0005_experiments': m0005,
};

async function migrate(kysely: Kysely<unknown>, migrations: Record<string, Migration>): Promise<void> {
  const { error } = await new Migrator({ db: kysely, provider: { getMigrations: async () => migrations } }).migrateToLatest();
  if (error) throw error;
}

describe('0007_catalogue_sources', () => {
  it('labels rows the demo loader wrote as demo and the rest as imported, and keeps them searchable', async () => {
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    db = kysely;
    await migrate(kysely, before);
    const at = new Date().toISOString();
    await sql`INSERT INTO products (id, title, price_minor, currency, availability, mpn, updated_at) VALUES
      ('TRL-1001-38-FGR', 'Cairnwell Shrike Trail Shoe', 8999, 'USD', 'in_stock', 'CAI-TRL100138FGR', ${at}),
      ('SKU-9', 'Real Rain Jacket', 12000, 'EUR', 'in_stock', 'RJ-2024', ${at})`.execute(kysely);

    await migrate(kysely, { ...before, '0007_catalogue_sources': m0007 });
    const rows = await sql<{ id: string; source: string; gone_at: string | null }>`
      SELECT id, source, gone_at FROM products ORDER BY id`.execute(kysely);
    expect(rows.rows).toEqual([
      { id: 'SKU-9', source: 'import', gone_at: null },
      { id: 'TRL-1001-38-FGR', source: 'demo', gone_at: null },
    ]);
    const sources = await sql<{ name: string; kind: string }>`SELECT name, kind FROM catalogue_sources ORDER BY name`.execute(
      kysely,
    );
    expect(sources.rows).toEqual([
      { name: 'demo', kind: 'demo' },
      { name: 'import', kind: 'file' },
    ]);
    // The rebuilt index still finds products stored before, and finds tags written after.
    const match = async (q: string) =>
      (
        await sql<{ id: string }>`SELECT p.id FROM products_fts JOIN products p ON p.rowid = products_fts.rowid
          WHERE products_fts MATCH ${q} ORDER BY p.id`.execute(kysely)
      ).rows.map((r) => r.id);
    expect(await match('jacket')).toEqual(['SKU-9']);
    await sql`UPDATE products SET keywords = '["waterproof","gore-tex"]' WHERE id = 'SKU-9'`.execute(kysely);
    expect(await match('goretex OR gore')).toEqual(['SKU-9']);
  });
});
