import type { ShopperConstraints } from './groundingTypes';
import { words } from './productMentions';
import { extractPrefetchFilters } from './tools';

/**
 * What the shopper asked for, read from their own messages: a budget and the catalogue categories
 * they named. The grounding check holds recommendations to these. Pure.
 */

/** Category words that usually qualify another noun ("hiking boots", "camping stove"): not a category request alone. */
const MODIFIER_WORDS = new Set([
  'outdoor',
  'outdoors',
  'hiking',
  'camping',
  'cycling',
  'fitness',
  'home',
  'kitchen',
  'yoga',
  'bag',
]);
const UNIT_AFTER =
  /^\s*(?:kg|g|grams?|lbs?|pounds?|l|litres?|liters?|ml|mm|cm|m|km|miles?|hours?|hrs?|h|minutes?|mins?|years?|yrs?|degrees?|°)\b/i;

function singular(w: string): string {
  if (w.endsWith('ches') || w.endsWith('shes')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/**
 * Catalogue categories the shopper names, e.g. "running shoes" → Shoes, "a backpack" → Bags &
 * Backpacks. Words that usually qualify another noun ("hiking", "camping") do not count on their
 * own, so "hiking boots" does not become a request for the Hiking category. `terms` adds words per
 * category (e.g. from product types: "Outerwear" ← jacket, shell, fleece).
 */
export function matchCategories(
  text: string,
  categories: readonly string[],
  terms: Readonly<Record<string, readonly string[]>> = {},
): string[] {
  const said = new Set(words(text).map(singular));
  return categories.filter((category) => {
    const own = words(category)
      .map(singular)
      .filter((w) => w.length >= 3 && !MODIFIER_WORDS.has(w));
    const extra = (terms[category] ?? []).map((t) => singular(t.toLowerCase()));
    const whole = singular(category.toLowerCase());
    if (said.has(whole) && !MODIFIER_WORDS.has(whole)) return true;
    return [...own, ...extra].some((w) => said.has(w));
  });
}

/**
 * The shopper's budget and categories from their messages (oldest first; a later budget or category
 * replaces an earlier one). The budget is read the same way as the server's own pre-search.
 */
export function extractShopperConstraints(
  messages: string | readonly string[],
  categories: readonly string[],
  terms?: Readonly<Record<string, readonly string[]>>,
): ShopperConstraints {
  const out: ShopperConstraints = {};
  for (const text of typeof messages === 'string' ? [messages] : messages) {
    const { maxPrice } = extractPrefetchFilters(text);
    // "under 2 kg" is a weight, not a budget.
    const isUnit =
      maxPrice !== undefined &&
      [...text.matchAll(/\d+(?:[.,]\d{1,2})?/g)].some(
        (m) => Number(m[0].replace(',', '.')) === maxPrice && UNIT_AFTER.test(text.slice(m.index + m[0].length)),
      );
    if (maxPrice !== undefined && !isUnit) out.maxPrice = maxPrice;
    const named = matchCategories(text, categories, terms);
    if (named.length > 0) out.categories = named;
  }
  return out;
}
