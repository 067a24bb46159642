/**
 * Messages between the loader on the shop's page (`widget.ts`) and the panel inside its frame
 * (`features/embed`). Both sides post with an explicit target origin and accept a message only from
 * the other side's origin and window; the payloads are checked field by field all the same.
 */

/** Marks Aisle's messages among everything else a page may post. */
export const MESSAGE_SOURCE = 'aisle-widget';

/** The detail of the `aisle:add-to-cart` event on the shop's window: the product as the database has it. */
export interface AddToCartDetail {
  productId: string;
  variantId: string;
  quantity: number;
  price: { amountMinor: number; currency: string };
  link: string | null;
}

/** What the shop's page says the shopper is looking at. */
export interface HostContext {
  productId: string | null;
  url: string | null;
}

/** Loader → panel. */
export type ToPanel =
  { source: typeof MESSAGE_SOURCE; type: 'context'; context: HostContext } | { source: typeof MESSAGE_SOURCE; type: 'opened' };

/** Panel → loader. */
export type ToHost =
  | { source: typeof MESSAGE_SOURCE; type: 'ready'; position: 'bottom-right' | 'bottom-left'; openOnLoad: boolean }
  | { source: typeof MESSAGE_SOURCE; type: 'close' }
  | { source: typeof MESSAGE_SOURCE; type: 'add-to-cart'; detail: AddToCartDetail };

/** True for an object carrying Aisle's marker and a string `type`. */
export function isAisleMessage(data: unknown): data is { source: typeof MESSAGE_SOURCE; type: string } & Record<string, unknown> {
  return (
    typeof data === 'object' &&
    data !== null &&
    'source' in data &&
    data.source === MESSAGE_SOURCE &&
    'type' in data &&
    typeof data.type === 'string'
  );
}
