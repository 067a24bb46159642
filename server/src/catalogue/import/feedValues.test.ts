import { describe, expect, it } from 'vitest';
import { parseAvailability, parsePrice, readAvailability } from './feedValues';

describe('parsePrice', () => {
  it('reads Merchant prices into exact minor units', () => {
    expect(parsePrice('19.99 USD')).toMatchObject({ amountMinor: 1999, currency: 'USD' });
    expect(parsePrice('0.29 USD')).toMatchObject({ amountMinor: 29, currency: 'USD' });
    expect(parsePrice('1,299.90 EUR')).toMatchObject({ amountMinor: 129990, currency: 'EUR' });
  });

  it('accepts the currency first, whole amounts, one decimal and lower-case codes', () => {
    expect(parsePrice('USD 15.00')).toMatchObject({ amountMinor: 1500, currency: 'USD' });
    expect(parsePrice('15 USD')).toMatchObject({ amountMinor: 1500, currency: 'USD' });
    expect(parsePrice('15.5 gbp')).toMatchObject({ amountMinor: 1550, currency: 'GBP' });
    expect(parsePrice({ value: '42.10', currency: 'USD' })).toMatchObject({ amountMinor: 4210, currency: 'USD' });
  });

  // The decimal separator is the last one when one or two digits follow it, or when the other
  // separator comes before it; a lone "," before three digits groups thousands; a lone "." never does.
  it.each([
    ['12,99 EUR', 1299, 'EUR', true],
    ['1.299,00 EUR', 129900, 'EUR', true],
    ['1.299.000,5 EUR', 129900050, 'EUR', true],
    ['1 299,00 EUR', 129900, 'EUR', true],
    ['1\u00A0299,00 EUR', 129900, 'EUR', true],
    ['EUR 0,5', 50, 'EUR', true],
    ['1,299.00 USD', 129900, 'USD', false],
    ['1,299 USD', 129900, 'USD', false],
    ['1,299,000 USD', 129900000, 'USD', false],
    ['1.299.000 EUR', 129900000, 'EUR', false],
    ["1'299.50 CHF", 129950, 'CHF', false],
    ['12.99 EUR', 1299, 'EUR', false],
    ['7 EUR', 700, 'EUR', false],
  ])('reads %j as %i minor units of %s', (text, amountMinor, currency, hasDecimalComma) => {
    expect(parsePrice(text)).toEqual({ amountMinor, currency, hasDecimalComma });
  });

  it.each([
    ['12,99', 1299],
    ['1.299,00', 129900],
    ['1,299.00', 129900],
    ['9.99', 999],
  ])('reads the bare amount %j in the currency it is told to assume', (text, amountMinor) => {
    expect(parsePrice(text, 'EUR')).toMatchObject({ amountMinor, currency: 'EUR' });
  });

  it.each([
    ['abc', 'is not a price like "15.00 USD"'],
    ['19.999 USD', 'has more than two decimals (for 19999 write "19.999,00")'],
    ['12,999,5 EUR', 'is not a price like "15.00 USD"'],
    ['1,29,900.00 INR', 'is not a price like "15.00 USD"'],
    ['1.299,000 EUR', 'has more than two decimals'],
    ['1.2.3 EUR', 'is not a price like "15.00 USD"'],
    ['1,299.00,50 EUR', 'is not a price like "15.00 USD"'],
    ['EUR 12,99 EUR', 'is not a price like "15.00 USD"'],
    ['19.99', 'has no currency; write it like "19.99 USD"'],
    ['12,99', 'has no currency; write it like "12,99 USD"'],
  ])('refuses %j: %s', (text, error) => {
    expect(parsePrice(text)).toEqual({ error });
  });

  it('refuses a bare number without a currency to assume', () => {
    expect(parsePrice(19.99)).toEqual({ error: 'has no currency; write it like "19.99 USD"' });
    expect(parsePrice(19.99, 'USD')).toMatchObject({ amountMinor: 1999, currency: 'USD' });
  });
});

describe('parseAvailability', () => {
  it('accepts Merchant values and the spellings feeds use', () => {
    expect(parseAvailability('in_stock')).toBe('in_stock');
    expect(parseAvailability('in stock')).toBe('in_stock');
    expect(parseAvailability('Out of Stock')).toBe('out_of_stock');
    expect(parseAvailability('pre-order')).toBe('preorder');
    expect(parseAvailability('backorder')).toBe('backorder');
    expect(parseAvailability('maybe')).toBeNull();
  });
});

describe('readAvailability', () => {
  it.each([
    ['in stock', 'in_stock'],
    ['OUT_OF_STOCK', 'out_of_stock'],
    ['pre-order', 'preorder'],
    ['backorder', 'backorder'],
  ])('reads the Merchant value %j as %s without a warning', (value, availability) => {
    expect(readAvailability(value)).toEqual({ availability, warning: null });
  });

  it.each([
    ['Low Stock', 'in_stock', 'availability "Low Stock" read as in stock'],
    ['limited', 'in_stock', 'availability "limited" read as in stock'],
    ['available', 'in_stock', 'availability "available" read as in stock'],
    ['Yes', 'in_stock', 'availability "Yes" read as in stock'],
    ['https://schema.org/InStock', 'in_stock', 'availability "https://schema.org/InStock" read as in stock'],
    ['Sold Out', 'out_of_stock', 'availability "Sold Out" read as out of stock'],
    ['no', 'out_of_stock', 'availability "no" read as out of stock'],
    ['Coming soon', 'preorder', 'availability "Coming soon" read as preorder'],
    ['on backorder', 'backorder', 'availability "on backorder" read as backorder'],
    ['unknown', 'out_of_stock', 'availability "unknown" read as out of stock (Aisle never promises stock a feed does not state)'],
    ['', 'out_of_stock', 'no availability given: read as out of stock (Aisle never promises stock a feed does not state)'],
  ])('reads %j as %s with the warning %j', (value, availability, message) => {
    expect(readAvailability(value)).toEqual({ availability, warning: { key: expect.any(String), message } });
  });

  it('groups the same value in any case under one warning, and refuses values it cannot read', () => {
    expect(readAvailability('Low Stock')?.warning?.key).toBe(readAvailability('low stock')?.warning?.key);
    expect(readAvailability('sometimes')).toBeNull();
  });
});
