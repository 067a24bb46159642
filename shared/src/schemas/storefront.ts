import { z } from 'zod';

/** What the pages need to know about the shop (`GET /api/storefront`). */
export const storefrontSchema = z.object({
  /**
   * Host names whose http(s) links may be clickable in answers, with their subdomains. Any other link
   * shows as plain text.
   */
  linkDomains: z.array(z.string()),
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
