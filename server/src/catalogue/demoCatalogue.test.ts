import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/database';
import { createCatalogueSourceRepository, type CatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { createProductRepository, type ProductRepository } from '../db/productRepository';
import { generateDemoCatalogue, renderDemoCatalogue, type DemoFeedRow } from './demo/generateDemoCatalogue';
import { DEMO_CATALOGUE_FILE, loadDemoCatalogueIfEmpty } from './demoCatalogue';
import { parseMerchantRow } from './import/merchantFeed';

const shipped = fs.readFileSync(DEMO_CATALOGUE_FILE, 'utf8');
const rows = shipped
  .trim()
  .split('\n')
  .map((line): DemoFeedRow => JSON.parse(line));

describe('the shipped demo catalogue', () => {
  it('is exactly what the generator writes (regenerate after editing demoLines.ts)', () => {
    expect(renderDemoCatalogue(generateDemoCatalogue())).toBe(shipped);
  });

  it('has at least 500 products in at least 10 categories, within the size budget', () => {
    const groups = new Set(rows.map((r) => r.item_group_id ?? r.id));
    const categories = new Set(rows.map((r) => r.product_type.split('>')[0]?.trim()));
    expect(groups.size).toBeGreaterThanOrEqual(500);
    expect(categories.size).toBeGreaterThanOrEqual(10);
    expect(rows.length).toBeLessThanOrEqual(2500);
    expect(Buffer.byteLength(shipped)).toBeLessThan(3 * 1024 * 1024);
  });

  it('has unique ids, unique product titles and a description for every product', () => {
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const titleByGroup = new Map(rows.map((r) => [r.item_group_id ?? r.id, r.title]));
    expect(new Set(titleByGroup.values()).size).toBe(titleByGroup.size);
    expect(rows.every((r) => r.description.length > 40 && parseMerchantRow({ ...r }).ok)).toBe(true);
  });

  it('answers the headline query: waterproof trail shoes under $120 in size 44, some in stock and some not', () => {
    const trail44 = rows.filter(
      (r) => r.product_type === 'Shoes > Trail running shoes' && r.title.includes('Waterproof') && r.size === '44',
    );
    const effective = (r: DemoFeedRow) => Number.parseFloat(r.sale_price ?? r.price);
    const under = trail44.filter((r) => effective(r) < 120);
    const groupsUnder = (availability: string) =>
      new Set(under.filter((r) => r.availability === availability).map((r) => r.item_group_id));
    expect(groupsUnder('in_stock').size).toBeGreaterThanOrEqual(3);
    expect(groupsUnder('out_of_stock').size).toBeGreaterThanOrEqual(1);
    expect(trail44.some((r) => effective(r) > 120)).toBe(true);
  });

  it('mostly has stock, with some products out of stock, on backorder and on preorder', () => {
    const count = (a: string) => rows.filter((r) => r.availability === a).length;
    expect(count('in_stock') / rows.length).toBeGreaterThan(0.8);
    for (const a of ['out_of_stock', 'backorder', 'preorder']) expect(count(a)).toBeGreaterThan(0);
  });
});

function parseOk(row: DemoFeedRow | undefined) {
  const parsed = parseMerchantRow({ ...row });
  if (!parsed.ok) throw new Error(parsed.reasons.join('; '));
  return parsed.record;
}

describe('loadDemoCatalogueIfEmpty', () => {
  let dir: string;
  let db: Database;
  let repo: ProductRepository;
  let sources: CatalogueSourceRepository;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-demo-'));
    db = await openDatabase(path.join(dir, 'aisle.sqlite'));
    repo = createProductRepository(db);
    sources = createCatalogueSourceRepository(db);
  });

  afterAll(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports the whole demo catalogue into an empty database without rejecting a row, and only once', async () => {
    const first = await loadDemoCatalogueIfEmpty(repo, sources);
    expect(first.loaded).toBe(true);
    expect(first.summary).toMatchObject({ rowsRead: rows.length, inserted: rows.length, skipped: 0 });
    expect(await repo.count()).toBe(rows.length);

    const second = await loadDemoCatalogueIfEmpty(repo, sources);
    expect(second).toEqual({ loaded: false });
  }, 60_000);

  it('never loads the demo again once a real catalogue was imported, even into an empty catalogue', async () => {
    const { demoRemoved } = await repo.upsertMany([{ ...parseOk(rows[0]), id: 'REAL-1' }]);
    expect(demoRemoved).toBe(rows.length);
    await db.kysely.deleteFrom('products').execute();
    expect(await loadDemoCatalogueIfEmpty(repo, sources)).toEqual({ loaded: false });
    expect(await repo.count()).toBe(0);
  });
});
