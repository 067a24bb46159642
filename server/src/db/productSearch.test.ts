import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productSearchSchema, type ProductSearch } from '@aisle/shared';
import { loadDemoCatalogueIfEmpty } from '../catalogue/demoCatalogue';
import { createCatalogueSourceRepository } from './catalogueSourceRepository';
import { openDatabase, type Database } from './database';
import { productMatchQuery } from './fts';
import { createProductRepository, type ProductRepository } from './productRepository';

/**
 * The search before issue 8, kept here as the reference: every FTS match joined to `products` and
 * ranked there, then a second statement with any term when every term found fewer than 3. The
 * repository now ranks and limits inside the FTS table and widens in the same statement; a shopper
 * must get the same products in the same order.
 */
async function referenceSearch(db: Database, f: ProductSearch): Promise<string[]> {
  const limit = f.limit ?? 8;
  const where = [];
  const effective = sql`coalesce(p.sale_price_minor, p.price_minor)`;
  if (f.category) {
    const c = f.category.toLowerCase();
    where.push(sql`(lower(p.category) = ${c} OR lower(p.product_type) LIKE ${'%' + c + '%'})`);
  }
  if (f.brand) where.push(sql`lower(p.brand) = ${f.brand.toLowerCase()}`);
  if (f.minPrice !== undefined) where.push(sql`${effective} >= ${Math.round(f.minPrice * 100)}`);
  if (f.maxPrice !== undefined) where.push(sql`${effective} <= ${Math.round(f.maxPrice * 100)}`);
  if (f.inStock) where.push(sql`p.availability = 'in_stock'`);
  if (f.size) {
    const size = f.size.toLowerCase();
    where.push(sql`(lower(p.size) = ${size} OR lower(p.size) LIKE ${size + ' (%'})`);
  }
  if (f.color) where.push(sql`lower(p.color) LIKE ${'%' + f.color.toLowerCase() + '%'}`);
  const whereSql = where.length ? sql`AND ${sql.join(where, sql` AND `)}` : sql``;
  const run = async (match: string | null) => {
    const candidates = match
      ? sql`SELECT p.*, bm25(products_fts, 10.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0) AS score
            FROM products_fts JOIN products p ON p.rowid = products_fts.rowid
            WHERE products_fts MATCH ${match} ${whereSql} ORDER BY score LIMIT 400`
      : sql`SELECT p.*, -(coalesce(p.rating, 0) * 10 + min(p.review_count, 1000) / 100.0) AS score
            FROM products p WHERE 1 = 1 ${whereSql} ORDER BY score LIMIT 400`;
    const result = await sql<{ id: string; item_group_id: string | null }>`
      SELECT * FROM (
        SELECT c.*, row_number() OVER (PARTITION BY coalesce(c.item_group_id, c.id) ORDER BY c.score, c.id) AS rn
        FROM (${candidates}) c
      ) WHERE rn = 1 ORDER BY score, id LIMIT ${limit}`.execute(db.kysely);
    return result.rows;
  };
  const all = f.q ? productMatchQuery(f.q, 'and') : null;
  if (!all) return (await run(null)).map((r) => r.id);
  const hits = await run(all);
  if (hits.length >= Math.min(3, limit)) return hits.map((r) => r.id);
  const any = productMatchQuery(f.q ?? '', 'or');
  const more = any && any !== all ? await run(any) : [];
  const seen = new Set(hits.map((h) => h.item_group_id ?? h.id));
  return [...hits, ...more.filter((h) => !seen.has(h.item_group_id ?? h.id))].slice(0, limit).map((r) => r.id);
}

/** Shopper questions of every shape: broad, narrow, one word, nothing found, widened, filtered. */
const SEARCHES: Array<Partial<ProductSearch>> = [
  ...[
    'waterproof hiking boots for wide feet',
    'tent',
    'two person tent',
    'rain jacket',
    'trail running shoes',
    'merino wool socks',
    'sleeping bag for winter camping',
    'headlamp',
    'backpack 30 litres',
    'lightweight stove',
    'kids jacket',
    'gloves',
    'yoga mat',
    'down jacket women',
    'cheap water bottle',
    'boots',
    'shoes size 44',
    'zzzz qqqq boots',
    'fleece',
    'insulated water bottle steel',
    'cycling helmet',
    'a tent for four people with a porch',
    'something for rain',
  ].map((q) => ({ q })),
  { q: 'jacket', maxPrice: 100 },
  { q: 'shoes', size: '44' },
  { q: 'boots', inStock: true },
  { q: 'tent', category: 'Tents' },
  { q: 'jacket', color: 'blue' },
  { q: 'backpack', minPrice: 50, maxPrice: 150 },
  { q: 'waterproof shoes', limit: 3 },
  { q: 'tent stove lantern', limit: 6 },
  { maxPrice: 40 },
  { category: 'Shoes', inStock: true },
];

describe('product search ranked inside the FTS table, widened in one statement', () => {
  let db: Database;
  let products: ProductRepository;
  beforeAll(async () => {
    db = await openDatabase(':memory:');
    products = createProductRepository(db);
    await loadDemoCatalogueIfEmpty(products, createCatalogueSourceRepository(db));
  });
  afterAll(async () => {
    await db.close();
  });

  it.each(SEARCHES.map((s) => [JSON.stringify(s), s] as const))('finds the same products in the same order: %s', async (_, s) => {
    const f = productSearchSchema.parse({ limit: 8, ...s });
    const expected = await referenceSearch(db, f);
    const found = (await products.search(f)).map((h) => h.row.id);
    expect(found).toEqual(expected);
  });

  it('finds something for most of these searches (the comparison above is not between two empty lists)', async () => {
    let nonEmpty = 0;
    for (const s of SEARCHES)
      if ((await products.search(productSearchSchema.parse({ limit: 8, ...s }))).length > 0) nonEmpty += 1;
    expect(nonEmpty).toBeGreaterThanOrEqual(SEARCHES.length - 2);
  });
});
