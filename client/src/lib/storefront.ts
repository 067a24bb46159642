import { storefrontSchema, type StorefrontBrand } from '@aisle/shared';
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { createApiClient } from './api';

const request = createApiClient({ reader: 'the page', unreachableHint: 'Check that it is running, then reload the page.' });

interface StorefrontState {
  /** Domains whose links may be live; empty until the server has said (so nothing is live before). */
  linkDomains: readonly string[];
  /** Origins product photos may load from besides the page's own; empty until the server has said. */
  imageOrigins: readonly string[];
  /** The shop's brand; Aisle's own until the server has said. */
  brand: StorefrontBrand;
  /** Query parameters for "View product" links; none until the server has said. */
  trackingParams: Readonly<Record<string, string>>;
  /** The standalone page's "Add to cart" template; null (no cart button) until the server has said. */
  cartUrlTemplate: string | null;
  status: 'idle' | 'loading' | 'loaded';
}

/** Aisle's own look, shown until the storefront reply arrives and when a shop sets no brand. */
export const DEFAULT_BRAND: StorefrontBrand = { name: 'Aisle' };

/** What the page knows about the shop, shared by the shopper chat and the agent console. */
export const storefrontStore = createStore<StorefrontState>(() => ({
  linkDomains: [],
  imageOrigins: [],
  brand: DEFAULT_BRAND,
  trackingParams: {},
  cartUrlTemplate: null,
  status: 'idle',
}));

/** Asks the server about the shop once; a failed request is asked again on the next use. */
export async function loadStorefront(): Promise<void> {
  if (storefrontStore.getState().status !== 'idle') return;
  storefrontStore.setState({ status: 'loading' });
  const result = await request('/api/storefront', { schema: storefrontSchema });
  storefrontStore.setState(
    result.ok
      ? {
          linkDomains: result.data.linkDomains,
          imageOrigins: result.data.imageOrigins,
          brand: result.data.brand,
          trackingParams: result.data.trackingParams,
          cartUrlTemplate: result.data.cartUrlTemplate,
          status: 'loaded',
        }
      : { status: 'idle' },
  );
}

/** The shop's link domains for `classifyLink`; loads them on first use. */
export function useLinkDomains(): readonly string[] {
  const linkDomains = useStore(storefrontStore, (s) => s.linkDomains);
  useEffect(() => {
    void loadStorefront();
  }, []);
  return linkDomains;
}

/** The origins product photos may load from (the page's CSP `img-src`); loads them on first use. */
export function useImageOrigins(): readonly string[] {
  const imageOrigins = useStore(storefrontStore, (s) => s.imageOrigins);
  useEffect(() => {
    void loadStorefront();
  }, []);
  return imageOrigins;
}

/** The shop's brand (name, logo, accent colour, welcome); loads the storefront on first use. */
export function useBrand(): StorefrontBrand {
  const brand = useStore(storefrontStore, (s) => s.brand);
  useEffect(() => {
    void loadStorefront();
  }, []);
  return brand;
}

/** Where cards lead: tracking parameters for "View product" and the cart template; loads on first use. */
export function useCardLinkSettings(): { trackingParams: Readonly<Record<string, string>>; cartUrlTemplate: string | null } {
  const trackingParams = useStore(storefrontStore, (s) => s.trackingParams);
  const cartUrlTemplate = useStore(storefrontStore, (s) => s.cartUrlTemplate);
  useEffect(() => {
    void loadStorefront();
  }, []);
  return { trackingParams, cartUrlTemplate };
}
