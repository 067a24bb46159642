import { productCardSchema, type ChatMessage, type MessageRole, type MessageStatus } from '@aisle/shared';
import { z } from 'zod';
import { corrections, type GroundingMismatch } from '../assistant/groundingCheck';
import type { MessageRow } from '../db/conversationRepository';

const cardsSchema = z.array(productCardSchema);

export type FeedbackMap = ReadonlyMap<string, { rating: 'up' | 'down'; comment: string | null }>;

/** Turns a stored message into what the shopper's UI sees (no thinking text, no tool trace). */
export function presentMessage(row: MessageRow, feedback?: FeedbackMap): ChatMessage {
  const parsedCards = row.products ? cardsSchema.safeParse(JSON.parse(row.products)) : null;
  return {
    id: row.id,
    conversationId: row.conversation_id,
    role: row.role as MessageRole,
    content: row.content,
    status: row.status as MessageStatus,
    createdAt: row.created_at,
    products: parsedCards?.success ? parsedCards.data : [],
    error: row.error_code
      ? { code: row.error_code, message: row.error_message ?? '', ...(row.error_hint ? { hint: row.error_hint } : {}) }
      : null,
    feedback: feedback?.get(row.id) ?? null,
    corrections: row.grounding ? corrections(JSON.parse(row.grounding) as GroundingMismatch[]) : [],
    authorName: row.role === 'agent' ? (row.author_name ?? 'Shop assistant') : null,
  };
}
