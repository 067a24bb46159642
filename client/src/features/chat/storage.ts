const CONVERSATION_KEY = 'aisle.conversationId';

/** The conversation the shopper was last in. Only a pointer: the session cookie grants access. */
export function loadConversationId(): string | null {
  try {
    return globalThis.localStorage?.getItem(CONVERSATION_KEY) ?? null;
  } catch {
    // Storage can be disabled (privacy mode); the chat still works without remembering.
    return null;
  }
}

/** Remembers (or forgets, with null) the current conversation id. */
export function saveConversationId(id: string | null): void {
  try {
    if (id === null) globalThis.localStorage?.removeItem(CONVERSATION_KEY);
    else globalThis.localStorage?.setItem(CONVERSATION_KEY, id);
  } catch {
    // Ignored for the same reason as above.
  }
}
