import type { ShopperConstraints, Suggestion } from '@aisle/shared';

/**
 * What a suggestion does to the answer's constraint chips. "Under $100", "Only Northpeak", "In size
 * 44" and "Waterproof only" are each a chip: clicking one edits the chips directly (the cards are
 * searched again at once, without the model), as the shopper would by hand. "Compare these" opens
 * the comparison; it edits nothing.
 */
export function constraintsAfter(suggestion: Suggestion, current: ShopperConstraints): ShopperConstraints | null {
  const next: ShopperConstraints = { ...current, features: [...current.features] };
  switch (suggestion.kind) {
    case 'price-under': {
      next.priceMax = suggestion.amount.amountMinor / 100;
      // A floor above the new ceiling would match nothing: the shopper asked for cheaper.
      if (next.priceMin !== undefined && next.priceMin > next.priceMax) delete next.priceMin;
      return next;
    }
    case 'brand':
      return { ...next, brand: suggestion.brand };
    case 'size':
      return { ...next, size: suggestion.size };
    case 'feature':
      return next.features.includes(suggestion.feature) || next.features.length >= 10
        ? next
        : { ...next, features: [...next.features, suggestion.feature] };
    case 'compare':
      return null;
  }
}

/** Whether "Compare these" still compares the answer's cards (an edited chip may have replaced them). */
export function isComparingShownCards(suggestion: Suggestion, cardIds: readonly string[]): boolean {
  return suggestion.kind !== 'compare' || suggestion.productIds.every((id) => cardIds.includes(id));
}
