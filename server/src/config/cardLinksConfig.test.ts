import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './loadConfig';

/** The problems a config is refused with, or [] when it is accepted. */
function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const storefront = (fields: Record<string, unknown>) => ({ storefront: { linkDomains: ['shop.example'], ...fields } });

describe('storefront.cartUrlTemplate and trackingParams', () => {
  it('accepts Shopify and WooCommerce style paths and an https URL on a link domain', () => {
    expect(problemsOf(storefront({ cartUrlTemplate: '/cart/{variantId}:{quantity}' }))).toEqual([]);
    expect(problemsOf(storefront({ cartUrlTemplate: '/?add-to-cart={productId}' }))).toEqual([]);
    expect(problemsOf(storefront({ cartUrlTemplate: 'https://www.shop.example/cart/add?id={variantId}' }))).toEqual([]);
    const config = parseConfig(storefront({ trackingParams: { utm_source: 'aisle', utm_medium: 'chat' } }));
    expect(config.storefront).toMatchObject({ trackingParams: { utm_source: 'aisle', utm_medium: 'chat' }, cartUrlTemplate: null });
  });

  it.each([
    ['javascript:alert(1)//{productId}', 'https URL'],
    ['//evil.example/cart/{productId}', 'not //'],
    ['https://evil.example/cart/{productId}', 'evil.example is not one of storefront.linkDomains'],
    ['http://shop.example/cart/{productId}', 'https'],
    ['https://user:pw@shop.example/cart/{productId}', 'user name'],
    ['/cart/{sku}', 'unknown placeholder {sku}'],
    ['/cart/{productId', 'unbalanced'],
    ['/cart/add', 'needs {productId} or {variantId}'],
    ['/cart/{productId}" onclick="x', 'no spaces'],
  ])('refuses %s', (template, problem) => {
    const problems = problemsOf(storefront({ cartUrlTemplate: template }));
    expect(problems.join('\n')).toContain('cartUrlTemplate');
    expect(problems.join('\n')).toContain(problem);
  });

  it('refuses a tracking parameter name that is not a plain name', () => {
    expect(problemsOf(storefront({ trackingParams: { 'utm source&x': 'aisle' } })).join('\n')).toContain('trackingParams');
  });
});
