import type { GroundingMismatch } from './groundingTypes';

/** The sentences shown to the shopper under an answer, one per kind of grounding mismatch. */

/** One sentence for the shopper, shown under the answer, that corrects a mismatch. */
export function correctionFor(m: GroundingMismatch): string {
  const name = m.title ?? m.found ?? m.text;
  switch (m.kind) {
    case 'wrong-price':
      return `Correction: the price of ${name} is ${m.expected ?? 'shown on its card'}, not ${m.found ?? 'the price mentioned above'}.`;
    case 'invented-product':
      return m.title && m.expected === m.title
        ? `Correction: the link “${m.found ?? ''}” leads to ${m.title}, a different product than its name says.`
        : `Correction: “${m.found ?? m.text}” is not a product in our catalogue.`;
    case 'over-budget':
      return `Note: ${name} costs ${m.found ?? ''}, which is over your budget (${m.expected ?? ''}).`;
    case 'wrong-category':
      return `Note: ${name} is in ${m.found ?? 'another category'}, not ${m.expected ?? 'the category you asked for'}.`;
    case 'discount-promise':
      return 'Correction: the assistant cannot offer discounts, coupons or price changes. Prices are as shown on the product cards.';
  }
}

/** Corrections for every mismatch, each sentence once. */
export function corrections(mismatches: readonly GroundingMismatch[]): string[] {
  return [...new Set(mismatches.map(correctionFor))];
}
