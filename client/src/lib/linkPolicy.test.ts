import { describe, expect, it } from 'vitest';
import { classifyLink, markdownUrlTransform } from './linkPolicy';

const products = new Set(['p-42', 'tent 2']);

describe('classifyLink', () => {
  it('allows absolute http and https links', () => {
    expect(classifyLink('https://shop.example/trail-runner', products)).toEqual({
      kind: 'external',
      href: 'https://shop.example/trail-runner',
    });
    expect(classifyLink('http://shop.example/', products)).toEqual({ kind: 'external', href: 'http://shop.example/' });
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
    expect(classifyLink(href, products)).toEqual({ kind: 'text' });
  });

  it('links to products that are among the message cards', () => {
    expect(classifyLink('product:p-42', products)).toEqual({ kind: 'product', productId: 'p-42' });
    expect(classifyLink('product:tent%202', products)).toEqual({ kind: 'product', productId: 'tent 2' });
  });

  it('never links to a product the server did not return', () => {
    expect(classifyLink('product:p-999', products)).toEqual({ kind: 'text' });
    expect(classifyLink('product:', products)).toEqual({ kind: 'text' });
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
