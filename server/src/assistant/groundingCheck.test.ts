import { describe, expect, it } from 'vitest';
import {
  checkGrounding,
  correctionFor,
  corrections,
  constraintsOf,
  findMismatches,
  findPrices,
  matchCategories,
  type GroundingProduct,
} from './groundingCheck';
import type { ToolTrace } from './tools';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

const SHRIKE: GroundingProduct = {
  id: 'TRL-1001-44',
  title: 'Cairnwell Shrike Waterproof Trail Shoe',
  brand: 'Cairnwell',
  category: 'Shoes',
  price: usd(8999),
  salePrice: null,
  availability: 'in_stock',
};
const SUMMIT: GroundingProduct = {
  id: 'TRL-1006-44',
  title: 'Vantor Summit GTX Trail Shoe',
  brand: 'Vantor',
  category: 'Shoes',
  price: usd(13999),
  salePrice: usd(10999),
  availability: 'in_stock',
};
const CHAI: GroundingProduct = {
  id: 'TRL-1010-44',
  title: 'Vantor Chai Max Men’s Waterproof Trail Running Shoe',
  brand: 'Vantor',
  category: 'Shoes',
  price: usd(17299),
  salePrice: null,
  availability: 'in_stock',
};
const SHELL: GroundingProduct = {
  id: 'WPJ-1003-M',
  title: 'Northkin Chai Women’s Waterproof Shell',
  brand: 'Northkin',
  category: 'Outerwear',
  price: usd(21499),
  salePrice: null,
  availability: 'in_stock',
};
const CATALOGUE = [SHRIKE, SUMMIT, CHAI, SHELL];
const CATEGORIES = [
  'Shoes',
  'Outerwear',
  'Bags & Backpacks',
  'Hiking & Outdoor',
  'Watches & Fitness Trackers',
  'Kids',
  'Camping',
];

function trace(products: GroundingProduct[]): ToolTrace {
  return {
    id: 'call_1',
    name: 'search_products',
    arguments: { query: 'trail shoes' },
    products: products.map((p) => ({
      id: p.id,
      title: p.title,
      priceMinor: p.price.amountMinor,
      salePriceMinor: p.salePrice?.amountMinor ?? null,
      currency: p.price.currency,
      availability: p.availability,
      stock: 5,
    })),
    error: null,
    durationMs: 3,
    origin: 'prefetch',
  };
}

function check(
  answer: string,
  options: { returned?: GroundingProduct[]; maxPrice?: number; category?: string; earlier?: string[] } = {},
) {
  return findMismatches({
    answer,
    traces: [trace(options.returned ?? CATALOGUE)],
    catalogue: new Map(CATALOGUE.map((p) => [p.id, p])),
    constraints: {
      features: [],
      ...(options.maxPrice !== undefined ? { priceMax: options.maxPrice } : {}),
      ...(options.category ? { category: options.category } : {}),
    },
    ...(options.earlier ? { earlierProductIds: options.earlier } : {}),
  });
}

describe('findPrices', () => {
  it('reads prices in the ways shops and models write them', () => {
    const found = findPrices('A $119.99, B 119.99 USD, C USD 119.99, D €89, E 89,00 €, F £1,299.50, G US$5, H 1.299,00 EUR');
    expect(found.map((p) => [p.amountMinor, p.currency])).toEqual([
      [11999, '$'],
      [11999, 'USD'],
      [11999, 'USD'],
      [8900, 'EUR'],
      [8900, 'EUR'],
      [129950, 'GBP'],
      [500, 'USD'],
      [129900, 'EUR'],
    ]);
  });

  it('ignores numbers that are not prices', () => {
    expect(findPrices('Size 44, rated 4.6 by 212 shoppers, 3 colours, 28 L')).toEqual([]);
  });
});

describe('findMismatches', () => {
  it('passes an answer whose links and prices all match the catalogue', () => {
    const answer = `Here are two options:\n\n- [Cairnwell Shrike Waterproof Trail Shoe](product:TRL-1001-44) — $89.99, rated 3.7.\n- [Vantor Summit GTX Trail Shoe](product:TRL-1006-44) — on sale for $109.99 (was $139.99, you save $30.00).`;
    const report = check(answer);
    expect(report.mismatches).toEqual([]);
    expect(report.recommendedIds).toEqual(['TRL-1001-44', 'TRL-1006-44']);
  });

  it('flags a misquoted price with the real one', () => {
    const report = check('- [Cairnwell Shrike](product:TRL-1001-44) — only $79.99!');
    expect(report.mismatches).toEqual([
      expect.objectContaining({
        kind: 'wrong-price',
        productId: 'TRL-1001-44',
        title: SHRIKE.title,
        expected: '$89.99',
        found: '$79.99',
      }),
    ]);
  });

  it('checks a price written on the line under the product', () => {
    const answer = '1. **[Vantor Summit GTX Trail Shoe](product:TRL-1006-44)**\n   - Price: 99 USD\n   - Waterproof';
    expect(check(answer).mismatches).toEqual([
      expect.objectContaining({ kind: 'wrong-price', productId: 'TRL-1006-44', expected: '$109.99', found: '99 USD' }),
    ]);
  });

  it('does not take the shopper’s budget for a product price', () => {
    const answer = '[Cairnwell Shrike](product:TRL-1001-44) costs $89.99, well under your $120 budget, and below $100.';
    expect(check(answer, { maxPrice: 120 }).mismatches).toEqual([]);
  });

  it('flags a price in another currency', () => {
    expect(check('[Cairnwell Shrike](product:TRL-1001-44): 89,99 €').mismatches.map((m) => m.kind)).toEqual(['wrong-price']);
  });

  it('matches prices to products named by title without a link', () => {
    const answer =
      'The Vantor Chai Max Men’s Waterproof Trail Running Shoe is $172.99 and the Cairnwell Shrike Waterproof Trail Shoe is $59.99.';
    const report = check(answer);
    expect(report.mismatches).toEqual([
      expect.objectContaining({ kind: 'wrong-price', productId: 'TRL-1001-44', found: '$59.99', expected: '$89.99' }),
    ]);
    expect(report.recommendedIds).toEqual(['TRL-1010-44', 'TRL-1001-44']);
  });

  it('flags a linked id that does not exist', () => {
    const report = check('Try the [Nimbus Cloud Runner](product:TRL-9999) — $99.');
    expect(report.mismatches).toEqual([
      expect.objectContaining({ kind: 'invented-product', productId: 'TRL-9999', found: 'Nimbus Cloud Runner' }),
    ]);
  });

  it('flags a real id that no search returned this turn, unless it was shown earlier', () => {
    const answer = 'You could also look at the [Northkin Chai Women’s Waterproof Shell](product:WPJ-1003-M).';
    expect(check(answer, { returned: [SHRIKE] }).mismatches.map((m) => m.kind)).toEqual(['invented-product']);
    expect(check(answer, { returned: [SHRIKE], earlier: ['WPJ-1003-M'] }).mismatches).toEqual([]);
  });

  it('flags a link whose name is another product', () => {
    const report = check('The [Hoka Speedgoat 5](product:TRL-1001-44) is great.');
    expect(report.mismatches).toEqual([
      expect.objectContaining({
        kind: 'invented-product',
        productId: 'TRL-1001-44',
        expected: SHRIKE.title,
        found: 'Hoka Speedgoat 5',
      }),
    ]);
    expect(check('The [Shrike](product:TRL-1001-44) is great, see [details](product:TRL-1001-44).').mismatches).toEqual([]);
  });

  it('flags a product name with a price that the catalogue does not know', () => {
    const answer = 'Options:\n\n- **Salomon Speedcross 6** — $129.99\n- **Shrike Waterproof Trail Shoe** — $89.99';
    const report = check(answer);
    expect(report.mismatches).toEqual([expect.objectContaining({ kind: 'invented-product', found: 'Salomon Speedcross 6' })]);
  });

  it('does not take labels or headings without prices for product names', () => {
    const answer = '**Why these fit:** they are waterproof.\n\n### Summary\n\n- **Price:** see the cards.';
    expect(check(answer).mismatches).toEqual([]);
  });

  it('flags recommendations over the shopper’s budget, using the sale price when there is one', () => {
    const answer =
      '- [Vantor Summit GTX Trail Shoe](product:TRL-1006-44) — $109.99\n- [Vantor Chai Max](product:TRL-1010-44) — $172.99';
    expect(check(answer, { maxPrice: 120 }).mismatches).toEqual([
      expect.objectContaining({ kind: 'over-budget', productId: 'TRL-1010-44', expected: 'at most $120.00', found: '$172.99' }),
    ]);
  });

  it('flags a recommendation outside the category the shopper asked for', () => {
    const answer = 'Try the [Northkin Chai Women’s Waterproof Shell](product:WPJ-1003-M) or the [Shrike](product:TRL-1001-44).';
    expect(check(answer, { category: 'Shoes' }).mismatches).toEqual([
      expect.objectContaining({ kind: 'wrong-category', productId: 'WPJ-1003-M', expected: 'Shoes', found: 'Outerwear' }),
    ]);
  });

  it.each([
    'Sure! I can sell it to you for $1.',
    'Deal: I will give you 50% off the Shrike.',
    'Use the coupon code TRAIL20 at checkout.',
    'Good news, everything is free today!',
    'No problem, I can offer you a discount on this one.',
    'We offer free shipping on all orders.',
  ])('flags a promise the catalogue does not back: %s', (answer) => {
    expect(check(answer).mismatches.map((m) => m.kind)).toEqual(['discount-promise']);
  });

  it.each([
    "I'm sorry, I can't change prices or give discounts. The Shrike is $89.99.",
    'There are no coupon codes, and prices are fixed.',
    'The [Vantor Summit GTX Trail Shoe](product:TRL-1006-44) is 21% off right now: $109.99 instead of $139.99.',
    'I can offer a few options under $120.',
    'The membrane is free of PFAS and the bottle is BPA-free.',
  ])('does not flag refusals, real sales or ordinary words: %s', (answer) => {
    expect(check(answer, { maxPrice: 200 }).mismatches).toEqual([]);
  });
});

describe('constraints from the shopper’s words', () => {
  it('holds a grinder and a tent to neither of the shoes asked about before', () => {
    const GRINDER: GroundingProduct = {
      id: 'GRD-1',
      title: 'Quietburr Conical Coffee Grinder',
      brand: 'Kettleworks',
      category: 'Kitchen',
      price: usd(12900),
      salePrice: null,
      availability: 'in_stock',
    };
    const constraints = constraintsOf(['waterproof trail shoes under $200', 'an espresso grinder and a tent'], {
      categories: [...CATEGORIES, 'Kitchen'],
      terms: { Kitchen: ['grinder'], Camping: ['tent'] },
    });
    expect(constraints.category).toBeUndefined();
    const report = findMismatches({
      answer: 'For coffee, the [Quietburr Conical Coffee Grinder](product:GRD-1) at $129.00.',
      traces: [trace([GRINDER])],
      catalogue: new Map([[GRINDER.id, GRINDER]]),
      constraints,
    });
    expect(report.mismatches).toEqual([]);
    // Before, the category of the first question stuck: the same answer was "in Kitchen, not Shoes".
    const stale = findMismatches({
      answer: 'For coffee, the [Quietburr Conical Coffee Grinder](product:GRD-1) at $129.00.',
      traces: [trace([GRINDER])],
      catalogue: new Map([[GRINDER.id, GRINDER]]),
      constraints: { category: 'Shoes', features: [] },
    });
    expect(stale.mismatches.map((m) => m.kind)).toEqual(['wrong-category']);
  });

  it('does not treat a qualifying word as a category request', () => {
    expect(matchCategories('hiking boots for camping trips', CATEGORIES)).toEqual([]);
    expect(matchCategories('a GPS watch or a fitness tracker', CATEGORIES)).toEqual(['Watches & Fitness Trackers']);
    expect(matchCategories('shoes for my kids', CATEGORIES)).toEqual(['Shoes', 'Kids']);
    expect(matchCategories('a light jacket', CATEGORIES, { Outerwear: ['jacket', 'shell'] })).toEqual(['Outerwear']);
  });
});

describe('checkGrounding', () => {
  it('looks up every id the answer and the traces mention, once', async () => {
    const asked: string[][] = [];
    const report = await checkGrounding({
      answer: '[Shrike](product:TRL-1001-44) — $89.99 and [Ghost](product:GHOST-1) — $10',
      traces: [trace([SHRIKE, SUMMIT])],
      lookup: async (ids) => {
        asked.push(ids);
        return CATALOGUE.filter((p) => ids.includes(p.id));
      },
      constraints: { features: [] },
    });
    expect(asked).toEqual([['TRL-1001-44', 'GHOST-1', 'TRL-1006-44']]);
    expect(report.mismatches.map((m) => [m.kind, m.productId])).toEqual([['invented-product', 'GHOST-1']]);
  });
});

describe('corrections for the shopper', () => {
  it('states the real fact in one sentence', () => {
    expect(
      correctionFor({
        kind: 'wrong-price',
        productId: 'X',
        title: 'Cairnwell Shrike',
        text: '',
        expected: '$109.99',
        found: '$99',
      }),
    ).toBe('Correction: the price of Cairnwell Shrike is $109.99, not $99.');
    expect(correctionFor({ kind: 'invented-product', text: 'Salomon X', found: 'Salomon X' })).toBe(
      'Correction: “Salomon X” is not a product in our catalogue.',
    );
    expect(
      correctionFor({
        kind: 'over-budget',
        productId: 'X',
        title: 'Vantor Chai Max',
        text: '',
        expected: 'at most $120.00',
        found: '$172.99',
      }),
    ).toBe('Note: Vantor Chai Max costs $172.99, which is over your budget (at most $120.00).');
  });

  it('says each correction once', () => {
    const promise = { kind: 'discount-promise' as const, text: 'x' };
    expect(corrections([promise, { ...promise, text: 'y' }])).toHaveLength(1);
  });
});
