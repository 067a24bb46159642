import { createContext, useContext } from 'react';
import type { ShopperConstraints } from '@aisle/shared';
import type { UiError } from './chatStore';

/** What the chat components can ask the connection to do. All calls return at once. */
export interface ChatActions {
  send(text: string): void;
  stop(): void;
  retry(messageId: string): void;
  newChat(): void;
  /** Edit and resend the shopper's last message; resolves with an error to show, or null once accepted. */
  edit(messageId: string, text: string): Promise<UiError | null>;
  /** Reopens a conversation from History: it is shown and the next message goes to it. */
  openConversation(conversationId: string): void;
  /** A conversation was deleted from History: if it is the open one, start a new chat. */
  forgetConversation(conversationId: string): void;
  checkHealth(): void;
  /** Thumbs up/down (null clears) with an optional comment. */
  giveFeedback(messageId: string, rating: 'up' | 'down' | null, comment?: string): void;
  /** Records a click on a card's "View product" or "Add to cart" (fire and forget: never delays the link). */
  recordCardClick?(messageId: string, productId: string, kind: 'view' | 'cart'): void;
  /** Ask for a person to join the conversation. */
  requestHuman(): void;
  /** Leave an email for a person to reply to; resolves with an error to show, or null once stored. */
  leaveEmail(email: string, note: string): Promise<UiError | null>;
  /** Edits an answer's constraint chips; its cards are searched again. Resolves with an error to show, or null. */
  refine?(messageId: string, constraints: ShopperConstraints): Promise<UiError | null>;
}

/** Provided by the chat page, which owns the socket. */
export const ChatActionsContext = createContext<ChatActions | null>(null);

/** The chat actions of the enclosing chat page. */
export function useChatActions(): ChatActions {
  const actions = useContext(ChatActionsContext);
  if (actions === null) throw new Error('useChatActions must be used inside <ChatActionsContext>');
  return actions;
}
