/** What a link in model text may become. */
export type LinkDecision = { kind: 'external'; href: string } | { kind: 'product'; productId: string } | { kind: 'text' };

const PRODUCT_SCHEME = /^product:(?:\/\/)?/i;

/**
 * Decides how a link written by the model is shown. Only absolute http(s) URLs become real links;
 * `product:ID` becomes an in-page link only when that product is among the message's own cards, so
 * the model can never point at a product the server did not return. Everything else is plain text.
 */
export function classifyLink(href: string | null | undefined, productIds: ReadonlySet<string>): LinkDecision {
  const raw = (href ?? '').trim();
  if (raw === '') return { kind: 'text' };

  if (PRODUCT_SCHEME.test(raw)) {
    let id = raw.replace(PRODUCT_SCHEME, '');
    try {
      id = decodeURIComponent(id);
    } catch {
      return { kind: 'text' };
    }
    return productIds.has(id) ? { kind: 'product', productId: id } : { kind: 'text' };
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'text' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'text' };
  // "https://shop.example@evil.example" style links hide their real destination.
  if (url.username !== '' || url.password !== '') return { kind: 'text' };
  return { kind: 'external', href: url.href };
}

const NO_PRODUCTS: ReadonlySet<string> = new Set();

/**
 * URL filter for react-markdown: keeps what `classifyLink` could accept (the link component makes
 * the final call, knowing the message's products) and blanks everything else.
 */
export function markdownUrlTransform(url: string): string {
  const value = url.trim();
  if (PRODUCT_SCHEME.test(value)) return value;
  return classifyLink(value, NO_PRODUCTS).kind === 'external' ? value : '';
}
