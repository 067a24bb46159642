import type { Comparison, ProductCard, Suggestion } from '@aisle/shared';
import { extractPrefetchFilters } from '../assistant/tools';
import type { MessageRow } from '../db/conversationRepository';
import type { ProductDetails } from '../db/productDetails';
import type { Logger } from '../logger';
import { buildComparison, comparisonRequest } from './comparison';
import { presentMessage } from './messagePresenter';
import { buildSuggestions } from './suggestions';

/**
 * What an answer carries besides its text and cards: suggestions from facets of its results, and a
 * comparison when the shopper asked to compare. Both read the products from the database now, so
 * neither can show a product, price or size the catalogue does not have.
 */
export interface AnswerExtras {
  suggestions: Suggestion[];
  comparison: Comparison | null;
}

/** Builds an answer's extras; a failure is logged and leaves them out (the answer itself stands). */
export async function buildAnswerExtras(
  deps: { details: ProductDetails; logger: Logger },
  answer: {
    messageId: string;
    cards: readonly ProductCard[];
    /** Ids of every product the answer's searches returned. */
    resultIds: readonly string[];
    /** The visible conversation, the shopper's latest message last. */
    history: readonly MessageRow[];
  },
): Promise<AnswerExtras> {
  try {
    const userTexts = answer.history.filter((m) => m.role === 'user').map((m) => m.content);
    const latest = userTexts[userTexts.length - 1] ?? '';
    const said = userTexts.map((t) => extractPrefetchFilters(t));
    const shopperSize = said.findLast((f) => f.size !== undefined)?.size;
    const shopperMaxPrice = said.findLast((f) => f.maxPrice !== undefined)?.maxPrice;
    const cardIds = answer.cards.filter((c) => c.isGone !== true).map((c) => c.id);
    const results = await deps.details.facts([...cardIds, ...answer.resultIds]);
    const suggestions = buildSuggestions({
      results,
      cardIds,
      ...(shopperSize === undefined ? {} : { shopperSize }),
      ...(shopperMaxPrice === undefined ? {} : { shopperMaxPrice }),
    });

    const previousCards =
      answer.history
        .filter((m) => m.role === 'assistant')
        .map((m) => presentMessage(m).products)
        .findLast((cards) => cards.length > 0) ?? [];
    const asked = comparisonRequest(latest, answer.cards, previousCards);
    let comparison: Comparison | null = null;
    if (asked !== null) {
      const facts = await deps.details.facts(asked);
      if (facts.length >= 2) comparison = buildComparison(facts);
    }
    return { suggestions, comparison };
  } catch (err) {
    deps.logger.error({ err, messageId: answer.messageId }, 'could not build suggestions or a comparison');
    return { suggestions: [], comparison: null };
  }
}
