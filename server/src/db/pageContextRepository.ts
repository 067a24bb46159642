import { nowIso, type Database } from './database';

/** What the shopper was looking at when they last wrote, as stored with the conversation. */
export interface StoredPageContext {
  productId: string | null;
  /** The product's title now, or null when it has no product or the product has left the catalogue. */
  productTitle: string | null;
  productLink: string | null;
  url: string | null;
  updatedAt: string;
}

interface ContextRow {
  context_product_id: string | null;
  context_url: string | null;
  context_at: string | null;
  title: string | null;
  link: string | null;
}

/** Reads and writes the page context the embedded widget reports for a conversation. */
export function createPageContextRepository(db: Database) {
  return {
    /** True when a product with this id is in the catalogue (the widget's id is kept only then). */
    async productExists(id: string): Promise<boolean> {
      return (await db.get<{ id: string }>('SELECT id FROM products WHERE id = ?', [id])) !== undefined;
    },

    /** Stores the context on the conversation (null parts clear). */
    async save(conversationId: string, context: { productId: string | null; url: string | null }): Promise<void> {
      await db.run('UPDATE conversations SET context_product_id = ?, context_url = ?, context_at = ? WHERE id = ?', [
        context.productId,
        context.url,
        nowIso(),
        conversationId,
      ]);
    },

    /** The stored context with the product's current title and link, or null when none was ever set. */
    async get(conversationId: string): Promise<StoredPageContext | null> {
      const row = await db.get<ContextRow>(
        `SELECT c.context_product_id, c.context_url, c.context_at, p.title, p.link
           FROM conversations c LEFT JOIN products p ON p.id = c.context_product_id
          WHERE c.id = ?`,
        [conversationId],
      );
      if (!row || row.context_at === null) return null;
      return {
        productId: row.context_product_id,
        productTitle: row.title,
        productLink: row.link,
        url: row.context_url,
        updatedAt: row.context_at,
      };
    },
  };
}

export type PageContextRepository = ReturnType<typeof createPageContextRepository>;
