import type { ProductCard } from '@aisle/shared';
import { createContext, useContext, type ReactNode } from 'react';

/**
 * An extra action a page puts on every product card: the widget's "Add to cart", which hands the
 * product to the shop's own cart. The plain chat page provides none. A context, so the card does not
 * need to know about the widget.
 */
export const CardActionContext = createContext<((product: ProductCard, onCart: () => void) => ReactNode) | null>(null);

/** The action the page provides for this card, or null. `onCart` records the click like the card's own. */
export function useCardAction(product: ProductCard, onCart: () => void = () => undefined): ReactNode {
  const render = useContext(CardActionContext);
  return render === null ? null : render(product, onCart);
}
