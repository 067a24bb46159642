import type { ProductRepository } from '../db/productRepository';

/** How long the catalogue-derived list is reused: imports run in another process, so nothing tells us. */
const DERIVED_TTL_MS = 60_000;

/** The shop's own domain for a product link's host: "www." is dropped so the bare domain counts too. */
function shopDomain(host: string): string {
  return host.startsWith('www.') && host.split('.').length > 2 ? host.slice(4) : host;
}

/**
 * The domains whose links answers may show as clickable: `storefront.linkDomains` when the config
 * names any, otherwise the hosts of the catalogue's product links (cached for a minute, so a catalogue
 * import shows up soon without a query per page load).
 */
export function createLinkDomains(deps: {
  products: Pick<ProductRepository, 'linkHostnames'>;
  configured: () => readonly string[];
  now?: () => number;
  ttlMs?: number;
}) {
  const now = deps.now ?? Date.now;
  const ttlMs = deps.ttlMs ?? DERIVED_TTL_MS;
  let cached: { at: number; domains: Promise<string[]> } | null = null;

  return {
    /** The allowed domains now. */
    async current(): Promise<string[]> {
      const configured = deps.configured();
      if (configured.length > 0) return [...new Set(configured)];
      if (!cached || now() - cached.at >= ttlMs) {
        const domains = deps.products.linkHostnames().then((hosts) => [...new Set(hosts.map(shopDomain))].sort());
        cached = { at: now(), domains };
        // A failed read is not kept: the next call asks again.
        domains.catch(() => {
          if (cached?.domains === domains) cached = null;
        });
      }
      return cached.domains;
    },
    /** Forgets the derived list (after an import in this process). */
    invalidate(): void {
      cached = null;
    },
  };
}

export type LinkDomains = ReturnType<typeof createLinkDomains>;
