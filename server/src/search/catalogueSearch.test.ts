import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCatalogueIfEmpty } from '../catalogue/demoCatalogue';
import { createCatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { testStores } from '../../../test/helpers/postgres';
import { type Database } from '../db/database';
import { createProductRepository, DEMO_SOURCE, type ProductRepository } from '../db/productRepository';
import { createCatalogueSearch, type CatalogueSearch } from './catalogueSearch';

/** The shop's `search` config section as a hot-reloading store would hand it out. */
function configHolder(synonyms: string[][] = []) {
  let current = { config: { search: { synonyms } } };
  return { get: () => current, set: (next: string[][]) => (current = { config: { search: { synonyms: next } } }) };
}

describe.each(await testStores())('catalogue search on the demo catalogue (real $dialect)', (store) => {
  let db: Database;
  let close: () => Promise<void>;
  let products: ProductRepository;
  let search: CatalogueSearch;
  const config = configHolder();
  const titles = async (q: string, limit = 8) => (await search.search({ q, limit, origin: 'api' })).hits.map((h) => h.row.title);

  beforeAll(async () => {
    ({ db, close } = await store.open());
    products = createProductRepository(db);
    await loadDemoCatalogueIfEmpty(products, createCatalogueSourceRepository(db));
    search = createCatalogueSearch({ products, config: config.get });
  });
  afterAll(async () => {
    await close();
  });

  describe('stemming (porter)', () => {
    it('finds "jacket" products for "jackets" and "run" words for "running"', async () => {
      expect((await titles('jackets')).every((t) => /jacket/i.test(t))).toBe(true);
      expect((await products.search({ q: 'runs', limit: 8 })).length).toBeGreaterThan(0);
      const stored =
        db.dialect === 'sqlite'
          ? await db.get<{ sql: string }>(`SELECT sql FROM sqlite_master WHERE name = 'products_fts'`)
          : await db.get<{ sql: string }>(`SELECT prosrc AS sql FROM pg_proc WHERE proname = 'products_search_sync'`);
      expect(stored?.sql).toContain(db.dialect === 'sqlite' ? "tokenize='porter unicode61 remove_diacritics 2'" : "'english'");
    });

    it('still matches a word the shopper has not finished typing (prefix)', async () => {
      expect((await titles('headl')).some((t) => /headlamp/i.test(t))).toBe(true);
      expect((await titles('espres')).some((t) => /espresso/i.test(t))).toBe(true);
    });
  });

  describe('synonyms', () => {
    it('finds backpacks for "rucksack", which no product mentions (plain FTS found nothing)', async () => {
      expect(await products.search({ q: 'rucksack', limit: 8 })).toHaveLength(0);
      const found = await titles('rucksack');
      expect(found).toHaveLength(8);
      expect(found.every((t) => /backpack|daypack|pack/i.test(t))).toBe(true);
    });

    it("ranks products with the shopper's own word before products with a synonym", async () => {
      // "coat" also stems from "coated": without the own-word tier, coated kettlebells led "jacket".
      expect((await titles('jacket')).every((t) => /jacket/i.test(t))).toBe(true);
      expect((await titles('trainers', 3)).every((t) => /trainer/i.test(t))).toBe(true);
    });

    it("applies a shop's synonyms from the config in force, and forgets them when they are removed", async () => {
      expect(await titles('bergen')).toHaveLength(0);
      config.set([['bergen', 'backpack']]);
      expect((await titles('bergen')).length).toBeGreaterThan(0);
      config.set([]);
      expect(await titles('bergen')).toHaveLength(0);
    });
  });

  describe('typo tolerance against the catalogue vocabulary', () => {
    it.each([
      ['jaket', 'jacket', /jacket/i],
      ['sneekers', 'sneakers', /sneaker|trainer|running shoe/i],
      ['rucksak', 'rucksack', /backpack|daypack|pack/i],
      ['backpak', 'backpack', /backpack/i],
      ['waterproof jaket', 'waterproof jacket', /jacket|shell/i],
      ['headphnes', 'headphones', /headphone/i],
    ])('"%s" searches for "%s" and says so', async (q, corrected, pattern) => {
      const result = await search.search({ q, limit: 5, origin: 'tool' });
      expect(result.correctedQuery).toBe(corrected);
      expect(result.hits.length).toBeGreaterThan(0);
      expect(result.hits.every((h) => pattern.test(h.row.title))).toBe(true);
      expect(result.mode).toBe('lexical');
    });

    it.each(['cork', 'float', 'ptarmigan', 'jacket'])(
      'leaves "%s", a word the catalogue has (however rarely), alone',
      async (q) => {
        const result = await search.search({ q, limit: 5, origin: 'api' });
        expect(result.correctedQuery).toBeUndefined();
        expect(result.hits.length).toBeGreaterThan(0);
      },
    );

    it('corrects no short word and says nothing when it corrected nothing', async () => {
      const result = await search.search({ q: 'tnt', limit: 5, origin: 'api' });
      expect(result.correctedQuery).toBeUndefined();
    });

    it.each([
      ['Wandern', 'lantern'],
      ['trocken', 'tracker'],
    ])('does not turn the German word "%s" into the catalogue word "%s" for a German shopper', async (word, english) => {
      // Without the shopper's language the word is the nearest catalogue word's typo, as before.
      expect((await search.search({ q: word, limit: 5, origin: 'tool' })).correctedQuery?.toLowerCase()).toBe(english);
      const german = await search.search({ q: `Schuhe zum ${word}`, limit: 5, origin: 'tool', locale: 'de' });
      expect(german.correctedQuery).toBeUndefined();
      expect(german.hits.every((h) => !new RegExp(english, 'i').test(h.row.title))).toBe(true);
    });

    it('still corrects an English shopper’s typos ("waterprof" → waterproof)', async () => {
      const result = await search.search({ q: 'waterprof jaket', limit: 5, origin: 'tool', locale: 'en' });
      expect(result.correctedQuery).toBe('waterproof jacket');
      expect(result.hits.length).toBeGreaterThan(0);
      // A German page searching the same typo leaves it as typed: correction is for the catalogue's language.
      expect((await search.search({ q: 'waterprof', limit: 5, origin: 'tool', locale: 'de' })).correctedQuery).toBeUndefined();
    });

    it('sees a new word after an import (the vocabulary follows the catalogue version)', async () => {
      expect((await search.search({ q: 'snowshoe', origin: 'api' })).hits.some((h) => h.row.id === 'NEW-1')).toBe(false);
      await products.upsertMany(
        [
          {
            id: 'NEW-1',
            title: 'Kestrel Snowshoe',
            description: 'For deep snow.',
            link: null,
            imageLink: null,
            priceMinor: 12900,
            currency: 'USD',
            salePriceMinor: null,
            availability: 'in_stock',
            brand: 'Kestrel',
            gtin: null,
            mpn: null,
            condition: null,
            productType: null,
            category: null,
            googleProductCategory: null,
            itemGroupId: null,
            color: null,
            size: null,
            gender: null,
            ageGroup: null,
            material: null,
            rating: null,
            reviewCount: 0,
            stockQuantity: 3,
          },
          // Added to the demo source: a product of any other source would replace the demo catalogue.
        ],
        { source: DEMO_SOURCE },
      );
      const result = await search.search({ q: 'snowshoo', origin: 'api' });
      expect(result.correctedQuery).toBe('snowshoe');
      expect(result.hits[0]?.row.id).toBe('NEW-1');
    });

    it('never corrects to a word only gone products have (dropped from their feed, kept for transcripts)', async () => {
      await db.run("UPDATE products SET gone_at = '2026-01-01T00:00:00.000Z' WHERE id = 'NEW-1'");
      await db.run('UPDATE catalogue_version SET version = version + 1 WHERE id = 1');
      const result = await search.search({ q: 'snowshoo', origin: 'api' });
      expect(result.correctedQuery).toBeUndefined();
      expect(result.hits.map((h) => h.row.id)).not.toContain('NEW-1');
    });
  });

  it('keeps the filters with synonyms and corrections', async () => {
    const result = await search.search({ q: 'rucksak', maxPrice: 60, limit: 8, origin: 'api' });
    expect(result.hits.length).toBeGreaterThan(0);
    for (const { row } of result.hits) expect(row.sale_price_minor ?? row.price_minor).toBeLessThanOrEqual(6000);
  });

  it('fuses a semantic list with the lexical one when given (reciprocal rank), and says hybrid', async () => {
    const lexicalTop = (await search.search({ q: 'headlamp', limit: 3, origin: 'api' })).hits.map((h) => h.row.id);
    const kettle = (await search.search({ q: 'kettle', limit: 1, origin: 'api' })).hits[0]?.row.id ?? 'none';
    const hybrid = createCatalogueSearch({
      products,
      config: config.get,
      semantic: async () => [
        { id: lexicalTop[1] ?? 'x', distance: 0.1 },
        { id: kettle, distance: 0.2 },
      ],
    });
    const result = await hybrid.search({ q: 'headlamp', limit: 3, origin: 'api' });
    expect(result.mode).toBe('hybrid');
    // Ranked well by both lists: first. The kettle only the semantic list has: still in the fused list.
    expect(result.hits[0]?.row.id).toBe(lexicalTop[1]);
    const all = await hybrid.search({ q: 'headlamp', limit: 50, origin: 'api' });
    expect(all.hits.map((h) => h.row.id)).toContain(kettle);
  });
});
