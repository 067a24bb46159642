import type { ConversationRepository } from '../db/conversationRepository';
import type { Logger } from '../logger';
import type { ConversationBroadcast, NotifyObservers } from './chatEvents';
import { presentMessage } from './messagePresenter';

/**
 * Answers whose node died while writing them (several nodes): another node marks them failed as
 * `generation-interrupted` (the shopper sees the sentence and Retry), keeping the text they had sent,
 * and tells everyone watching.
 */

/** The shopper's sentence, the same as after a restart of a single node. */
export const INTERRUPTED_MESSAGE = 'The server restarted while this answer was being written.';

/** One answer of a dead node, with the text it had sent as far as the shared store knows it. */
export interface InterruptedAnswer {
  conversationId: string;
  messageId: string;
  /** The text sent so far; saved when it is longer than the last checkpoint. */
  content: string;
}

export function createInterruptedAnswers(deps: {
  conversations: ConversationRepository;
  broadcast: ConversationBroadcast;
  notify: NotifyObservers;
  logger: Logger;
}) {
  const { conversations, broadcast, notify } = deps;
  return {
    /**
     * Marks the answers failed (only those still `streaming`: one committed meanwhile is left alone)
     * and sends `chat:failed` to their conversations. Returns how many were marked.
     */
    async fail(answers: readonly InterruptedAnswer[]): Promise<number> {
      if (answers.length === 0) return 0;
      // The shared text is at most a few milliseconds behind the shopper's screen; the checkpoint up to a second.
      const rows = await Promise.all(answers.map((a) => conversations.getMessage(a.messageId)));
      const longer = answers.filter((a, i) => a.content.length > (rows[i]?.content.length ?? 0));
      if (longer.length > 0)
        conversations.saveStreamingTexts(longer.map((a) => ({ messageId: a.messageId, content: a.content })));
      const marked = await conversations.failInterruptedAnswers(INTERRUPTED_MESSAGE, { only: answers.map((a) => a.messageId) });
      for (const answer of answers) {
        const row = await conversations.getMessage(answer.messageId);
        if (!row || row.status !== 'error' || row.error_code !== 'generation-interrupted') continue;
        broadcast(answer.conversationId, 'chat:failed', { conversationId: answer.conversationId, message: presentMessage(row) });
        notify((o) => o.messageStored?.(row));
      }
      if (marked > 0) deps.logger.warn({ count: marked }, 'marked answers of a dead node as interrupted');
      return marked;
    },
  };
}
