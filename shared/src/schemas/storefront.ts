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
