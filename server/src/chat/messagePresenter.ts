import {
  comparisonSchema,
  productCardSchema,
  suggestionSchema,
  shopperConstraintsSchema,
  type ShopperConstraints,
  type CardChange,
  type ChatMessage,
  type Money,
  type MessageRole,
  type MessageStatus,
  type ProductCard,
} from '@aisle/shared';
import { z } from 'zod';
import { corrections, type GroundingMismatch } from '../assistant/groundingCheck';
import type { MessageRow } from '../db/conversationRepository';
import type { ProductOffer } from '../db/productRepository';

const cardsSchema = z.array(productCardSchema);
const suggestionsSchema = z.array(suggestionSchema);

/** A stored JSON column read with its schema; anything unreadable is left out rather than shown. */
function storedJson<T>(text: string | null, schema: z.ZodType<T>): T | undefined {
  if (text === null) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

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
    ...optional('suggestions', storedJson(row.suggestions, suggestionsSchema)),
    ...optional('comparison', storedJson(row.comparison, comparisonSchema)),
    ...withConstraints(row),
  };
}

/** `{ key: value }` when there is a value, else nothing (optional fields stay absent, not undefined). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** The constraints stored with an answer, or undefined for other rows and rows from before them. */
export function storedConstraints(row: Pick<MessageRow, 'constraints'>): ShopperConstraints | undefined {
  if (!row.constraints) return undefined;
  try {
    const parsed = shopperConstraintsSchema.safeParse(JSON.parse(row.constraints));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** An answer's constraints, for its chips; nothing for rows without them. */
function withConstraints(row: MessageRow): Pick<ChatMessage, 'constraints'> {
  const constraints = row.role === 'assistant' ? storedConstraints(row) : undefined;
  return constraints ? { constraints } : {};
}

/** The price a card offers to pay: the sale price when it is below the regular one (as the card shows it). */
function payablePrice(offer: Pick<ProductOffer, 'price' | 'salePrice'>): Money {
  return offer.salePrice !== null && offer.salePrice.amountMinor < offer.price.amountMinor ? offer.salePrice : offer.price;
}

/**
 * A stored card as the shopper should see it today: today's price, sale price and availability, with
 * what changed since the answer. A product gone from the catalogue (`now` undefined) keeps the stored
 * card and is marked `no-longer-available`, so the shopper is not offered something that is not there.
 */
export function freshenCard(stored: ProductCard, now: ProductOffer | undefined): ProductCard {
  const { change: _stale, ...card } = stored;
  if (now === undefined) return { ...card, change: { stock: 'no-longer-available' } };
  const change: CardChange = {};
  const was = payablePrice(stored);
  const is = payablePrice(now);
  if (was.amountMinor !== is.amountMinor || was.currency !== is.currency) change.priceWas = was;
  if (now.availability === 'out_of_stock' && stored.availability !== 'out_of_stock') change.stock = 'now-out-of-stock';
  // From preorder, "back" would claim it was in stock before; from backorder it was, and is again.
  else if (now.availability === 'in_stock' && (stored.availability === 'out_of_stock' || stored.availability === 'backorder'))
    change.stock = 'back-in-stock';
  const isChanged = change.priceWas !== undefined || change.stock !== undefined;
  return {
    ...card,
    price: now.price,
    salePrice: now.salePrice,
    availability: now.availability,
    ...(isChanged ? { change } : {}),
  };
}

/**
 * The messages of a reopened conversation (resume, reload) with every card brought up to date, from one
 * batched read of today's offers for all cards. Live answers and the agents' transcripts use the stored
 * cards as they are: the first are already current, the second are the record of what was shown.
 */
export async function presentReopened(
  rows: readonly MessageRow[],
  feedback: FeedbackMap,
  currentOffers: (ids: readonly string[]) => Promise<ReadonlyMap<string, ProductOffer>>,
): Promise<ChatMessage[]> {
  const messages = rows.map((row) => presentMessage(row, feedback));
  const ids = messages.flatMap((m) => m.products.map((p) => p.id));
  if (ids.length === 0) return messages;
  const offers = await currentOffers(ids);
  return messages.map((m) =>
    m.products.length === 0 ? m : { ...m, products: m.products.map((card) => freshenCard(card, offers.get(card.id))) },
  );
}
