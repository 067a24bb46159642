import { z } from 'zod';

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
});
export type Storefront = z.infer<typeof storefrontSchema>;
