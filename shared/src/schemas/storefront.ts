import { z } from 'zod';

/** The shop's name, logo, colour and welcome on the shopper page (`brand` in aisle.yaml). */
export const storefrontBrandSchema = z.object({
  name: z.string(),
  /** An https address or a same-origin path (`/brand/logo.svg`); absent: Aisle's own mark. */
  logoUrl: z.string().optional(),
  /** A CSS hex colour whose contrast with white text the server checked; absent: the default teal. */
  accentColor: z.string().optional(),
  greeting: z.string().optional(),
  examplePrompts: z.array(z.string()).optional(),
});
export type StorefrontBrand = z.infer<typeof storefrontBrandSchema>;

/** What the pages need to know about the shop (`GET /api/storefront`). */
export const storefrontSchema = z.object({
  /**
   * Host names whose http(s) links may be clickable in answers, with their subdomains. Any other link
   * shows as plain text.
   */
  linkDomains: z.array(z.string()),
  /**
   * Origins besides the page's own that product photos may load from (`server.imageOrigins`, as
   * `scheme://host[:port]`). The page's Content-Security-Policy allows exactly these, so a card shows a
   * photo from anywhere else as its placeholder rather than as a blocked image.
   */
  imageOrigins: z.array(z.string()),
  /** Defaults to Aisle's own look when a server leaves it out. */
  brand: storefrontBrandSchema.default({ name: 'Aisle' }),
  /** Query parameters added to "View product" links (`storefront.trackingParams`), never replacing the link's own. */
  trackingParams: z.record(z.string(), z.string()).default({}),
  /**
   * Where "Add to cart" goes on the standalone page (`storefront.cartUrlTemplate`), with `{productId}`,
   * `{variantId}` and `{quantity}`; a path is on the product link's origin. null: no cart button.
   */
  cartUrlTemplate: z.string().nullable().default(null),
});
export type Storefront = z.infer<typeof storefrontSchema>;

/** The widget's settings (`GET /api/widget`), read by the panel inside the shop's page. */
export const widgetSettingsSchema = z.object({
  /** Shop origins that may frame the panel; the panel talks (postMessage) to no other parent. */
  allowedOrigins: z.array(z.string()),
  position: z.enum(['bottom-right', 'bottom-left']),
  openOnLoad: z.boolean(),
});
export type WidgetSettings = z.infer<typeof widgetSettingsSchema>;
