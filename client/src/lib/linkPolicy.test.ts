import { describe, expect, it } from 'vitest';
import { classifyLink, isShopHost, markdownUrlTransform } from './linkPolicy';

const products = new Set(['p-42', 'tent 2']);
const shop = ['shop.example'];

describe('classifyLink', () => {
  it('allows absolute http and https links', () => {
    expect(classifyLink('https://shop.example/trail-runner', products, shop)).toEqual({
      kind: 'external',
      href: 'https://shop.example/trail-runner',
    });
    expect(classifyLink('http://shop.example/', products, shop)).toEqual({ kind: 'external', href: 'http://shop.example/' });
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'vbscript:msgbox(1)',
    'mailto:someone@example.com',
    '/relative/path',
    '../up',
    '#anchor',
    '//evil.example/x',
    'https://shop.example@evil.example/',
    '',
  ])('turns %j into plain text', (href) => {
    expect(classifyLink(href, products, shop)).toEqual({ kind: 'text' });
  });

  it('links to products that are among the message cards', () => {
    expect(classifyLink('product:p-42', products, shop)).toEqual({ kind: 'product', productId: 'p-42' });
    expect(classifyLink('product:tent%202', products, shop)).toEqual({ kind: 'product', productId: 'tent 2' });
  });

  it('never links to a product the server did not return', () => {
    expect(classifyLink('product:p-999', products, shop)).toEqual({ kind: 'text' });
    expect(classifyLink('product:', products, shop)).toEqual({ kind: 'text' });
  });
});

describe('links to other sites', () => {
  it.each([
    ['https://www.shop.example/sale', 'a subdomain'],
    ['https://help.eu.shop.example/returns', 'a deeper subdomain'],
    ['HTTPS://SHOP.EXAMPLE/Boots', 'upper case'],
    ['https://shop.example:8443/x', 'another port on the same host'],
    ['https://shop.example./x', 'the fully qualified form with a trailing dot'],
  ])('makes %j live (%s)', (href) => {
    expect(classifyLink(href, products, shop).kind).toBe('external');
  });

  it.each([
    ['https://claim-your-refund.example/now', 'another site'],
    ['https://shop.example.evil.com/refund', 'the shop domain as a subdomain of another'],
    ['https://evilshop.example/refund', 'a name that ends with the shop domain'],
    ['https://shop-example.com/refund', 'a dash for the dot'],
    ['https://evil.com/shop.example', 'the shop domain in the path'],
    ['https://evil.com/?u=https://shop.example', 'the shop domain in the query'],
    ['https://evil.com#shop.example', 'the shop domain in the fragment'],
    ['https://shop.example%2eevil.com/', 'an encoded dot'],
    ['https://xn--shp-example-gfb.com/', 'punycode'],
    ['https://shop.\u0435xample/refund', 'a Cyrillic e'],
    ['https:\\\\evil.com\\shop.example', 'backslashes'],
    ['https://evil.com\\@shop.example/', 'a backslash before the at sign'],
    ['https://shop.example@evil.com/', 'user info'],
    ['https://127.0.0.1/refund', 'an address'],
  ])('keeps %j as text (%s)', (href) => {
    expect(classifyLink(href, products, shop)).toEqual({ kind: 'text' });
  });

  it('makes no web link live when the shop has no domains (yet)', () => {
    expect(classifyLink('https://shop.example/', products, [])).toEqual({ kind: 'text' });
  });

  it('matches a host against the domains by whole labels', () => {
    expect(isShopHost('shop.example', ['Shop.Example'])).toBe(true);
    expect(isShopHost('a.shop.example', ['shop.example'])).toBe(true);
    expect(isShopHost('ashop.example', ['shop.example'])).toBe(false);
    expect(isShopHost('example', ['shop.example'])).toBe(false);
    expect(isShopHost('shop.example', [''])).toBe(false);
  });
});

describe('markdownUrlTransform', () => {
  it('keeps web and product links and blanks the rest', () => {
    expect(markdownUrlTransform('https://shop.example/')).toBe('https://shop.example/');
    expect(markdownUrlTransform('product:p-42')).toBe('product:p-42');
    expect(markdownUrlTransform('javascript:alert(1)')).toBe('');
    expect(markdownUrlTransform('/cart')).toBe('');
  });
});
