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

/** An answer began generating for `model`. */
export interface AnswerStartedEvent {
  conversationId: string;
  messageId: string;
  model: string;
}

/** The answer's first text arrived, `firstTokenMs` after the answer started. */
export interface AnswerFirstTokenEvent extends AnswerStartedEvent {
  /** The host name that served it (null when the backend did not say). */
  host: string | null;
  firstTokenMs: number;
}

/** An answer ended: its row is committed (or could not be, then `outcome` is error and the code `internal`). */
export interface AnswerFinishedEvent extends AnswerStartedEvent {
  host: string | null;
  outcome: 'complete' | 'stopped' | 'error';
  /** The error code shown to the shopper, for failed answers. */
  errorCode: string | null;
  durationMs: number;
  firstTokenMs: number | null;
  promptTokens: number;
  completionTokens: number;
  /** Time the model spent generating `completionTokens`, as the backend reported it (0 when unknown). */
  generationNs: number;
}

/** An answer got its place at a model host, after `waitedMs` in line (0 when it did not wait). */
export interface AnswerAdmittedEvent extends AnswerStartedEvent {
  host: string;
  waitedMs: number;
}

/** Notified of changes, e.g. by the agent console to update live, or by metrics. */
export interface ChatObserver {
  messageStored?(row: MessageRow): void;
  conversationChanged?(conversationId: string): void;
  delta?(event: { conversationId: string; messageId: string; offset: number; text: string }): void;
  answerStarted?(event: AnswerStartedEvent): void;
  answerAdmitted?(event: AnswerAdmittedEvent): void;
  answerFirstToken?(event: AnswerFirstTokenEvent): void;
  answerFinished?(event: AnswerFinishedEvent): void;
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
