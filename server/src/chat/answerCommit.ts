import type { AnswerState } from '../assistant/answerRunner';
import type { ShopperConstraints } from '@aisle/shared';
import { checkGrounding, type GroundingMismatch } from '../assistant/groundingCheck';
import { linkedProductIds, mentionedByTitle } from '../assistant/references';
import { nowIso } from '../db/database';
import type { ConversationRepository, MessageRow } from '../db/conversationRepository';
import type { ProductDetails } from '../db/productDetails';
import type { ProductRepository } from '../db/productRepository';
import type { RoutedBackend } from '../llm/hostPool';
import { LlmError } from '../llm/llmErrors';
import type { Logger } from '../logger';
import { buildAnswerExtras, type AnswerExtras } from './answerExtras';
import { StopSignal, type StopReason } from './liveGenerations';
import { presentMessage } from './messagePresenter';

/**
 * Committing an answer once its generation ends: how it ended (complete, stopped or failed), its
 * product cards built from the database, the grounding check's findings, and the final row with
 * text, trace, token counts and timings. The row is stored before anyone is told the answer ended.
 */

/** How an answer ended, and the error shown for a failed one. */
export interface AnswerOutcome {
  status: 'complete' | 'stopped' | 'error';
  error: LlmError | null;
}

/**
 * The outcome of a generation that threw: stopped on purpose, timed out (an error), or failed.
 * `isUnexpected` marks a failure that is not a model error, which deserves an error log.
 */
export function failedOutcome(err: unknown, abortReason: unknown): AnswerOutcome & { isUnexpected: boolean } {
  if (abortReason instanceof StopSignal && abortReason.reason !== 'timeout') {
    return { status: 'stopped', error: null, isUnexpected: false };
  }
  if (abortReason instanceof StopSignal) {
    return {
      status: 'error',
      error: new LlmError('ollama-timeout', 'The answer took too long and was stopped.', 'Try again, or ask a shorter question.'),
      isUnexpected: false,
    };
  }
  return {
    status: 'error',
    error: err instanceof LlmError ? err : new LlmError('internal', 'Something went wrong while answering.', 'Try again.'),
    isUnexpected: !(err instanceof LlmError),
  };
}

/** What `commitAnswer` needs to know about one finished generation. */
export interface FinishedAnswer {
  conversationId: string;
  messageId: string;
  state: AnswerState;
  outcome: AnswerOutcome;
  /** Why the generation was stopped, when it was. */
  stopReason: StopReason | null;
  /** The visible conversation before this answer (the shopper's words and earlier answers). */
  history: MessageRow[];
  /** What the shopper asked for (their words, earlier edits, the model's search arguments); stored with the answer. */
  constraints: ShopperConstraints;
  maxCards: number;
  configVersion: string;
  model: string;
  /** The hosts that served the answer, as the backend reports them. */
  servedBy: ReturnType<RoutedBackend['served']>;
  startedAt: number;
}

/**
 * Builds the answer's cards and grounding findings and stores its final row. Resolves with the row
 * and its final status (a complete answer without text is stored as an error); rejects only when
 * the row cannot be stored.
 */
export async function commitAnswer(
  deps: { conversations: ConversationRepository; products: ProductRepository; details: ProductDetails; logger: Logger },
  answer: FinishedAnswer,
): Promise<{ row: MessageRow; status: AnswerOutcome['status'] }> {
  const { conversations, products, logger: log } = deps;
  const { conversationId, messageId, state, history } = answer;
  let { status, error } = answer.outcome;
  if (status === 'complete' && state.content.trim() === '') {
    // A model can end without writing anything (e.g. still asking for tools on the last round).
    status = 'error';
    error = new LlmError(
      'generation-failed',
      'The model finished without writing an answer.',
      'Try again, or ask in other words.',
    );
  }

  // Cards: products the answer links to, else products of this turn it names by title. Built from
  // the database now; ids that do not exist never become cards.
  const seen = [...state.seenRows.values()];
  const linked = linkedProductIds(state.content);
  const ids = (linked.length > 0 ? linked : mentionedByTitle(state.content, seen)).slice(0, answer.maxCards);
  let cards: Awaited<ReturnType<ProductRepository['getCards']>> = [];
  try {
    cards = await products.getCards(ids);
  } catch (err) {
    log.error({ err, messageId }, 'could not build product cards');
  }
  // The grounding check: code, not the model, maps every product and price in the answer to the
  // catalogue. Findings go into the trace and become corrections under the answer.
  let mismatches: GroundingMismatch[] = [];
  if (status !== 'error' && state.content.trim() !== '') {
    try {
      // A search returns one variant per product; linking another size or colour of it is fine.
      const variants = await products.variantIds([...state.seenRows.keys()]);
      const report = await checkGrounding({
        answer: state.content,
        traces: state.traces,
        lookup: (lookupIds) => products.getCards(lookupIds),
        constraints: answer.constraints,
        earlierProductIds: [
          ...variants,
          ...history.filter((m) => m.role === 'assistant').flatMap((m) => presentMessage(m).products.map((p) => p.id)),
        ],
      });
      mismatches = report.mismatches;
      if (mismatches.length > 0)
        log.warn({ conversationId, messageId, mismatches: mismatches.map((m) => m.kind) }, 'grounding mismatches in an answer');
    } catch (err) {
      log.error({ err, messageId }, 'grounding check failed');
    }
  }
  // Suggestions and a requested comparison, from the database; none under a failed answer.
  const extras: AnswerExtras =
    status === 'error'
      ? { suggestions: [], comparison: null }
      : await buildAnswerExtras(
          { details: deps.details, logger: log },
          { messageId, cards, resultIds: [...state.seenRows.keys()], history },
        );
  const row = await conversations.updateMessage(messageId, {
    content: state.content,
    status,
    thinking: state.thinking || null,
    tool_calls: JSON.stringify(state.traces),
    products: JSON.stringify(cards),
    grounding: JSON.stringify(mismatches),
    error_code: error?.code ?? null,
    error_message: error?.message ?? null,
    error_hint: error?.hint ?? null,
    done_reason: status === 'stopped' ? `aborted:${answer.stopReason ?? 'stopped'}` : state.stats.doneReason,
    first_token_ms: state.firstTokenMs,
    total_ms: Date.now() - answer.startedAt,
    prompt_eval_count: state.stats.promptEvalCount,
    eval_count: state.stats.evalCount,
    load_duration_ns: state.stats.loadDurationNs,
    prompt_eval_duration_ns: state.stats.promptEvalDurationNs,
    eval_duration_ns: state.stats.evalDurationNs,
    total_duration_ns: state.stats.totalDurationNs,
    completed_at: nowIso(),
    config_version: answer.configVersion,
    model: answer.model,
    served_by: JSON.stringify(answer.servedBy),
    suggestions: extras.suggestions.length > 0 ? JSON.stringify(extras.suggestions) : null,
    comparison: extras.comparison === null ? null : JSON.stringify(extras.comparison),
    constraints: JSON.stringify(answer.constraints),
  });
  log.info(
    {
      conversationId,
      messageId,
      status,
      errorCode: error?.code,
      // The operator detail: shoppers read a plain sentence, the logs say what to fix.
      errorMessage: error?.message,
      errorHint: error?.hint,
      firstTokenMs: state.firstTokenMs,
      rounds: state.rounds,
      tools: state.traces.length,
      cards: cards.length,
    },
    'answer finished',
  );
  return { row, status };
}
