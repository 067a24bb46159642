import { z } from 'zod';
import { moneySchema } from './product';

/** At most this many products side by side: a fifth column no longer fits a phone or a reader's memory. */
export const MAX_COMPARED = 4;
export const MIN_COMPARED = 2;

/**
 * Features a suggestion may narrow to when some results' titles name them and others do not. A fixed
 * list, so the client can say each one in the shopper's language; the catalogue decides which appear.
 */
export const SUGGESTION_FEATURES = [
  'waterproof',
  'insulated',
  'breathable',
  'lightweight',
  'packable',
  'wireless',
  'vegan',
  'recycled',
] as const;
export const suggestionFeatureSchema = z.enum(SUGGESTION_FEATURES);
export type SuggestionFeature = z.infer<typeof suggestionFeatureSchema>;

/**
 * A next step offered under an answer, built by the server from facets of that answer's results and
 * checked against the catalogue (it never leads to nothing). Structured, not worded: the client says it
 * in the shopper's language and sends that as their message (`compare` opens the comparison instead).
 * `kind` stays stable so a later version can make some of them edit a constraint chip directly.
 */
export const suggestionSchema = z.discriminatedUnion('kind', [
  /** "Under $100": a price bucket below the results' median or maximum. */
  z.object({ kind: z.literal('price-under'), amount: moneySchema }),
  /** "Waterproof only": a feature some results name in their title and others do not. */
  z.object({ kind: z.literal('feature'), feature: suggestionFeatureSchema }),
  /** "Only Northpeak": a brand some results have and others not. */
  z.object({ kind: z.literal('brand'), brand: z.string().min(1).max(100) }),
  /** "In size 44": a size the shopper gave earlier that the results' products are offered in. */
  z.object({ kind: z.literal('size'), size: z.string().min(1).max(40) }),
  /** "Compare these": the answer's cards (2-4), opened in the comparison table directly. */
  z.object({ kind: z.literal('compare'), productIds: z.array(z.string().min(1).max(200)).min(MIN_COMPARED).max(MAX_COMPARED) }),
]);
export type Suggestion = z.infer<typeof suggestionSchema>;

/** One product's value in one row of a comparison; `none` when the feed gives nothing. */
export const comparisonValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('money'), money: moneySchema }),
  z.object({ type: z.literal('rating'), rating: z.number().min(0).max(5) }),
  z.object({ type: z.literal('count'), count: z.number().int().nonnegative() }),
  z.object({ type: z.literal('availability'), availability: z.enum(['in_stock', 'out_of_stock', 'preorder', 'backorder']) }),
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('list'), items: z.array(z.string()) }),
  z.object({ type: z.literal('none') }),
]);
export type ComparisonValue = z.infer<typeof comparisonValueSchema>;

/** The attributes every comparison has a row for, in this order; the feed's other attributes follow. */
export const COMPARISON_FIELDS = [
  'price',
  'salePrice',
  'availability',
  'rating',
  'reviewCount',
  'sizes',
  'colors',
  'brand',
  'material',
  'category',
] as const;
export const comparisonFieldSchema = z.enum(COMPARISON_FIELDS);
export type ComparisonField = z.infer<typeof comparisonFieldSchema>;

/** One attribute across the compared products: a known field, or a feed attribute by its own name. */
export const comparisonRowSchema = z.object({
  field: z.union([comparisonFieldSchema, z.literal('attribute')]),
  /** The feed's name for an `attribute` row ("Width"); absent for known fields (the client words those). */
  name: z.string().optional(),
  /** One value per compared product, in the products' order. */
  values: z.array(comparisonValueSchema),
  /** Whether the products differ here (the table marks the row, in words as well as style). */
  differs: z.boolean(),
});
export type ComparisonRow = z.infer<typeof comparisonRowSchema>;

/** The products side by side, every value read from the database when the comparison was built. */
export const comparisonSchema = z.object({
  products: z
    .array(z.object({ id: z.string(), title: z.string(), brand: z.string().nullable() }))
    .min(MIN_COMPARED)
    .max(MAX_COMPARED),
  rows: z.array(comparisonRowSchema),
});
export type Comparison = z.infer<typeof comparisonSchema>;

/** `GET /api/products/compare?ids=a,b`: 2-4 distinct product ids, comma-separated. */
export const compareQuerySchema = z.object({
  ids: z
    .string({ error: 'ids is required: 2 to 4 product ids separated by commas' })
    .max(2000)
    .transform((s) =>
      s
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0),
    )
    .pipe(
      z
        .array(z.string().max(200))
        .min(MIN_COMPARED, `choose at least ${MIN_COMPARED} products to compare`)
        .max(MAX_COMPARED, `at most ${MAX_COMPARED} products can be compared at once`)
        .refine((ids) => new Set(ids).size === ids.length, 'each product can be compared only once'),
    ),
});
export type CompareQuery = z.infer<typeof compareQuerySchema>;
