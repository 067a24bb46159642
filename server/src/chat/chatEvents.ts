import type { ShopperServerEvents } from '@aisle/shared';
import type { MessageRow } from '../db/conversationRepository';
import type { Logger } from '../logger';

/**
 * Who hears about changes in a conversation: the shoppers watching it (through a broadcast to its
 * room) and in-process observers such as the agent console.
 */

/** Sends a server event to everyone watching a conversation. */
export type ConversationBroadcast = <E extends keyof ShopperServerEvents>(
  conversationId: string,
  event: E,
  ...args: Parameters<ShopperServerEvents[E]>
) => void;

/** Notified of changes, e.g. by the agent console to update live. */
export interface ChatObserver {
  messageStored?(row: MessageRow): void;
  conversationChanged?(conversationId: string): void;
  delta?(event: { conversationId: string; messageId: string; offset: number; text: string }): void;
}

/** Calls every observer with one change; an observer that throws is logged and does not stop the others. */
export type NotifyObservers = (fn: (o: ChatObserver) => void) => void;

/** The set of observers and how to tell them all about one change. */
export function createChatObservers(log: Logger): { observe(observer: ChatObserver): () => void; notify: NotifyObservers } {
  const observers = new Set<ChatObserver>();
  return {
    observe(observer) {
      observers.add(observer);
      return () => observers.delete(observer);
    },
    notify(fn) {
      for (const o of observers) {
        try {
          fn(o);
        } catch (err) {
          log.error({ err }, 'chat observer failed');
        }
      }
    },
  };
}
