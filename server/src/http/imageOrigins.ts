/**
 * The origins product photos may load from, as the page's Content-Security-Policy (`img-src`) and the
 * storefront reply (`GET /api/storefront`) give them. Both read the config on every request, so an
 * edited `server.imageOrigins` applies without a restart, and both come from this one function so the
 * card never shows an `<img>` the policy would block.
 */
export function imageOriginsOf(configured: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const entry of configured) {
    try {
      const url = new URL(entry);
      // Only web origins: `data:` is allowed separately, and anything else has the opaque origin "null".
      if (url.protocol === 'https:' || url.protocol === 'http:') origins.add(url.origin);
    } catch {
      // The config schema accepts only URLs; a value that still does not parse allows nothing.
    }
  }
  return [...origins];
}
