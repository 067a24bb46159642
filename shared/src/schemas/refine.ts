import { z } from 'zod';
import { chatMessageSchema, ids } from './chat';
import { shopperConstraintsSchema } from './constraints';

/**
 * `chat:refine`: the shopper edited the constraints of an answer (removed a chip, changed the price).
 * The server stores them, searches again and replies with the answer's fresh cards.
 */
export const chatRefineSchema = z
  .object({
    conversationId: ids.conversation,
    messageId: ids.message,
    constraints: shopperConstraintsSchema,
  })
  .strict();
export type ChatRefinePayload = z.infer<typeof chatRefineSchema>;

/** `chat:refined`: an answer's constraints and cards changed (sent to every tab of the conversation). */
export const chatRefinedEventSchema = z.object({ conversationId: z.string(), message: chatMessageSchema });
export type ChatRefinedEvent = z.infer<typeof chatRefinedEventSchema>;
