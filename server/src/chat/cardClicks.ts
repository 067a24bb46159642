import { fail, ok, type ChatCardClickPayload, type Result } from '@aisle/shared';
import { z } from 'zod';
import type { RateLimits } from '../capacity/rateLimits';
import type { CardClickRepository } from '../db/cardClickRepository';
import type { ConversationRepository } from '../db/conversationRepository';

/** Only the ids matter here: the stored cards are whatever the answer showed. */
const storedCardsSchema = z.array(z.object({ id: z.string() }));

/**
 * Shoppers' clicks on answer cards, for the dashboard's click and add-to-cart rates. A click counts
 * only on the shopper's own conversation and only for a card that answer really showed, so a script
 * cannot inflate one model's or arm's figures; it spends the feedback budget, like thumbs.
 */
export function createCardClickService(deps: {
  clicks: CardClickRepository;
  conversations: ConversationRepository;
  rateLimits: RateLimits;
}) {
  return {
    async record(sessionHash: string, payload: ChatCardClickPayload): Promise<Result<null>> {
      const decision = await deps.rateLimits.consume(sessionHash, 'feedback');
      if (!decision.ok) return fail('rate-limited', 'You are clicking too quickly.', 'Wait a minute and try again.');
      const conversation = await deps.conversations.getConversation(payload.conversationId);
      // Same answer for "does not exist" and "not yours": an id alone reveals nothing.
      if (!conversation || conversation.session_hash !== sessionHash)
        return fail('not-found', 'That conversation was not found.');
      const message = await deps.conversations.getMessage(payload.messageId);
      if (!message || message.conversation_id !== conversation.id || message.role !== 'assistant')
        return fail('bad-request', 'That answer was not found.');
      if (!cardIds(message.products).has(payload.productId)) return fail('bad-request', 'That product is not on this answer.');
      await deps.clicks.record({
        messageId: message.id,
        conversationId: conversation.id,
        productId: payload.productId,
        kind: payload.kind,
      });
      return ok(null);
    },
  };
}

function cardIds(stored: string | null): Set<string> {
  if (stored === null) return new Set();
  try {
    const parsed = storedCardsSchema.safeParse(JSON.parse(stored));
    return new Set(parsed.success ? parsed.data.map((c) => c.id) : []);
  } catch {
    return new Set();
  }
}

export type CardClickService = ReturnType<typeof createCardClickService>;
