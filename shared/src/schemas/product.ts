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
 * How a product changed since an answer showed it, on cards of a reopened conversation. `priceWas` is
 * the price shown then (the sale price when there was one) when the price shown now differs; `stock`
 * says it sold out, came back, or left the catalogue (then the card keeps the stored data).
 */
export const cardChangeSchema = z.object({
  priceWas: moneySchema.optional(),
  stock: z.enum(['now-out-of-stock', 'back-in-stock', 'no-longer-available']).optional(),
});
export type CardChange = z.infer<typeof cardChangeSchema>;

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
  /** Set only on cards of a reopened conversation whose product changed since the answer (never live). */
  change: cardChangeSchema.optional(),
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

/** `GET /api/products`: the cards found, best first, and the query searched when a word was misspelt. */
export const productSearchReplySchema = z.object({
  products: z.array(productCardSchema),
  count: z.number().int().nonnegative(),
  /** Present when the search corrected the shopper's spelling: "Showing results for {correctedQuery}". */
  correctedQuery: z.string().optional(),
});
export type ProductSearchReply = z.infer<typeof productSearchReplySchema>;

/**
 * Formatters by locale and currency: building an `Intl.NumberFormat` loads locale data and costs
 * about 100 times what formatting does, and every tool result and grounding check formats prices.
 */
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Formats minor units for display, e.g. {amountMinor: 11999, currency: 'USD'} -> "$119.99". */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const key = `${locale}|${money.currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    moneyFormats.set(key, format);
  }
  return format.format(money.amountMinor / 100);
}
