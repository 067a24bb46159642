import { describe, expect, it } from 'vitest';
import type { EmbeddableProduct } from '../db/vectorRepository';
import { contentHash, fitVector, productEmbeddingText, productsToEmbed } from './embeddingText';

const shoe: EmbeddableProduct = {
  rowid: 1,
  id: 'TRL-1',
  title: 'Ridgeback  Trail Shoe',
  description: 'Waterproof\nmembrane.',
  brand: 'Northpeak',
  category: 'Shoes',
  product_type: 'Shoes > Trail running shoes',
  color: 'Slate',
  size: '44',
  material: null,
  gender: 'female',
  age_group: null,
};

describe('productEmbeddingText', () => {
  it('says what the product is, its attributes, then its description, with whitespace collapsed', () => {
    expect(productEmbeddingText(shoe)).toBe(
      [
        'Ridgeback Trail Shoe',
        'Brand: Northpeak',
        'Category: Shoes / Shoes > Trail running shoes',
        'Colour: Slate',
        'Size: 44',
        'For: female',
        'Waterproof membrane.',
      ].join('\n'),
    );
  });

  it('cuts a long description', () => {
    const text = productEmbeddingText({ ...shoe, description: 'word '.repeat(2000) });
    expect(text.length).toBeLessThan(1400);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('productsToEmbed', () => {
  it('selects new products and those whose text changed, not those embedded from the same text', () => {
    const changed = { ...shoe, id: 'TRL-2', rowid: 2 };
    const fresh = { ...shoe, id: 'TRL-3', rowid: 3 };
    const stored = new Map([
      ['TRL-1', contentHash(productEmbeddingText(shoe))],
      ['TRL-2', contentHash(productEmbeddingText({ ...changed, description: 'older text' }))],
    ]);
    expect(productsToEmbed([shoe, changed, fresh], stored).map((p) => p.id)).toEqual(['TRL-2', 'TRL-3']);
  });

  it('sees a price-only change as no change (price is not embedded)', () => {
    const stored = new Map([['TRL-1', contentHash(productEmbeddingText(shoe))]]);
    expect(productsToEmbed([{ ...shoe }], stored)).toEqual([]);
  });
});

describe('fitVector', () => {
  it('keeps the first dimensions and makes the vector unit length again', () => {
    const v = fitVector([3, 4, 12], 2);
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(fitVector([0, 0], 2))).toEqual([0, 0]);
  });
});
