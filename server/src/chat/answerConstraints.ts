import {
  fail,
  ok,
  productSearchSchema,
  type ChatMessage,
  type ChatRefinePayload,
  type Result,
  type ShopperConstraints,
} from '@aisle/shared';
import { constraintsOf, searchArguments, type ConstraintVocabulary } from '../assistant/shopperConstraints';
import type { RateLimits } from '../capacity/rateLimits';
import type { ConversationRepository, MessageRow } from '../db/conversationRepository';
import type { ProductRepository } from '../db/productRepository';
import type { Logger } from '../logger';
import type { CatalogueSearch } from '../search/catalogueSearch';
import type { ConversationBroadcast } from './chatEvents';
import { presentMessage, storedConstraints } from './messagePresenter';

/**
 * The constraints of answers: the catalogue words they are read with, the ones the next answer starts
 * from, and `chat:refine`, the shopper's edit of an answer's chips, which stores the edited constraints
 * and replaces the answer's cards with a fresh catalogue search at once, without the model.
 */

/** Nouns too general to name a category ("Lanterns and camp furniture", "Kids gear"). */
const GENERAL_NOUNS = new Set([
  'accessories',
  'gear',
  'safety',
  'furniture',
  'kitchen',
  'clothing',
  'essentials',
  'other',
  'props',
]);

/** The last word of a product type's last part is its noun: "Shoes > Trail running shoes" → shoes. */
function headNoun(productType: string): string | undefined {
  const last = productType.split('>').at(-1)?.trim().toLowerCase() ?? '';
  const noun = last.match(/[\p{L}]{3,}/gu)?.at(-1);
  return noun === undefined || GENERAL_NOUNS.has(noun) ? undefined : noun;
}

/** The catalogue's categories, brands and product-type nouns, for reading the shopper's words. */
export async function constraintVocabulary(products: ProductRepository): Promise<ConstraintVocabulary> {
  const [categories, words] = await Promise.all([products.categories(), products.constraintWords()]);
  // A noun in several categories ("shoes" in Shoes and Kids) belongs to the one with most products.
  const owner = new Map<string, { category: string; count: number }>();
  const counts = new Map<string, number>();
  for (const { category, type, count } of words.types) {
    const noun = headNoun(type);
    if (noun === undefined) continue;
    const key = `${noun}\u0000${category}`;
    const total = (counts.get(key) ?? 0) + count;
    counts.set(key, total);
    const best = owner.get(noun);
    if (best === undefined || total > best.count) owner.set(noun, { category, count: total });
  }
  const terms: Record<string, string[]> = {};
  for (const [noun, { category }] of owner) terms[category] = [...(terms[category] ?? []), noun];
  return { categories: categories.map((c) => c.category), brands: words.brands, terms };
}

/**
 * What the next answer starts from: the constraints of the latest answer that has them (as the shopper
 * may have edited them), else those read from the shopper's earlier messages.
 */
export function previousConstraints(
  history: readonly MessageRow[],
  vocabulary: ConstraintVocabulary,
): ShopperConstraints | undefined {
  for (let i = history.length - 1; i >= 0; i -= 1) {
    const row = history[i];
    if (row?.role !== 'assistant') continue;
    const stored = storedConstraints(row);
    if (stored) return stored;
  }
  const earlier = history.filter((m) => m.role === 'user').map((m) => m.content);
  earlier.pop();
  return earlier.length > 0 ? constraintsOf(earlier, vocabulary) : undefined;
}

/** What refining needs. */
export interface ConstraintRefinerDeps {
  conversations: ConversationRepository;
  products: ProductRepository;
  catalogue: CatalogueSearch;
  rateLimits: RateLimits;
  broadcast: ConversationBroadcast;
  maxCards: () => number;
  logger: Logger;
}

/** Creates the `chat:refine` service. */
export function createConstraintRefiner(deps: ConstraintRefinerDeps) {
  const log = deps.logger.child({ area: 'constraints' });
  return {
    /**
     * Stores an answer's edited constraints, searches the catalogue with them and stores the cards
     * found (built from the database) as the answer's cards; every tab of the conversation is told.
     */
    async refine(sessionHash: string, payload: ChatRefinePayload): Promise<Result<ChatMessage>> {
      const decision = await deps.rateLimits.consume(sessionHash, 'refine');
      if (!decision.ok) return fail('rate-limited', 'You are changing the filters too quickly.', 'Wait a minute and try again.');
      const conversation = await deps.conversations.getConversation(payload.conversationId);
      if (!conversation || conversation.session_hash !== sessionHash)
        return fail('not-found', 'That conversation was not found.');
      const row = await deps.conversations.getMessage(payload.messageId);
      if (!row || row.conversation_id !== payload.conversationId || row.role !== 'assistant' || row.status === 'streaming')
        return fail('bad-request', 'Only a finished answer’s filters can be changed.');

      // The product words are the answer's own: the shopper edits the chips, not what was searched.
      const before = storedConstraints(row);
      const constraints: ShopperConstraints = {
        ...payload.constraints,
        ...(before?.subject !== undefined ? { subject: before.subject } : {}),
        ...(before?.currency !== undefined ? { currency: before.currency } : {}),
      };
      if (before?.subject === undefined) delete constraints.subject;
      const args = searchArguments(constraints);
      const filters = productSearchSchema.parse({
        q: args.query,
        category: constraints.category,
        brand: constraints.brand,
        minPrice: constraints.priceMin,
        maxPrice: constraints.priceMax,
        size: constraints.size,
        color: constraints.colour,
        inStock: constraints.inStockOnly,
        limit: deps.maxCards(),
      });
      const found = await deps.catalogue.search({ ...filters, origin: 'api' });
      const cards = await deps.products.getCards(found.hits.map((h) => h.row.id));
      const updated = await deps.conversations.updateMessage(row.id, {
        products: JSON.stringify(cards),
        constraints: JSON.stringify(constraints),
      });
      log.info({ conversationId: payload.conversationId, messageId: row.id, cards: cards.length }, 'answer filters changed');
      const message = presentMessage(updated);
      deps.broadcast(payload.conversationId, 'chat:refined', { conversationId: payload.conversationId, message });
      return ok(message);
    },
  };
}

export type ConstraintRefiner = ReturnType<typeof createConstraintRefiner>;
