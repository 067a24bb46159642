import { fail, ok, type HistoryPage, type HistoryQuery, type Result } from '@aisle/shared';
import type { ConversationRepository } from '../db/conversationRepository';
import type { HistoryCursor, ShopperHistoryRepository } from '../db/shopperHistory';

/** How long a history entry's title may be: the first shopper message, trimmed to one line of a list. */
const TITLE_CHARS = 80;

/** The page position as the client carries it: opaque, so the list's order can change without breaking clients. */
function encodeCursor(cursor: HistoryCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt, cursor.id])).toString('base64url');
}

function decodeCursor(text: string): HistoryCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [updatedAt, id] = value as unknown[];
    return typeof updatedAt === 'string' && typeof id === 'string' ? { updatedAt, id } : null;
  } catch {
    return null;
  }
}

/** One line of a title: whitespace collapsed, cut at a word where possible, with an ellipsis when cut. */
export function historyTitle(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= TITLE_CHARS) return flat;
  const cut = flat.slice(0, TITLE_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The shopper's History (issue 11): their session's conversations, newest first, a page at a time,
 * and deleting one from it. Deleting hides it from the shopper for good (it can no longer be listed,
 * reopened or written to); agents still see it, marked, until retention deletes it.
 */
export function createShopperHistory(deps: {
  history: ShopperHistoryRepository;
  conversations: ConversationRepository;
  /** True while an answer is generating for the conversation. */
  isGenerating: (conversationId: string) => boolean;
}) {
  return {
    /** One page of the session's history. */
    async list(sessionHash: string, query: HistoryQuery): Promise<Result<HistoryPage>> {
      const before = query.before === undefined ? undefined : decodeCursor(query.before);
      if (before === null) return fail('bad-request', 'That page of your history does not exist.', 'Reopen History.');
      // One more than asked tells whether another page follows.
      const rows = await deps.history.listHistory(sessionHash, { limit: query.limit + 1, ...(before ? { before } : {}) });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return ok({
        conversations: page.map((r) => ({ ...r, title: historyTitle(r.title) })),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ updatedAt: last.updatedAt, id: last.id }) : null,
      });
    },

    /** Deletes a conversation from the shopper's history; another session's (or an unknown id) is not found. */
    async hide(sessionHash: string, conversationId: string): Promise<Result<null>> {
      const conversation = await deps.conversations.getConversation(conversationId);
      if (!conversation || conversation.session_hash !== sessionHash || conversation.hidden_by_shopper_at) {
        return fail('not-found', 'That conversation was not found.');
      }
      if (deps.isGenerating(conversationId)) {
        return fail('answer-in-progress', 'Please wait for the current answer to finish, or stop it.');
      }
      await deps.history.hideForShopper(conversationId);
      return ok(null);
    },
  };
}

export type ShopperHistory = ReturnType<typeof createShopperHistory>;
