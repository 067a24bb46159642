import { nowIso, type Database } from './database';

/** One conversation in the shopper's history list. */
export interface HistoryRow {
  id: string;
  title: string;
  updatedAt: string;
  messageCount: number;
}

/** Where a history page starts: after the conversation with this last activity and id. */
export interface HistoryCursor {
  updatedAt: string;
  id: string;
}

/** The shopper's own history: their conversations as a list, and deleting one from it. */
export function createShopperHistoryRepository(db: Database) {
  const { kysely } = db;

  return {
    /**
     * One page of the shopper's history, newest activity first, after `before` (keyset pagination,
     * stable while new messages arrive). Title: the first shopper message still shown (an edit changes
     * it); count: the messages the shopper sees (answers replaced by a regenerate or an edit left out).
     */
    async listHistory(sessionHash: string, page: { limit: number; before?: HistoryCursor }): Promise<HistoryRow[]> {
      let query = kysely
        .selectFrom('conversations as c')
        .where('c.session_hash', '=', sessionHash)
        .where('c.hidden_by_shopper_at', 'is', null)
        .select((eb) => [
          'c.id',
          'c.title',
          'c.updated_at',
          eb
            .selectFrom('messages as m')
            .select('m.content')
            .whereRef('m.conversation_id', '=', 'c.id')
            .where('m.role', '=', 'user')
            .where('m.replaced_by', 'is', null)
            .orderBy('m.seq')
            .limit(1)
            .as('first_text'),
          eb
            .selectFrom('messages as m')
            .select((inner) => inner.fn.countAll<number>().as('n'))
            .whereRef('m.conversation_id', '=', 'c.id')
            .where('m.replaced_by', 'is', null)
            .where('m.role', 'in', ['user', 'assistant', 'agent'])
            .as('message_count'),
        ]);
      const { before } = page;
      if (before) {
        query = query.where((eb) =>
          eb.or([
            eb('c.updated_at', '<', before.updatedAt),
            eb.and([eb('c.updated_at', '=', before.updatedAt), eb('c.id', '<', before.id)]),
          ]),
        );
      }
      const rows = await query.orderBy('c.updated_at', 'desc').orderBy('c.id', 'desc').limit(page.limit).execute();
      return rows.map((r) => ({
        id: r.id,
        title: r.first_text ?? r.title,
        updatedAt: r.updated_at,
        messageCount: Number(r.message_count ?? 0),
      }));
    },

    /**
     * The shopper deleted the conversation from their history. Its last activity (`updated_at`) is
     * left alone: retention deletes it, like any other, that many days after its last message.
     */
    async hideForShopper(id: string): Promise<void> {
      await kysely.updateTable('conversations').set({ hidden_by_shopper_at: nowIso() }).where('id', '=', id).execute();
    },
  };
}

export type ShopperHistoryRepository = ReturnType<typeof createShopperHistoryRepository>;
