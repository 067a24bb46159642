import { describe, expect, it } from 'vitest';
import { categoryOf, parseMerchantRow } from './merchantFeed';

describe('categoryOf', () => {
  it('takes the first product_type segment, else a named google_product_category', () => {
    expect(categoryOf('Shoes > Trail running shoes', 'Apparel & Accessories > Shoes')).toBe('Shoes');
    expect(categoryOf(null, 'Apparel & Accessories > Shoes')).toBe('Apparel & Accessories');
    expect(categoryOf(null, '187')).toBeNull();
    expect(categoryOf(null, null)).toBeNull();
  });
});

describe('parseMerchantRow', () => {
  const valid = {
    id: 'TRL-1042-44-BLK',
    title: 'Vantor Scree 3 Waterproof Trail Shoe',
    description: 'Grippy.',
    price: '119.99 USD',
    sale_price: '99.99 USD',
    availability: 'in stock',
    brand: 'Vantor',
    condition: 'new',
    product_type: 'Shoes > Trail running shoes',
    item_group_id: 'TRL-1042',
    color: 'Black',
    size: '44',
    rating: '4.6',
    review_count: '128',
    quantity: '7',
  };

  it('reads bare amounts in the currency the importer was told to assume, and only then', () => {
    const bare = { ...valid, price: 9.99, sale_price: '7.5' };
    expect(parseMerchantRow(bare).ok).toBe(false);
    const result = parseMerchantRow(bare, { defaultCurrency: 'EUR' });
    expect(result.ok && result.record).toMatchObject({ priceMinor: 999, salePriceMinor: 750, currency: 'EUR' });
    // A price that names its currency keeps it.
    const named = parseMerchantRow({ ...valid, sale_price: '' }, { defaultCurrency: 'EUR' });
    expect(named.ok && named.record.currency).toBe('USD');
  });

  it('maps a valid row to the stored record', () => {
    const result = parseMerchantRow(valid);
    expect(result).toEqual({
      ok: true,
      record: expect.objectContaining({
        id: 'TRL-1042-44-BLK',
        priceMinor: 11999,
        salePriceMinor: 9999,
        currency: 'USD',
        availability: 'in_stock',
        category: 'Shoes',
        itemGroupId: 'TRL-1042',
        size: '44',
        rating: 4.6,
        reviewCount: 128,
        stockQuantity: 7,
        link: null,
      }),
      warnings: [],
    });
  });

  it('reads headers in any case and with the g: prefix', () => {
    const result = parseMerchantRow({
      'G:ID': 'a1',
      'g:Title': 'Mug',
      PRICE: '9.00 USD',
      'g:availability': 'in_stock',
      'Item Group ID': 'grp',
    });
    expect(result.ok && result.record).toMatchObject({ id: 'a1', title: 'Mug', priceMinor: 900, itemGroupId: 'grp' });
  });

  it('reports every problem in a row', () => {
    const result = parseMerchantRow({ title: 'Mug', price: 'abc', availability: 'maybe', rating: '7' });
    expect(result).toEqual({
      ok: false,
      reasons: [
        'missing id',
        'price "abc" is not a price like "15.00 USD"',
        'availability "maybe" is not one of in_stock, out_of_stock, preorder, backorder',
        'rating "7" is not a number from 0 to 5',
      ],
    });
  });

  it('rejects a sale price above the price or in another currency', () => {
    expect(parseMerchantRow({ ...valid, sale_price: '130.00 USD' })).toEqual({
      ok: false,
      reasons: ['sale_price is higher than price'],
    });
    expect(parseMerchantRow({ ...valid, sale_price: '90.00 EUR' })).toEqual({
      ok: false,
      reasons: ['sale_price is in EUR but price is in USD'],
    });
  });

  it('infers availability from quantity when a feed only has stock counts', () => {
    const { availability: _a, ...noAvailability } = valid;
    const inStock = parseMerchantRow({ ...noAvailability, quantity: '3' });
    const soldOut = parseMerchantRow({ ...noAvailability, quantity: '0' });
    expect(inStock.ok && inStock.record.availability).toBe('in_stock');
    expect(soldOut.ok && soldOut.record.availability).toBe('out_of_stock');
  });

  it('reads a row that says nothing about stock as out of stock, with a warning, rather than refusing it', () => {
    const { availability: _a, ...noAvailability } = valid;
    const result = parseMerchantRow({ ...noAvailability, quantity: '' });
    expect(result.ok && result.record.availability).toBe('out_of_stock');
    expect(result.ok && result.warnings.map((w) => w.message)).toEqual([
      'no availability given: read as out of stock (Aisle never promises stock a feed does not state)',
    ]);
  });

  it('reads "Low Stock" as in stock and a decimal-comma price, with a warning for each', () => {
    const result = parseMerchantRow({ ...valid, availability: 'Low Stock', price: '1.299,00 EUR', sale_price: '1.099,5 EUR' });
    expect(result.ok && result.record).toMatchObject({
      availability: 'in_stock',
      priceMinor: 129900,
      salePriceMinor: 109950,
      currency: 'EUR',
    });
    expect(result.ok && result.warnings.map((w) => w.message)).toEqual([
      'availability "Low Stock" read as in stock',
      'prices with a decimal comma read as such ("1.299,00 EUR" is 1299.00 EUR)',
      'prices with a decimal comma read as such ("1.099,5 EUR" is 1099.50 EUR)',
    ]);
  });

  it('enforces Merchant length limits', () => {
    expect(parseMerchantRow({ ...valid, title: 'x'.repeat(151) })).toEqual({
      ok: false,
      reasons: ['title is 151 characters long; the limit is 150'],
    });
  });
});

describe('parseMerchantRow text cleaning', () => {
  const row = { id: 'B1', title: 'Mug', price: '9.00 USD', availability: 'in_stock' };

  it('strips bidi controls and invisible characters from every text field before checking it', () => {
    const result = parseMerchantRow({
      ...row,
      title: 'invoice\u202Egnp.exe',
      description: '\u2067Grippy\u2069 lugs.\u200B',
      brand: '\u202DVantor\u202C',
      product_type: '\u200FShoes > Trail running shoes',
      color: 'Black\u{E0020}\u{E0069}',
      size: '\u202E44',
      material: 'Knit\uFEFF upper',
    });
    expect(result.ok && result.record).toMatchObject({
      title: 'invoicegnp.exe',
      description: 'Grippy lugs.',
      brand: 'Vantor',
      productType: 'Shoes > Trail running shoes',
      category: 'Shoes',
      color: 'Black',
      size: '44',
      material: 'Knit upper',
    });
  });

  it('counts a title made only of invisible characters as missing, and measures length after cleaning', () => {
    expect(parseMerchantRow({ ...row, title: '\u202E\u200B' })).toEqual({ ok: false, reasons: ['missing title'] });
    const padded = parseMerchantRow({ ...row, title: `${'x'.repeat(150)}\u202E\u202C` });
    expect(padded.ok && padded.record.title).toBe('x'.repeat(150));
  });

  it('reads a price wrapped in direction marks', () => {
    const result = parseMerchantRow({ ...row, price: '\u200E9.00 USD\u200E' });
    expect(result.ok && result.record.priceMinor).toBe(900);
  });

  it('does not echo an override into the reasons it prints', () => {
    expect(parseMerchantRow({ ...row, availability: 'gnp\u202Eexe' })).toEqual({
      ok: false,
      reasons: ['availability "gnpexe" is not one of in_stock, out_of_stock, preorder, backorder'],
    });
  });
});

describe('parseMerchantRow links', () => {
  const row = { id: 'L1', title: 'Mug', price: '9.00 USD', availability: 'in_stock' };

  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['java\tscript:alert(1)'],
    ['java\nscript:alert(1)'],
    ['   javascript:alert(1)'],
    ['\u0001javascript:alert(1)'],
    ['\u202Ejavascript:alert(1)'],
    ['jav&#x09;ascript:alert(1)'],
    ['vbscript:msgbox(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['data:image/svg+xml;base64,PHN2Zz48L3N2Zz4='],
    ['file:///etc/passwd'],
    ['blob:https://shop.example/0b5c6c3e'],
    ['ftp://shop.example/mug.png'],
    ['//evil.example/mug.png'],
    ['/products/mug'],
    ['products/mug'],
    ['https://'],
  ])('rejects %j as a link or image_link, naming the field', (hostile) => {
    expect(parseMerchantRow({ ...row, link: hostile })).toEqual({
      ok: false,
      reasons: [expect.stringMatching(/^link must be an http\(s\) URL, not "/)],
    });
    expect(parseMerchantRow({ ...row, image_link: hostile })).toEqual({
      ok: false,
      reasons: [expect.stringMatching(/^image_link must be an http\(s\) URL, not "/)],
    });
  });

  it('says which value it refused', () => {
    expect(parseMerchantRow({ ...row, link: 'javascript:alert(1)' })).toEqual({
      ok: false,
      reasons: ['link must be an http(s) URL, not "javascript:alert(1)"'],
    });
  });

  it('rejects a link that hides its real host behind a user name', () => {
    expect(parseMerchantRow({ ...row, link: 'https://shop.example@evil.example/mug' })).toEqual({
      ok: false,
      reasons: ['link must be an http(s) URL without a user name or password, not "https://shop.example@evil.example/mug"'],
    });
  });

  it('rejects a link given as a JSON value that is not text', () => {
    expect(parseMerchantRow({ ...row, image_link: { url: 'https://cdn.example/a.png' } })).toEqual({
      ok: false,
      reasons: ['image_link must be an http(s) URL, not "{"url":"https://cdn.example/a.png"}"'],
    });
  });

  it.each([
    ['https://shop.example/p/mug?ref=feed#top', 'https://shop.example/p/mug?ref=feed#top'],
    ['HTTP://Shop.Example/p/mug', 'http://shop.example/p/mug'],
    ['https://shop.example', 'https://shop.example/'],
    ['https://cdn.example/red mug.png', 'https://cdn.example/red%20mug.png'],
  ])('stores the http(s) link %j as the parsed %j', (given, stored) => {
    const result = parseMerchantRow({ ...row, link: given, image_link: given });
    expect(result.ok && result.record).toMatchObject({ link: stored, imageLink: stored });
  });
});
