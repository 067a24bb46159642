import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Suggestion } from '@aisle/shared';
import { loadDemoCatalogueIfEmpty } from '../catalogue/demoCatalogue';
import { createCatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { openDatabase, type Database } from '../db/database';
import { createProductDetails, type ProductDetails, type ProductFacts } from '../db/productDetails';
import { createProductRepository, type ProductRepository } from '../db/productRepository';
import { createCatalogueSearch, type CatalogueSearch } from '../search/catalogueSearch';
import { buildSuggestions, keepsSome, MAX_SUGGESTIONS, payableMinor } from './suggestions';

describe('suggestions from the facets of an answer’s results (demo catalogue, real SQLite)', () => {
  let db: Database;
  let products: ProductRepository;
  let details: ProductDetails;
  let search: CatalogueSearch;

  beforeAll(async () => {
    db = await openDatabase(':memory:');
    products = createProductRepository(db);
    details = createProductDetails(db);
    await loadDemoCatalogueIfEmpty(products, createCatalogueSourceRepository(db));
    search = createCatalogueSearch({ products, config: () => ({ config: { search: { synonyms: [] } } }) });
  });
  afterAll(async () => {
    await db.close();
  });

  /** What one answer's search found, read back as the suggestions read it. */
  async function resultsFor(q: string): Promise<ProductFacts[]> {
    const { hits } = await search.search({ q, limit: 8, origin: 'prefetch' });
    return details.facts(hits.map((h) => h.row.id));
  }

  /** The result products a suggestion keeps, checked against the database's cards (not the facts it was built from). */
  async function kept(suggestion: Suggestion, results: readonly ProductFacts[]): Promise<string[]> {
    const cards = await products.getCards(results.map((r) => r.row.id));
    switch (suggestion.kind) {
      case 'price-under':
        return cards
          .filter((c) => Math.min(c.price.amountMinor, c.salePrice?.amountMinor ?? Infinity) <= suggestion.amount.amountMinor)
          .map((c) => c.id);
      case 'feature':
        return cards.filter((c) => c.title.toLowerCase().includes(suggestion.feature)).map((c) => c.id);
      case 'brand':
        return cards.filter((c) => c.brand === suggestion.brand).map((c) => c.id);
      case 'size': {
        const withSize = await products.search({ size: suggestion.size, inStock: true, limit: 50 });
        const groups = new Set(withSize.map((h) => h.row.item_group_id ?? h.row.id));
        return results.filter((r) => groups.has(r.row.item_group_id ?? r.row.id)).map((r) => r.row.id);
      }
      case 'compare':
        return cards.filter((c) => suggestion.productIds.includes(c.id)).map((c) => c.id);
    }
  }

  const QUERIES = [
    'trail running shoes',
    'rain jacket',
    'backpack',
    'tent',
    'headlamp',
    'sleeping bag',
    'coffee',
    'fleece',
    'boots',
  ];

  it.each(QUERIES)('never offers a suggestion that would find nothing among the results for "%s"', async (q) => {
    const results = await resultsFor(q);
    expect(results.length).toBeGreaterThan(0);
    const suggestions = buildSuggestions({ results, cardIds: results.slice(0, 3).map((r) => r.row.id), shopperSize: '42' });
    expect(suggestions.length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
    for (const s of suggestions) {
      const keeps = await kept(s, results);
      expect(keeps.length, JSON.stringify(s)).toBeGreaterThan(0);
      // A filter that keeps every result would change nothing for the shopper.
      if (s.kind !== 'compare' && s.kind !== 'size') expect(keeps.length, JSON.stringify(s)).toBeLessThan(results.length);
    }
  });

  it('offers a round price below the median, a feature some results name, and "Compare these" for the cards', async () => {
    const results = await resultsFor('trail running shoes');
    const prices = results.map((r) => payableMinor(r.row)).sort((a, b) => a - b);
    const suggestions = buildSuggestions({ results, cardIds: results.slice(0, 2).map((r) => r.row.id) });
    const price = suggestions.find((s) => s.kind === 'price-under');
    expect(price?.kind === 'price-under' && price.amount.amountMinor % 500).toBe(0);
    expect(price?.kind === 'price-under' && price.amount.amountMinor).toBeLessThanOrEqual(
      prices[Math.floor((prices.length - 1) / 2)] ?? 0,
    );
    expect(suggestions.at(-1)).toEqual({ kind: 'compare', productIds: results.slice(0, 2).map((r) => r.row.id) });
  });

  it('offers the shopper’s size only when a result has it in stock, and no "Compare" under a single card', async () => {
    const results = await resultsFor('trail running shoes');
    const inStock = results.flatMap((r) => r.sizesInStock);
    const size = inStock[0] ?? 'none';
    const withSize = buildSuggestions({ results, cardIds: [results[0]?.row.id ?? ''], shopperSize: size });
    expect(withSize).toContainEqual({ kind: 'size', size });
    expect(withSize.some((s) => s.kind === 'compare')).toBe(false);
    const without = buildSuggestions({ results, cardIds: [], shopperSize: 'XXXXL' });
    expect(without.some((s) => s.kind === 'size')).toBe(false);
  });

  it('offers no price bucket at or above the budget the shopper already gave, and nothing for one result', async () => {
    const results = await resultsFor('trail running shoes');
    const cheapest = Math.min(...results.map((r) => payableMinor(r.row)));
    const suggestions = buildSuggestions({ results, cardIds: [], shopperMaxPrice: cheapest / 100 });
    expect(suggestions.some((s) => s.kind === 'price-under')).toBe(false);
    expect(buildSuggestions({ results: results.slice(0, 1), cardIds: [] })).toEqual([]);
  });

  it('leaves out products the feed dropped: "Compare these" names only live cards', async () => {
    const results = await resultsFor('rain jacket');
    const [first, second, third] = results;
    if (!first || !second || !third) throw new Error('the demo catalogue has fewer than three rain jackets');
    const gone = { ...first, row: { ...first.row, gone_at: '2026-01-01T00:00:00.000Z' } };
    const suggestions = buildSuggestions({
      results: [gone, second, third],
      cardIds: [first.row.id, second.row.id, third.row.id],
    });
    expect(suggestions.find((s) => s.kind === 'compare')).toEqual({ kind: 'compare', productIds: [second.row.id, third.row.id] });
    for (const s of suggestions) expect(keepsSome(s, [second, third])).toBe(true);
  });
});
