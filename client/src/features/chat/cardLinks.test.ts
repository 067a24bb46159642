import { describe, expect, it } from 'vitest';
import { cartHref, viewProductHref } from './cardLinks';

const DOMAINS = ['shop.example'];
const product = { id: 'SKU 1/2', link: 'https://www.shop.example/products/jacket?ref=feed' };

describe('viewProductHref', () => {
  it('adds the tracking parameters and keeps the ones the link already has', () => {
    const href = viewProductHref(
      'https://shop.example/products/jacket?utm_source=newsletter',
      { utm_source: 'aisle', utm_medium: 'chat' },
      DOMAINS,
    );
    expect(href).toBe('https://shop.example/products/jacket?utm_source=newsletter&utm_medium=chat');
  });

  it('encodes parameter values and gives no link off the shop', () => {
    expect(viewProductHref('https://shop.example/p', { utm_campaign: 'a&b=c' }, DOMAINS)).toBe(
      'https://shop.example/p?utm_campaign=a%26b%3Dc',
    );
    expect(viewProductHref('https://evil.example/p', { utm_source: 'aisle' }, DOMAINS)).toBeNull();
    expect(viewProductHref(null, {}, DOMAINS)).toBeNull();
  });
});

describe('cartHref', () => {
  it("fills a path on the product link's origin, URL-encoding the ids", () => {
    expect(cartHref('/cart/{variantId}:{quantity}', product, DOMAINS)).toBe('https://www.shop.example/cart/SKU%201%2F2:1');
    expect(cartHref('/?add-to-cart={productId}', product, DOMAINS, 2)).toBe('https://www.shop.example/?add-to-cart=SKU%201%2F2');
  });

  it('fills an absolute template on a link domain', () => {
    expect(cartHref('https://shop.example/cart/add?id={variantId}&qty={quantity}', product, DOMAINS, 3)).toBe(
      'https://shop.example/cart/add?id=SKU%201%2F2&qty=3',
    );
  });

  it.each([
    'javascript:alert({productId})',
    '//evil.example/cart/{productId}',
    'https://evil.example/cart/{productId}',
    'https://shop.example@evil.example/{productId}',
    'data:text/html,{productId}',
    '/cart/{sku}',
  ])('refuses the hostile or unknown template %s', (template) => {
    expect(cartHref(template, product, DOMAINS)).toBeNull();
  });

  it('gives no button without a template, or for a path when the product has no shop link', () => {
    expect(cartHref(null, product, DOMAINS)).toBeNull();
    expect(cartHref('/cart/{productId}', { id: 'A', link: null }, DOMAINS)).toBeNull();
    expect(cartHref('/cart/{productId}', { id: 'A', link: 'https://evil.example/p' }, DOMAINS)).toBeNull();
  });
});
