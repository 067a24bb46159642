import { readItem, writeItem } from './frameStorage';

const CONVERSATION_KEY = 'aisle.conversationId';

/** The conversation the shopper was last in. Only a pointer: the session (cookie or token) grants access. */
export function loadConversationId(): string | null {
  return readItem(CONVERSATION_KEY);
}

/** Remembers (or forgets, with null) the current conversation id. */
export function saveConversationId(id: string | null): void {
  writeItem(CONVERSATION_KEY, id);
}
