import { widgetSettingsSchema, type WidgetSettings } from '@aisle/shared';
import { createApiClient } from '../../lib/api';
import { isAisleMessage, MESSAGE_SOURCE, type AddToCartDetail, type HostContext, type ToHost } from '../../widget/protocol';

const request = createApiClient({ reader: 'the assistant', unreachableHint: 'Check your connection, then reload the page.' });

/** The shop page this panel is framed by, once it is known to be an allowed shop; null otherwise. */
let hostOrigin: string | null = null;

/**
 * The origin of the page that frames this panel: the browser's own record of it where it keeps one
 * (`location.ancestorOrigins`), else the `parent` the loader put in the URL. Either way it is only
 * trusted once found in `widget.allowedOrigins`.
 */
function claimedParentOrigin(): string | null {
  if (window.parent === window) return null;
  const ancestors = window.location.ancestorOrigins;
  if (ancestors !== undefined && ancestors.length > 0) return ancestors[0] ?? null;
  return new URLSearchParams(window.location.search).get('parent');
}

/** What the panel does on the shop's request. */
export interface HostHandlers {
  onContext(context: HostContext): void;
  onOpened(): void;
}

/**
 * Connects the panel to the loader on the shop's page: checks the parent is an allowed shop, listens
 * to it (its origin and window only), and tells it the panel is ready. Returns a function that stops
 * listening. A panel opened on its own (no parent) or by a page that is not allowed talks to nobody.
 */
export async function connectToHost(handlers: HostHandlers): Promise<() => void> {
  const claimed = claimedParentOrigin();
  if (claimed === null) return () => undefined;
  const settings = await request('/api/widget', { schema: widgetSettingsSchema });
  if (!settings.ok || !isAllowed(claimed, settings.data)) return () => undefined;
  hostOrigin = claimed;
  const listener = (event: MessageEvent) => {
    if (event.origin !== claimed || event.source !== window.parent || !isAisleMessage(event.data)) return;
    const message = event.data;
    if (message.type === 'opened') handlers.onOpened();
    else if (message.type === 'context') {
      const context = hostContextOf(message.context);
      if (context !== null) handlers.onContext(context);
    }
  };
  window.addEventListener('message', listener);
  notify({ source: MESSAGE_SOURCE, type: 'ready', position: settings.data.position, openOnLoad: settings.data.openOnLoad });
  return () => window.removeEventListener('message', listener);
}

function isAllowed(origin: string, settings: WidgetSettings): boolean {
  return settings.allowedOrigins.includes(origin);
}

function hostContextOf(value: unknown): HostContext | null {
  if (typeof value !== 'object' || value === null) return null;
  const productId = 'productId' in value && typeof value.productId === 'string' ? value.productId.slice(0, 200) : null;
  const url = 'url' in value && typeof value.url === 'string' ? value.url.slice(0, 2000) : null;
  return { productId, url };
}

function notify(message: ToHost): void {
  if (hostOrigin !== null) window.parent.postMessage(message, hostOrigin);
}

/** True when the panel is inside an allowed shop's page (so shop actions such as the cart make sense). */
export function isInShop(): boolean {
  return hostOrigin !== null;
}

/** Tells the shop's page something: `add-to-cart` becomes an `aisle:add-to-cart` event on its window. */
export function notifyHost(type: 'add-to-cart', detail: AddToCartDetail): void;
export function notifyHost(type: 'close'): void;
export function notifyHost(type: 'add-to-cart' | 'close', detail?: AddToCartDetail): void {
  if (type === 'add-to-cart' && detail !== undefined) notify({ source: MESSAGE_SOURCE, type, detail });
  else if (type === 'close') notify({ source: MESSAGE_SOURCE, type });
}
