import { z } from 'zod';
import { availabilitySchema } from '@aisle/shared';

/**
 * Parses a product or image link, which must be an absolute http(s) URL without a user name or
 * password; returns the reason when it is not. The WHATWG parser decides the scheme exactly as a
 * browser would, so obfuscations ("java\tscript:", "JaVaScRiPt:", leading control characters)
 * cannot slip past a pattern, and relative or protocol-relative links, which do not parse without a
 * base, are refused. Credentials are refused because "https://shop.example@evil.example" hides where
 * it goes.
 */
export function parseHttpUrl(value: string): URL | { error: string } {
  const url = URL.parse(value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) return { error: 'must be an http(s) URL' };
  if (url.username !== '' || url.password !== '') return { error: 'must be an http(s) URL without a user name or password' };
  return url;
}

const httpUrl = z.string().refine((v) => parseHttpUrl(v) instanceof URL, 'must be an http(s) URL');

/**
 * One catalogue item as stored, normalised from a Google Merchant Center row. Variants of one product
 * are separate records sharing `itemGroupId`, exactly as Merchant feeds model them.
 */
export const productRecordSchema = z.object({
  id: z.string().min(1).max(50),
  title: z.string().min(1).max(150),
  description: z.string().max(5000),
  /** Absolute http(s) URLs only: the client puts them in href and src. */
  link: httpUrl.nullable(),
  imageLink: httpUrl.nullable(),
  priceMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  salePriceMinor: z.number().int().nonnegative().nullable(),
  availability: availabilitySchema,
  brand: z.string().nullable(),
  gtin: z.string().nullable(),
  mpn: z.string().nullable(),
  condition: z.enum(['new', 'refurbished', 'used']).nullable(),
  /** Merchant `product_type`, e.g. "Shoes > Trail running shoes". */
  productType: z.string().nullable(),
  /** Top-level category shown to shoppers and used by the category filter: first segment of productType. */
  category: z.string().nullable(),
  googleProductCategory: z.string().nullable(),
  itemGroupId: z.string().nullable(),
  color: z.string().nullable(),
  size: z.string().nullable(),
  gender: z.string().nullable(),
  ageGroup: z.string().nullable(),
  material: z.string().nullable(),
  /** Aisle extensions to the Merchant format (optional in feeds). */
  rating: z.number().min(0).max(5).nullable(),
  reviewCount: z.number().int().nonnegative(),
  stockQuantity: z.number().int().nonnegative().nullable(),
  /**
   * Words the shop files the product under (Shopify Tags), for search. Read by the importer; the
   * products table has no column for them yet, so they are not stored.
   */
  keywords: z.array(z.string().max(100)).max(50).optional(),
  /**
   * Variant options that are not size, colour or material ("Width": "Wide"). Their values are also
   * in the variant's title; like keywords, not stored yet.
   */
  attributes: z.record(z.string().max(100), z.string().max(200)).optional(),
});
export type ProductRecord = z.infer<typeof productRecordSchema>;
