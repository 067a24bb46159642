import { z } from 'zod';

/** Availability values of the Google Merchant Center product data specification. */
export const availabilitySchema = z.enum(['in_stock', 'out_of_stock', 'preorder', 'backorder']);
export type Availability = z.infer<typeof availabilitySchema>;

/** A money amount in minor units (cents) with its ISO 4217 currency, so no float ever rounds a price. */
export const moneySchema = z.object({
  amountMinor: z.number().int().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
export type Money = z.infer<typeof moneySchema>;

/**
 * What the shopper's UI shows for a product. Built by the server from the database, never from
 * model text.
 */
export const productCardSchema = z.object({
  id: z.string(),
  title: z.string(),
  brand: z.string().nullable(),
  category: z.string().nullable(),
  price: moneySchema,
  salePrice: moneySchema.nullable(),
  availability: availabilitySchema,
  rating: z.number().min(0).max(5).nullable(),
  reviewCount: z.number().int().nonnegative(),
  imageUrl: z.string().nullable(),
  link: z.string().nullable(),
  /** Sizes and colours offered across the product's variant group (in stock or not). */
  sizes: z.array(z.string()),
  colors: z.array(z.string()),
  /** Set on an old conversation's card when the shop's feed no longer lists the product. */
  isGone: z.literal(true).optional(),
});
export type ProductCard = z.infer<typeof productCardSchema>;

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** Filters understood by catalogue search, over HTTP and in the model's search tool alike. */
export const productSearchSchema = z.object({
  q: z.string().trim().max(200).optional(),
  category: z.string().trim().max(100).optional(),
  brand: z.string().trim().max(100).optional(),
  // An empty field ("maxPrice=") means no filter, not 0.
  minPrice: z.preprocess(emptyToUndefined, z.coerce.number().nonnegative().optional()),
  maxPrice: z.preprocess(emptyToUndefined, z.coerce.number().nonnegative().optional()),
  inStock: z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .transform((v) => v === true || v === 'true' || v === '1')
    .optional(),
  size: z.string().trim().max(40).optional(),
  color: z.string().trim().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(50).optional(),
});
export type ProductSearch = z.infer<typeof productSearchSchema>;

/** Formats minor units for display, e.g. {amountMinor: 11999, currency: 'USD'} -> "$119.99". */
export function formatMoney(money: Money, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }).format(money.amountMinor / 100);
}
