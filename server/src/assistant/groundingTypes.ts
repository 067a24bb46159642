import type { Money, ShopperConstraints } from '@aisle/shared';

/**
 * The shapes shared by the grounding check's parts: what a claim that the catalogue does not back
 * looks like, the catalogue product the checks compare against, and the shopper's constraints.
 */

/** What kind of claim in the answer is not backed by the catalogue. */
export type MismatchKind = 'invented-product' | 'wrong-price' | 'over-budget' | 'wrong-category' | 'discount-promise';

/** One claim in an answer that the catalogue does not back. Stored in the answer's trace. */
export interface GroundingMismatch {
  kind: MismatchKind;
  /** The product concerned, when the claim is about a known id. */
  productId?: string;
  /** The product's real title (from the database), for the correction. */
  title?: string;
  /** The words of the answer that make the claim (a name, a price, a sentence). */
  text: string;
  /** What the catalogue says, e.g. "$109.99" or "at most $120.00". */
  expected?: string;
  /** What the answer says, e.g. "$99". */
  found?: string;
}

/** A catalogue product as the check needs it; a `ProductCard` fits as is. */
export interface GroundingProduct {
  id: string;
  title: string;
  brand: string | null;
  category: string | null;
  price: Money;
  salePrice: Money | null;
  availability: string;
}

/** What the shopper asked for: the one structure of `@aisle/shared`, as the search and the chips use it. */
export type { ShopperConstraints };

/** Everything the check found about one answer. */
export interface GroundingReport {
  mismatches: GroundingMismatch[];
  /** Products the answer recommends (linked, else named by title), in order; invented ids included. */
  recommendedIds: string[];
  constraints: ShopperConstraints;
}
