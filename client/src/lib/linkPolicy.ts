/** What a link in model text may become. */
export type LinkDecision = { kind: 'external'; href: string } | { kind: 'product'; productId: string } | { kind: 'text' };

const PRODUCT_SCHEME = /^product:(?:\/\/)?/i;

/** A host name without the trailing dot of its fully qualified form, lower-cased. */
function bareHost(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * Whether a host is one of the shop's domains or a subdomain of one. Labels match whole:
 * `shop.example` allows `www.shop.example`, not `evilshop.example` nor `shop.example.evil.com`.
 */
export function isShopHost(hostname: string, shopDomains: readonly string[]): boolean {
  const host = bareHost(hostname);
  if (host === '') return false;
  return shopDomains.some((domain) => {
    const d = bareHost(domain.trim());
    return d !== '' && (host === d || host.endsWith(`.${d}`));
  });
}

/**
 * Decides how a link written by the model is shown. Only absolute http(s) URLs to the shop's own
 * domains (`shopDomains`, from `GET /api/storefront`) become real links, so a "claim your refund"
 * link copied from a product description stays text. `product:ID` becomes an in-page link only when
 * that product is among the message's own cards, so the model can never point at a product the
 * server did not return. Everything else is plain text.
 */
export function classifyLink(
  href: string | null | undefined,
  productIds: ReadonlySet<string>,
  shopDomains: readonly string[],
): LinkDecision {
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
  // The URL parser has already decoded, lower-cased and punycoded the host: compare that, not the text.
  if (!isShopHost(url.hostname, shopDomains)) return { kind: 'text' };
  return { kind: 'external', href: url.href };
}

/** Whether `classifyLink` could make this a web link for some shop: http(s), absolute, no user info. */
function isWebLink(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
}

/**
 * URL filter for react-markdown: keeps what `classifyLink` could accept (the link component makes
 * the final call, knowing the message's products and the shop's domains) and blanks everything else.
 */
export function markdownUrlTransform(url: string): string {
  const value = url.trim();
  if (PRODUCT_SCHEME.test(value)) return value;
  return isWebLink(value) ? value : '';
}
