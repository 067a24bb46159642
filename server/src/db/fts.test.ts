import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPostgresReachable, testStores } from '../../../test/helpers/postgres';
import { sql } from 'kysely';
import { openDatabase, type Database } from './database';
import { messageMatchQuery, productMatchQuery, quoteFtsTerm } from './fts';

describe('quoteFtsTerm', () => {
  it('wraps a term in double quotes, doubles quotes inside, and marks a prefix with *', () => {
    expect(quoteFtsTerm('shoe')).toBe('"shoe"');
    expect(quoteFtsTerm('shoe', true)).toBe('"shoe"*');
    expect(quoteFtsTerm('say "hi"')).toBe('"say ""hi"""');
  });
});

describe('messageMatchQuery', () => {
  it('quotes every word so FTS syntax typed by an agent is plain text, and prefix-matches the last', () => {
    expect(messageMatchQuery('trail shoe')).toBe('"trail" "shoe"*');
    expect(messageMatchQuery('" OR NEAR( * -x')).toBe('"OR" "NEAR" "x"*');
    expect(messageMatchQuery('   ')).toBeNull();
    expect(messageMatchQuery('Größe 44')).toBe('"Größe" "44"*');
  });

  it('keeps at most 12 words', () => {
    const q = messageMatchQuery(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '));
    expect(q?.split(' ')).toHaveLength(12);
    expect(q?.endsWith('"w11"*')).toBe(true);
  });
});

describe('productMatchQuery', () => {
  it('drops stopwords and numbers, prefix-matches a singular stem, and joins with AND or OR', () => {
    expect(productMatchQuery('waterproof trail shoes under $120', 'and')).toBe(
      '("waterproof"* OR "waterproof") AND ("trail"* OR "trail") AND ("shoe"* OR "shoes")',
    );
    expect(productMatchQuery('tent or tarp', 'or')).toBe('("tent"* OR "tent") OR ("tarp"* OR "tarp")');
    expect(productMatchQuery('under $120 size 44', 'and')).toBeNull();
  });

  it('never passes FTS5 operators from the shopper through to the index', () => {
    const q = productMatchQuery('shoes" OR NEAR(* -title:', 'and');
    expect(q).toBe('("shoe"* OR "shoes") AND ("near"* OR "near") AND ("title"* OR "title")');
  });
});

describe('the queries against a real FTS5 index', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openDatabase(':memory:');
  });
  afterEach(async () => {
    await db.close();
  });

  it('are accepted by SQLite whatever the input, quotes and operators included', async () => {
    const inputs = ['shoes" OR NEAR(* -title:', 'say "hi" AND (x', 'title:tent ^start', 'Größe 44 *'];
    for (const input of inputs) {
      const product = productMatchQuery(input, 'or');
      const message = messageMatchQuery(input);
      // Every input has words, so both queries exist; SQLite must accept them (no syntax error).
      if (!product || !message) throw new Error(`no match query for ${JSON.stringify(input)}`);
      await expect(
        sql`SELECT rowid FROM products_fts WHERE products_fts MATCH ${product}`.execute(db.kysely),
      ).resolves.toBeDefined();
      await expect(
        sql`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${message}`.execute(db.kysely),
      ).resolves.toBeDefined();
    }
    await expect(
      sql`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ${quoteFtsTerm('say "hi"')}`.execute(db.kysely),
    ).resolves.toBeDefined();
  });
});

describe.skipIf(!(await isPostgresReachable()))('the same queries as tsquery text for PostgreSQL', () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const postgres = (await testStores()).find((s) => s.dialect === 'postgres');
    if (!postgres) throw new Error('PostgreSQL answered but no store was offered');
    ({ db, close } = await postgres.open());
  });
  afterAll(async () => {
    await close();
  });

  it('quotes every word, so operators typed by a shopper or an agent are plain text', () => {
    expect(productMatchQuery('waterproof trail shoes', 'and', 'tsquery')).toBe(
      "('waterproof':* | 'waterproof') & ('trail':* | 'trail') & ('shoe':* | 'shoes')",
    );
    expect(messageMatchQuery("it's & | ! <-> x", 'tsquery')).toBe("'it' & 's' & 'x':*");
  });

  it('are accepted by PostgreSQL whatever the input, and find what they should', async () => {
    const inputs = ["shoes' | !boots & (", "say 'hi' <-> (x", 'title:tent ^start \\', 'Größe 44 *', "o'neill trail-running"];
    for (const input of inputs) {
      const product = productMatchQuery(input, 'or', 'tsquery');
      const message = messageMatchQuery(input, 'tsquery');
      if (!product || !message) throw new Error(`no match query for ${JSON.stringify(input)}`);
      await expect(db.get("SELECT to_tsquery('english', ?) AS q", [product])).resolves.toBeDefined();
      await expect(db.get("SELECT to_tsquery('english', ?) AS q", [message])).resolves.toBeDefined();
    }
    const matches = await db.get<{ hit: boolean }>(
      "SELECT to_tsvector('english', 'Trail running shoes for wet days') @@ to_tsquery('english', ?) AS hit",
      [productMatchQuery('trail shoe', 'and', 'tsquery')],
    );
    expect(matches?.hit).toBe(true);
  });
});
