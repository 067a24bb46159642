import { nowIso, type Database } from './database';

/** What a card click was: the product page ("View product") or the shop's cart ("Add to cart"). */
export type CardClickKind = 'view' | 'cart';

/** Stores shoppers' clicks on answer cards (`card_clicks`). */
export function createCardClickRepository(db: Database) {
  return {
    /** Records one click; the caller has checked the card is on that message. */
    async record(click: { messageId: string; conversationId: string; productId: string; kind: CardClickKind }): Promise<void> {
      await db.run('INSERT INTO card_clicks (message_id, conversation_id, product_id, kind, created_at) VALUES (?, ?, ?, ?, ?)', [
        click.messageId,
        click.conversationId,
        click.productId,
        click.kind,
        nowIso(),
      ]);
    },
  };
}

export type CardClickRepository = ReturnType<typeof createCardClickRepository>;
