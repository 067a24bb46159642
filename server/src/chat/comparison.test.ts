import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductRecord } from '../catalogue/productRecord';
import { openSqliteDatabase, type SqliteDatabase } from '../db/database';
import { createProductDetails, type ProductDetails } from '../db/productDetails';
import { createProductRepository } from '../db/productRepository';
import { buildComparison, compareProducts, comparisonRequest, ComparisonRefused } from './comparison';

const base = {
  description: '',
  link: null,
  imageLink: null,
  salePriceMinor: null,
  gtin: null,
  mpn: null,
  condition: 'new',
  googleProductCategory: null,
  gender: null,
  ageGroup: null,
  stockQuantity: 5,
  currency: 'USD',
  brand: 'Northpeak',
  productType: 'Shoes > Trail running shoes',
  category: 'Shoes',
  rating: 4.5,
  reviewCount: 10,
} satisfies Partial<ProductRecord>;

/** Two shoes in sizes (one size sold out), and a third that the feed later drops. */
const RECORDS: ProductRecord[] = [
  ...['42', '43', '44'].map((size): ProductRecord => ({
    ...base,
    id: `A-${size}`,
    title: 'Ridgeback Trail Shoe',
    priceMinor: 10999,
    availability: size === '44' ? 'out_of_stock' : 'in_stock',
    itemGroupId: 'A',
    color: 'Slate',
    size,
    material: 'Mesh',
    attributes: { Width: 'Wide' },
  })),
  {
    ...base,
    id: 'B-42',
    title: 'Summit Pro Trail Shoe',
    priceMinor: 18900,
    salePriceMinor: 15900,
    availability: 'in_stock',
    itemGroupId: 'B',
    color: 'Orange',
    size: '42',
    material: 'mesh',
    reviewCount: 98,
    attributes: { Width: 'Regular' },
  },
  {
    ...base,
    id: 'C',
    title: 'Old Trail Shoe',
    priceMinor: 5000,
    availability: 'in_stock',
    itemGroupId: null,
    color: null,
    size: null,
    material: null,
  },
];

describe('comparing products (real SQLite)', () => {
  let db: SqliteDatabase;
  let details: ProductDetails;

  beforeAll(async () => {
    db = await openSqliteDatabase(':memory:');
    await createProductRepository(db).upsertMany(RECORDS);
    db.sqlite.prepare(`UPDATE products SET gone_at = '2026-01-01T00:00:00.000Z' WHERE id = 'C'`).run();
    details = createProductDetails(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('puts the database’s values side by side and marks only the rows that differ', async () => {
    const comparison = await compareProducts(details, ['A-42', 'B-42']);
    expect(comparison.products.map((p) => p.title)).toEqual(['Ridgeback Trail Shoe', 'Summit Pro Trail Shoe']);
    const byField = new Map(comparison.rows.map((r) => [r.name ?? r.field, r]));
    expect(byField.get('price')).toEqual({
      field: 'price',
      values: [
        { type: 'money', money: { amountMinor: 10999, currency: 'USD' } },
        { type: 'money', money: { amountMinor: 18900, currency: 'USD' } },
      ],
      differs: true,
    });
    expect(byField.get('salePrice')?.values).toEqual([
      { type: 'none' },
      { type: 'money', money: { amountMinor: 15900, currency: 'USD' } },
    ]);
    // Sizes in stock only: 44 of the first shoe is sold out.
    expect(byField.get('sizes')).toMatchObject({
      values: [
        { type: 'list', items: ['42', '43'] },
        { type: 'list', items: ['42'] },
      ],
      differs: true,
    });
    expect(byField.get('rating')?.differs).toBe(false);
    expect(byField.get('reviewCount')?.differs).toBe(true);
    // "Mesh" and "mesh" say the same; the brand is the same too.
    expect(byField.get('material')?.differs).toBe(false);
    expect(byField.get('brand')?.differs).toBe(false);
    expect(byField.get('Width')).toMatchObject({ field: 'attribute', name: 'Width', differs: true });
  });

  it('leaves out rows no product has a value for', () => {
    const comparison = buildComparison([
      { row: { ...sampleRow(), id: 'x', sale_price_minor: null, material: null }, sizesInStock: [], colorsInStock: [] },
      { row: { ...sampleRow(), id: 'y', sale_price_minor: null, material: null }, sizesInStock: [], colorsInStock: [] },
    ]);
    const fields = comparison.rows.map((r) => r.field);
    expect(fields).not.toContain('salePrice');
    expect(fields).not.toContain('material');
    expect(fields).not.toContain('sizes');
    expect(fields).toContain('price');
  });

  it('refuses a product the shop no longer sells, and an unknown one, by name', async () => {
    await expect(compareProducts(details, ['A-42', 'C'])).rejects.toThrow(/"Old Trail Shoe" is no longer available/);
    await expect(compareProducts(details, ['A-42', 'NOPE'])).rejects.toBeInstanceOf(ComparisonRefused);
    await expect(compareProducts(details, ['A-42'])).rejects.toThrow(/2 to 4/);
  });

  function sampleRow() {
    const row = db.sqlite.prepare(`SELECT * FROM products WHERE id = 'A-42'`).get();
    if (row === undefined) throw new Error('no row');
    return row as Parameters<typeof buildComparison>[0][number]['row'];
  }
});

describe('a shopper asking to compare', () => {
  const cards = (...ids: string[]) => ids.map((id) => ({ id }));

  it('takes "the first two" and "the last two" from the previous answer’s cards', () => {
    expect(comparisonRequest('compare the first two', [], cards('a', 'b', 'c'))).toEqual(['a', 'b']);
    expect(comparisonRequest('Can you compare the last two?', [], cards('a', 'b', 'c'))).toEqual(['b', 'c']);
    expect(comparisonRequest('vergleiche die ersten drei', [], cards('a', 'b', 'c', 'd'))).toEqual(['a', 'b', 'c']);
  });

  it('compares this answer’s cards when it shows two or more, else the previous answer’s, at most four', () => {
    expect(comparisonRequest('compare these', cards('x', 'y'), cards('a', 'b'))).toEqual(['x', 'y']);
    expect(comparisonRequest('compare them', cards('x'), cards('a', 'b', 'c', 'd', 'e'))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('asks for nothing without a comparison word or with fewer than two products', () => {
    expect(comparisonRequest('show me the first two', [], cards('a', 'b'))).toBeNull();
    expect(comparisonRequest('compare these', cards('x'), [])).toBeNull();
  });
});
