import { SUGGESTION_FEATURES, type ShopperConstraints } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import {
  constraintsContext,
  constraintsOf,
  nextConstraints,
  searchArguments,
  withModelArguments,
  type ConstraintVocabulary,
} from './shopperConstraints';

const VOCABULARY: ConstraintVocabulary = {
  categories: ['Shoes', 'Outerwear', 'Bags & Backpacks', 'Home & kitchen', 'Camping', 'Kids'],
  brands: ['Nike', 'Northpeak', 'Black Diamond'],
  terms: { 'Home & kitchen': ['grinder', 'kettle'], Camping: ['tent', 'stove'], Outerwear: ['jacket'] },
};

/** The fields a message sets, without the searched words (tested separately). */
function read(text: string): Omit<ShopperConstraints, 'subject'> {
  const { subject: _subject, ...rest } = nextConstraints(undefined, text, VOCABULARY);
  return rest;
}

describe('reading constraints from real phrasings', () => {
  it.each<[string, Partial<ShopperConstraints>]>([
    ['running shoes under 120 bucks', { category: 'Shoes', priceMax: 120 }],
    ['a backpack between $50 and $80', { category: 'Bags & Backpacks', priceMin: 50, priceMax: 80 }],
    ['trail shoes size 44', { category: 'Shoes', size: '44' }],
    ['a rain jacket in black', { category: 'Outerwear', colour: 'Black' }],
    ['a jacket for my 8 year old', { category: 'Kids' }],
    ['a tent under €80', { category: 'Camping', priceMax: 80 }],
    ['headphones for less than 100 dollars', { priceMax: 100 }],
    ['a kettle, max 50', { category: 'Home & kitchen', priceMax: 50 }],
    // "Around" is neither a ceiling nor a floor: ±20 %.
    ['a grinder around $60', { category: 'Home & kitchen', priceMin: 48, priceMax: 72 }],
    ['shoes in EU 42', { category: 'Shoes', size: '42' }],
    // One colour filter cannot hold two; picking one would hide the other, so neither is a filter.
    ['a jacket in red or black', { category: 'Outerwear' }],
    ['waterproof boots', { features: ['waterproof'] }],
    ['Nike running shoes', { category: 'Shoes', brand: 'Nike' }],
    ['tents in stock only', { category: 'Camping', inStockOnly: true }],
    ['a jacket over $100', { category: 'Outerwear', priceMin: 100 }],
    ['a jacket, size medium', { category: 'Outerwear', size: 'M' }],
    ['a stove $30-$60', { category: 'Camping', priceMin: 30, priceMax: 60 }],
    ['a tent under 2 kg', { category: 'Camping' }],
    ['a tent for 4 people', { category: 'Camping' }],
    // Two categories in one message: neither holds both.
    ['an espresso grinder and a tent', {}],
  ])('%s', (text, expected) => {
    expect(read(text)).toEqual({ features: [], ...expected });
  });

  it('keeps the product words to search, without the constraint words', () => {
    expect(nextConstraints(undefined, 'I need waterproof trail shoes under $120 in black, size 44', VOCABULARY).subject).toBe(
      'trail shoes',
    );
  });
});

describe('reading constraints in every shopper language', () => {
  it.each<[string, string, Partial<ShopperConstraints>, string]>([
    ['en', 'hiking shoes under 120 dollars, size 44', { category: 'Shoes', priceMax: 120, size: '44' }, 'hiking shoes'],
    ['de', 'Wanderschuhe unter 120 Dollar, Größe 44', { priceMax: 120, size: '44' }, 'wanderschuhe'],
    ['de', 'Regenjacke für höchstens 89,50 €', { priceMax: 89.5 }, 'regenjacke'],
    ['es', 'zapatillas de menos de 100 dólares', { priceMax: 100 }, 'zapatillas'],
    ['es', 'una mochila, talla M, por menos de 60 euros', { priceMax: 60, size: 'M' }, 'mochila'],
    ['zh-CN', '80美元以下的耳机', { priceMax: 80 }, '的耳机'],
    ['zh-CN', '不超过150元的登山鞋，44码', { priceMax: 150, size: '44' }, '的登山鞋'],
  ])('%s: %s', (_language, text, expected, subject) => {
    const read = nextConstraints(undefined, text, VOCABULARY);
    expect(read).toEqual({ features: [], ...expected, subject });
  });

  it('keeps a German budget across a German follow-up that only adds a size', () => {
    expect(constraintsOf(['Wanderschuhe unter 120 Dollar', 'gibt es diese auch in Größe 44?'], VOCABULARY)).toMatchObject({
      priceMax: 120,
      size: '44',
    });
  });
});

describe('suggestion features are constraint features', () => {
  // A "Waterproof only" suggestion edits the features chip: each must be a word the chips know.
  it.each(SUGGESTION_FEATURES)('%s', (feature) => {
    expect(read(`${feature} things`).features).toContain(feature);
  });
});

describe('carrying constraints across a conversation', () => {
  it('keeps the category and budget for a follow-up and adds what it says', () => {
    expect(constraintsOf(['waterproof trail shoes under $120', 'cheaper ones?'], VOCABULARY)).toEqual({
      category: 'Shoes',
      priceMax: 120,
      features: ['waterproof'],
      subject: 'trail shoes',
    });
    expect(constraintsOf(['waterproof trail shoes under $120', 'do you have those in size 44?'], VOCABULARY)).toMatchObject({
      category: 'Shoes',
      priceMax: 120,
      size: '44',
    });
    // A message of constraints only refines what came before.
    expect(constraintsOf(['a rain jacket under 150', 'in blue, under 100'], VOCABULARY)).toMatchObject({
      category: 'Outerwear',
      colour: 'Blue',
      priceMax: 100,
    });
  });

  it('starts afresh when the subject changes', () => {
    expect(constraintsOf(['waterproof trail shoes under $120, size 44', 'an espresso grinder and a tent'], VOCABULARY)).toEqual({
      features: [],
      subject: 'espresso grinder tent',
    });
    expect(constraintsOf(['Nike shoes under 90', 'now a two person tent'], VOCABULARY)).toEqual({
      category: 'Camping',
      features: [],
      subject: 'two person tent',
    });
  });

  it('drops an old ceiling that a new floor is above', () => {
    expect(constraintsOf(['shoes under 80', 'ones over 100?'], VOCABULARY)).toMatchObject({ priceMin: 100 });
    expect(constraintsOf(['shoes under 80', 'ones over 100?'], VOCABULARY).priceMax).toBeUndefined();
  });
});

describe('the model’s search arguments', () => {
  it('fills fields the shopper left open when every search agrees, and only with catalogue names', () => {
    const base: ShopperConstraints = { features: [], priceMax: 120 };
    expect(withModelArguments(base, [{ query: 'shoes', category: 'shoes', max_price: 80, color: 'BLACK' }], VOCABULARY)).toEqual({
      features: [],
      priceMax: 120,
      category: 'Shoes',
      colour: 'Black',
    });
    expect(withModelArguments(base, [{ category: 'Running gear' }], VOCABULARY).category).toBeUndefined();
    expect(
      withModelArguments(
        base,
        [
          { query: 'grinder', category: 'Home & kitchen' },
          { query: 'tent', category: 'Camping' },
        ],
        VOCABULARY,
      ).category,
    ).toBeUndefined();
  });

  it('turns constraints into search arguments and a context line for the model', () => {
    const c: ShopperConstraints = { category: 'Shoes', priceMax: 90, features: ['waterproof'], subject: 'trail shoes' };
    expect(searchArguments(c)).toEqual({ query: 'trail shoes waterproof', category: 'Shoes', max_price: 90 });
    expect(constraintsContext(c)).toContain('{"category":"Shoes","priceMax":90,"features":["waterproof"]}');
  });
});
