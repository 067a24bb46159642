import { historyPageSchema, type HistoryPage, type Result } from '@aisle/shared';
import { createApiClient, type ApiRequester, type ReplySchema } from '../../lib/api';
import { sessionToken } from './chatApi';

/** A conversation deleted from History: the reply carries no data. */
const nothing: ReplySchema<null> = {
  safeParse: (value) => (value === null ? { success: true, data: null } : { success: false }),
};

/** The requester of this session: the cookie, or in the widget the token in the Authorization header. */
function requester(): ApiRequester {
  const token = sessionToken();
  return createApiClient({
    reader: 'the app',
    unreachableHint: 'Check your connection and try again.',
    ...(token === null
      ? {}
      : {
          fetch: (input: RequestInfo | URL, init?: RequestInit) =>
            globalThis.fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
        }),
  });
}

/** One page of this browser's conversations, newest first; `before` is the previous page's `nextCursor`. */
export function listHistory(before?: string): Promise<Result<HistoryPage>> {
  const query = before === undefined ? '' : `?before=${encodeURIComponent(before)}`;
  return requester()(`/api/conversations${query}`, { schema: historyPageSchema });
}

/** Deletes a conversation from this browser's History (agents keep it until retention removes it). */
export function deleteConversation(conversationId: string): Promise<Result<null>> {
  return requester()(`/api/conversations/${encodeURIComponent(conversationId)}`, { method: 'DELETE', schema: nothing });
}
