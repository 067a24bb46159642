import type { ProductCard } from '@aisle/shared';
import { classifyLink } from '../../lib/linkPolicy';

const NO_PRODUCTS: ReadonlySet<string> = new Set();
const PLACEHOLDER = /\{(productId|variantId|quantity)\}/g;

/**
 * The card's "View product" address: the product link when the link policy allows it (http(s) on one
 * of the shop's domains), with the shop's tracking parameters added. A parameter the link already
 * carries is kept as it is, so a feed's own campaign tags are never overwritten. Null: no link.
 */
export function viewProductHref(
  link: string | null,
  trackingParams: Readonly<Record<string, string>>,
  linkDomains: readonly string[],
): string | null {
  const decision = classifyLink(link, NO_PRODUCTS, linkDomains);
  if (decision.kind !== 'external') return null;
  const url = new URL(decision.href);
  for (const [name, value] of Object.entries(trackingParams)) {
    if (!url.searchParams.has(name)) url.searchParams.append(name, value);
  }
  return url.href;
}

/**
 * The card's "Add to cart" address on the standalone page: `storefront.cartUrlTemplate` with the
 * product's id, variant id (a card is one variant, so its id) and the quantity filled in, each
 * URL-encoded. A path resolves against the product link's origin (the shop); the result must pass the
 * link policy like any link, so a template aimed elsewhere (`//evil.example`, `javascript:`) gives no
 * button rather than a link off the shop. Null: no cart button.
 */
export function cartHref(
  template: string | null,
  product: Pick<ProductCard, 'id' | 'link'>,
  linkDomains: readonly string[],
  quantity = 1,
): string | null {
  if (template === null || template.trim() === '') return null;
  const values: Record<string, string> = { productId: product.id, variantId: product.id, quantity: String(quantity) };
  const filled = template.trim().replace(PLACEHOLDER, (_m, name: string) => encodeURIComponent(values[name] ?? ''));
  // Anything left in braces is a placeholder this page does not know: better no button than a wrong cart.
  if (/[{}]/.test(filled)) return null;
  let absolute: string;
  if (filled.startsWith('/') && !filled.startsWith('//')) {
    const productLink = classifyLink(product.link, NO_PRODUCTS, linkDomains);
    if (productLink.kind !== 'external') return null;
    absolute = new URL(filled, new URL(productLink.href).origin).href;
  } else {
    absolute = filled;
  }
  const decision = classifyLink(absolute, NO_PRODUCTS, linkDomains);
  return decision.kind === 'external' ? decision.href : null;
}
