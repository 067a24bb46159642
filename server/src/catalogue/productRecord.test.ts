import { describe, expect, it } from 'vitest';
import { productRecordSchema, type ProductRecord } from './productRecord';

const record: ProductRecord = {
  id: 'R1',
  title: 'Mug',
  description: '',
  link: 'https://shop.example/mug',
  imageLink: 'https://cdn.example/mug.png',
  priceMinor: 900,
  currency: 'USD',
  salePriceMinor: null,
  availability: 'in_stock',
  brand: null,
  gtin: null,
  mpn: null,
  condition: 'new',
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
  stockQuantity: null,
};

describe('productRecordSchema', () => {
  it('accepts http(s) links and none', () => {
    expect(productRecordSchema.safeParse(record).success).toBe(true);
    expect(productRecordSchema.safeParse({ ...record, link: null, imageLink: null }).success).toBe(true);
  });

  it('refuses a record whose link or image is not an http(s) URL, whoever built it', () => {
    expect(productRecordSchema.safeParse({ ...record, link: 'javascript:alert(1)' }).success).toBe(false);
    expect(productRecordSchema.safeParse({ ...record, imageLink: 'data:image/png;base64,AAAA' }).success).toBe(false);
    expect(productRecordSchema.safeParse({ ...record, link: 'https://shop.example@evil.example/' }).success).toBe(false);
  });
});
