import { MAX_COMPARED, MIN_COMPARED, SUGGESTION_FEATURES, type Suggestion, type SuggestionFeature } from '@aisle/shared';
import type { ProductFacts } from '../db/productDetails';

/**
 * Suggestions under an answer, from facets of its results as the database has them now: a price below
 * the results' median, a feature or brand some results have and others not, a size the shopper gave
 * that some are offered in, and "Compare these" for 2+ cards. Each one narrows the results to at least
 * one live product, so clicking it never leads to nothing. Pure: the caller reads the facts.
 */

/** At most this many suggestions under one answer. */
export const MAX_SUGGESTIONS = 4;

/** What the suggestions are built from. */
export interface SuggestionInput {
  /** The answer's result set (its cards and what its searches returned), live products only. */
  results: readonly ProductFacts[];
  /** The ids of the answer's cards, in order. */
  cardIds: readonly string[];
  /** A size the shopper gave in an earlier message ("size 44"), if any. */
  shopperSize?: string;
  /** The budget the shopper already gave, in major units: no price bucket at or above it. */
  shopperMaxPrice?: number;
}

/** The price a shopper pays now, in minor units: the sale price when it is lower. */
export function payableMinor(row: ProductFacts['row']): number {
  return row.sale_price_minor !== null && row.sale_price_minor < row.price_minor ? row.sale_price_minor : row.price_minor;
}

/** A round amount at or below `minor`, in minor units: steps of 5, 10, 50 or 100 in major units. */
function roundDown(minor: number): number {
  const major = minor / 100;
  const step = major < 50 ? 5 : major < 200 ? 10 : major < 1000 ? 50 : 100;
  return Math.floor(major / step) * step * 100;
}

/** "Under X": the largest round amount at or below the median that some results cost at most and some more. */
function priceBucket(results: readonly ProductFacts[], shopperMaxPrice: number | undefined): Suggestion | null {
  const priced = results.filter((r) => r.row.currency === results[0]?.row.currency);
  if (priced.length < 2 || priced.length !== results.length) return null;
  const prices = priced.map((r) => payableMinor(r.row)).sort((a, b) => a - b);
  const median = prices[Math.floor((prices.length - 1) / 2)] ?? 0;
  const max = prices[prices.length - 1] ?? 0;
  for (const cap of [median, max - 1]) {
    const amount = roundDown(cap);
    const below = prices.filter((p) => p <= amount).length;
    const isNew = shopperMaxPrice === undefined || amount < shopperMaxPrice * 100;
    if (amount > 0 && below > 0 && below < prices.length && isNew)
      return { kind: 'price-under', amount: { amountMinor: amount, currency: priced[0]?.row.currency ?? 'USD' } };
  }
  return null;
}

function hasFeature(row: ProductFacts['row'], feature: SuggestionFeature): boolean {
  return new RegExp(`(?<![\\p{L}])${feature}(?![\\p{L}])`, 'iu').test(row.title);
}

/** The first feature (in the fixed list's order) that some results' titles name and others do not. */
function featureFilter(results: readonly ProductFacts[]): Suggestion | null {
  for (const feature of SUGGESTION_FEATURES) {
    const count = results.filter((r) => hasFeature(r.row, feature)).length;
    if (count > 0 && count < results.length) return { kind: 'feature', feature };
  }
  return null;
}

/** The brand of the best result when the results have more than one brand. */
function brandFilter(results: readonly ProductFacts[]): Suggestion | null {
  const brands = new Set(results.map((r) => r.row.brand).filter((b): b is string => b !== null && b.trim() !== ''));
  const top = results.find((r) => r.row.brand !== null && r.row.brand.trim() !== '')?.row.brand;
  if (brands.size < 2 || top === undefined || top === null) return null;
  return { kind: 'brand', brand: top };
}

/** The shopper's size when some results are offered in it in stock (it would otherwise lead to nothing). */
function sizeFilter(results: readonly ProductFacts[], size: string | undefined): Suggestion | null {
  if (size === undefined) return null;
  const wanted = size.trim().toLowerCase();
  const offered = results
    .flatMap((r) => r.sizesInStock)
    .find((s) => s.toLowerCase() === wanted || s.toLowerCase().startsWith(`${wanted} (`));
  return offered === undefined ? null : { kind: 'size', size: offered };
}

/** Whether a suggestion keeps at least one of these products: the rule every suggestion must pass. */
export function keepsSome(suggestion: Suggestion, results: readonly ProductFacts[]): boolean {
  switch (suggestion.kind) {
    case 'price-under':
      return results.some(
        (r) => payableMinor(r.row) <= suggestion.amount.amountMinor && r.row.currency === suggestion.amount.currency,
      );
    case 'feature':
      return results.some((r) => hasFeature(r.row, suggestion.feature));
    case 'brand':
      return results.some((r) => r.row.brand === suggestion.brand);
    case 'size':
      return results.some((r) => r.sizesInStock.includes(suggestion.size));
    case 'compare':
      return suggestion.productIds.every((id) => results.some((r) => r.row.id === id));
  }
}

/** Builds 0 to {@link MAX_SUGGESTIONS} suggestions; "Compare these" last, and always kept when there are 2+ cards. */
export function buildSuggestions(input: SuggestionInput): Suggestion[] {
  const results = input.results.filter((r) => r.row.gone_at === null);
  const live = new Set(results.map((r) => r.row.id));
  const cardIds = [...new Set(input.cardIds)].filter((id) => live.has(id)).slice(0, MAX_COMPARED);
  const compare: Suggestion | null = cardIds.length >= MIN_COMPARED ? { kind: 'compare', productIds: cardIds } : null;
  const narrowing = [
    priceBucket(results, input.shopperMaxPrice),
    featureFilter(results),
    sizeFilter(results, input.shopperSize),
    brandFilter(results),
  ].filter((s): s is Suggestion => s !== null && keepsSome(s, results));
  const room = MAX_SUGGESTIONS - (compare === null ? 0 : 1);
  return [...narrowing.slice(0, room), ...(compare === null ? [] : [compare])];
}
