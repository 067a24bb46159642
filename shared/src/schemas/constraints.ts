import { z } from 'zod';

/**
 * What Aisle understood the shopper to want: one structure, read from the shopper's words and the
 * model's tool arguments, carried across follow-ups, shown as chips the shopper edits, used by the
 * catalogue search and held against the answer by the grounding check. Prices are major units of the
 * shop's currency (120 means $120.00 in a USD shop).
 */
export const shopperConstraintsSchema = z
  .object({
    category: z.string().trim().min(1).max(100).optional(),
    priceMin: z.number().nonnegative().max(10_000_000).optional(),
    priceMax: z.number().nonnegative().max(10_000_000).optional(),
    size: z.string().trim().min(1).max(40).optional(),
    colour: z.string().trim().min(1).max(40).optional(),
    brand: z.string().trim().min(1).max(100).optional(),
    inStockOnly: z.boolean().optional(),
    /** Words a product must have, e.g. "waterproof". */
    features: z.array(z.string().trim().min(1).max(40)).max(10).default([]),
    /** The shop's currency of `priceMin`/`priceMax`, set by the server from the catalogue (for showing them). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** The product words searched ("espresso grinder"); not a chip, carried with the rest. */
    subject: z.string().trim().max(200).optional(),
  })
  .strict()
  .refine((c) => c.priceMin === undefined || c.priceMax === undefined || c.priceMin <= c.priceMax, {
    message: 'the lowest price must not be above the highest',
    path: ['priceMin'],
  });
export type ShopperConstraints = z.infer<typeof shopperConstraintsSchema>;

/** The constraint chips a shopper can remove, one per field (a feature chip names its word). */
export const constraintFieldSchema = z.enum(['category', 'price', 'size', 'colour', 'brand', 'inStockOnly', 'features']);
export type ConstraintField = z.infer<typeof constraintFieldSchema>;

/** True when no constraint is set. */
export function hasNoConstraints(c: ShopperConstraints): boolean {
  return (
    c.category === undefined &&
    c.priceMin === undefined &&
    c.priceMax === undefined &&
    c.size === undefined &&
    c.colour === undefined &&
    c.brand === undefined &&
    c.inStockOnly !== true &&
    c.features.length === 0
  );
}
