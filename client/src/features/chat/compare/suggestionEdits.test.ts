import type { ShopperConstraints, Suggestion } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { constraintsAfter, isComparingShownCards } from './suggestionEdits';

const shoes: ShopperConstraints = { category: 'Shoes', size: '44', priceMin: 200, features: ['waterproof'], currency: 'USD' };

describe('suggestions that edit the chips', () => {
  it('"Under $180" sets the highest price and drops a lowest price above it', () => {
    const next = constraintsAfter({ kind: 'price-under', amount: { amountMinor: 18000, currency: 'USD' } }, shoes);
    expect(next).toEqual({ category: 'Shoes', size: '44', priceMax: 180, features: ['waterproof'], currency: 'USD' });
    expect(
      constraintsAfter({ kind: 'price-under', amount: { amountMinor: 18000, currency: 'USD' } }, { ...shoes, priceMin: 100 }),
    ).toMatchObject({ priceMin: 100, priceMax: 180 });
  });

  it('a brand, size or feature sets its chip and keeps the others', () => {
    expect(constraintsAfter({ kind: 'brand', brand: 'Northpeak' }, shoes)).toMatchObject({ brand: 'Northpeak', size: '44' });
    expect(constraintsAfter({ kind: 'size', size: '42' }, shoes)).toMatchObject({ size: '42', category: 'Shoes' });
    expect(constraintsAfter({ kind: 'feature', feature: 'insulated' }, shoes)?.features).toEqual(['waterproof', 'insulated']);
    expect(constraintsAfter({ kind: 'feature', feature: 'waterproof' }, shoes)?.features).toEqual(['waterproof']);
  });

  it('"Compare these" edits nothing, and is offered only while its products are the cards shown', () => {
    const compare: Suggestion = { kind: 'compare', productIds: ['TRL-100-44', 'TRL-200-44'] };
    expect(constraintsAfter(compare, shoes)).toBeNull();
    expect(isComparingShownCards(compare, ['TRL-100-44', 'TRL-200-44'])).toBe(true);
    expect(isComparingShownCards(compare, ['TRL-100-44'])).toBe(false);
  });
});
