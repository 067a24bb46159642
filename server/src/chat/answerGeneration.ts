import { BUSY_MESSAGE, type ShopperLocale } from '@aisle/shared';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { emptyAnswerState, runAnswer } from '../assistant/answerRunner';
import { constraintsContext, nextConstraints, searchFilters, withModelArguments } from '../assistant/shopperConstraints';
import type { ToolRunner } from '../assistant/tools';
import type { AdmissionQueue, Slot } from '../capacity/admissionQueue';
import { isQueueFullError } from '../capacity/capacityErrors';
import type { LoadedConfig } from '../config/loadConfig';
import type { ConversationRepository, ConversationRow, MessageRow } from '../db/conversationRepository';
import type { ProductDetails } from '../db/productDetails';
import type { ProductRepository, ProductRow } from '../db/productRepository';
import type { RoutedBackend } from '../llm/hostPool';
import { LlmError } from '../llm/llmErrors';
import type { LlmMessage } from '../llm/types';
import type { Logger } from '../logger';
import { constraintVocabulary, previousConstraints } from './answerConstraints';
import { commitAnswer, failedOutcome, type AnswerOutcome } from './answerCommit';
import { comparisonContext } from './comparisonContext';
import type { ConversationBroadcast, NotifyObservers } from './chatEvents';
import { createLiveText, StopSignal, type Generation, type LiveGenerations } from './liveGenerations';
import { presentMessage } from './messagePresenter';
import { modelFor, settingsFor } from './modelChoice';

/**
 * One answer from start to finish: the model and its settings, a place at the model host (waiting in
 * the fair line when the host is full), the history the model sees, the streamed text, the overall
 * timeout, the tool loop, then the commit and `chat:completed` or `chat:failed` to the conversation's room.
 */

/** What a generation needs from the chat service that starts it. */
export interface AnswerGenerationDeps {
  conversations: ConversationRepository;
  products: ProductRepository;
  /** Products with their groups' stock, for suggestions and comparisons. */
  details: ProductDetails;
  tools: ToolRunner;
  route: (model: string) => RoutedBackend;
  /** Admission control: an answer holds a place at its host while the model runs. */
  admission: AdmissionQueue;
  /** The capacity pool (host name) an answer for the model waits for. */
  hostFor: (model: string) => string;
  /** The system prompt in force, told the shopper's page language when known. */
  systemPrompt: (shopperLocale?: ShopperLocale) => string;
  broadcast: ConversationBroadcast;
  notify: NotifyObservers;
  live: LiveGenerations;
  logger: Logger;
  /** Tool-result messages about the product the shopper is viewing, and its rows (citable), if any. */
  pageContext?: (conversationId: string) => Promise<{ messages: LlmMessage[]; rows: ProductRow[] }>;
}

/** Spans go nowhere until tracing is configured (the API's no-op tracer). */
const tracer = trace.getTracer('aisle');

/** History in Ollama's shape: the system prompt, then the last N visible turns with text. */
function toLlmHistory(systemPrompt: string, rows: MessageRow[], limit: number): LlmMessage[] {
  const turns = rows
    .filter((r) => (r.role === 'user' || r.role === 'assistant' || r.role === 'agent') && r.content.trim() !== '')
    .slice(-limit)
    .map((r): LlmMessage => ({ role: r.role === 'user' ? 'user' : 'assistant', content: r.content }));
  return [{ role: 'system', content: systemPrompt }, ...turns];
}

/** Who asked for an answer, for the fair line: it is fair between addresses, then between sessions. */
export interface AnswerClient {
  /** The client's network address (or a fixed label for in-process callers). */
  address: string;
  /** The language of the shopper's page, validated with the message: the answer is written in it. */
  locale?: ShopperLocale | undefined;
}

/**
 * Starts generating the answer `messageId` for the conversation's latest user message. Returns at
 * once; the generation is in `deps.live` until its row is committed and the room is told.
 */
export function startGeneration(
  deps: AnswerGenerationDeps,
  loaded: LoadedConfig,
  conversation: ConversationRow,
  messageId: string,
  history: MessageRow[],
  userText: string,
  client: AnswerClient,
): void {
  const { conversations, products, broadcast, live, notify, logger: log } = deps;
  const { config } = loaded;
  const conversationId = conversation.id;
  const settings = settingsFor(loaded, modelFor(conversation, loaded));
  const backend = deps.route(settings.model);
  const controller = new AbortController();
  const state = emptyAnswerState();
  const generation: Generation = {
    conversationId,
    messageId,
    state,
    emitted: '',
    phase: 'waiting',
    detail: undefined,
    controller,
    done: Promise.resolve(),
  };
  const text = createLiveText({
    generation,
    coalesceMs: config.chat.coalesceMs,
    emit: (event) => {
      // Stored for other nodes before it is broadcast: a resume there never misses text it was sent.
      live.appended(event);
      broadcast(conversationId, 'chat:delta', event);
      notify((o) => o.delta?.(event));
    },
  });
  const started = Date.now();
  live.add(generation);
  broadcast(conversationId, 'chat:started', { conversationId, messageId, model: settings.model });
  const setPhase = (phase: Generation['phase'], detail?: string, position?: number) => {
    generation.phase = phase;
    generation.detail = detail;
    generation.position = position;
    live.phaseChanged(generation);
    broadcast(conversationId, 'chat:status', {
      conversationId,
      messageId,
      phase,
      ...(detail ? { detail } : {}),
      ...(position === undefined ? {} : { position }),
    });
  };
  const about = { conversationId, messageId, model: settings.model };
  notify((o) => o.answerStarted?.(about));
  let hasFirstToken = false;
  const finished = (outcome: AnswerOutcome['status'], errorCode: string | null) =>
    notify((o) =>
      o.answerFinished?.({
        ...about,
        host: backend.served()?.hostName ?? null,
        outcome,
        errorCode,
        durationMs: Date.now() - started,
        firstTokenMs: state.firstTokenMs,
        promptTokens: state.stats.promptEvalCount,
        completionTokens: state.stats.evalCount,
        generationNs: state.stats.evalDurationNs,
      }),
    );

  // The answer's span is the active context while it runs, so search and model-call spans nest in it.
  const span = tracer.startSpan('aisle.answer', {
    attributes: { 'aisle.conversation_id': conversationId, 'aisle.message_id': messageId, 'aisle.model': settings.model },
  });
  const run = context.bind(trace.setSpan(context.active(), span), async () => {
    let outcome: AnswerOutcome = { status: 'complete', error: null };
    // What the shopper asked for: the last answer's constraints (as edited) and this message's words.
    const vocabulary = await constraintVocabulary(products);
    let constraints = nextConstraints(previousConstraints(history, vocabulary), userText, vocabulary);
    let slot: Slot | null = null;
    let timeout: NodeJS.Timeout | undefined;
    try {
      // The pool routes each call to the first healthy host the model prefers, falling back only when
      // that one fails; so the answer waits for the host the pool would pick now. A fallback that
      // serves it meanwhile is not counted twice: a failed-over answer is rare and short-lived.
      let wasQueued = false;
      slot = await deps.admission.acquire({
        host: deps.hostFor(settings.model),
        sessionId: conversation.session_hash,
        address: client.address,
        signal: controller.signal,
        onPosition: (position) => {
          wasQueued = true;
          setPhase('queued', undefined, position);
        },
      });
      const admitted = { ...about, host: slot.host, waitedMs: slot.waitedMs };
      notify((o) => o.answerAdmitted?.(admitted));
      if (wasQueued) {
        log.info({ conversationId, messageId, host: slot.host, waitedMs: slot.waitedMs }, 'answer admitted after waiting');
        setPhase('waiting');
      }
      // The answer's own time starts with its place at the host: waiting in line is not the model's slowness.
      timeout = setTimeout(() => controller.abort(new StopSignal('timeout')), config.chat.answerTimeoutMs);
      const viewing = (await deps.pageContext?.(conversationId)) ?? { messages: [], rows: [] };
      for (const row of viewing.rows) state.seenRows.set(row.id, row);
      // "Compare the first two": the products in question, so the model's words match the table.
      const comparing = await comparisonContext(deps.tools, userText, history);
      for (const row of comparing.rows) state.seenRows.set(row.id, row);
      await runAnswer({
        gateway: backend,
        tools: deps.tools,
        settings,
        messages: [
          ...toLlmHistory(deps.systemPrompt(client.locale), history, config.chat.historyMessages),
          { role: 'system', content: constraintsContext(constraints) },
          ...viewing.messages,
          ...comparing.messages,
        ],
        userText,
        priorUserTexts: history
          .filter((m) => m.role === 'user')
          .map((m) => m.content)
          .slice(0, -1),
        prefetchFilters: searchFilters(constraints),
        locale: client.locale,
        signal: controller.signal,
        state,
        callbacks: {
          onPhase: (phase, detail) => setPhase(phase, detail),
          onText: (t) => {
            if (!hasFirstToken && state.firstTokenMs !== null) {
              hasFirstToken = true;
              const firstTokenMs = state.firstTokenMs;
              notify((o) => o.answerFirstToken?.({ ...about, host: backend.served()?.hostName ?? null, firstTokenMs }));
            }
            text.push(t);
          },
          onToolCalls: () => text.flush(),
        },
      });
    } catch (err) {
      if (isQueueFullError(err)) {
        // The shopper's message is stored; the answer fails at once with the retryable `busy` sentence.
        log.warn({ conversationId, messageId, scope: err.scope, address: client.address }, 'answer refused: the line is full');
        outcome = { status: 'error', error: new LlmError('busy', BUSY_MESSAGE, undefined) };
      } else {
        const failed = failedOutcome(err, controller.signal.reason);
        outcome = { status: failed.status, error: failed.error };
        if (failed.isUnexpected) log.error({ err, conversationId, messageId }, 'answer failed unexpectedly');
      }
    } finally {
      clearTimeout(timeout);
      // Released before the commit, so the next shopper in line starts while this row is written.
      slot?.release();
    }
    text.finish();
    const modelSearches = state.traces
      .filter((t) => t.origin === 'model' && t.name === 'search_products')
      .map((t) => t.arguments);
    constraints = withModelArguments(constraints, modelSearches, vocabulary);
    const currency = [...state.seenRows.values()][0]?.currency ?? constraints.currency;
    if (currency !== undefined) constraints = { ...constraints, currency };

    const reason: unknown = controller.signal.reason;
    const { row, status } = await commitAnswer(
      { conversations, products, details: deps.details, logger: log },
      {
        conversationId,
        messageId,
        state,
        outcome,
        stopReason: reason instanceof StopSignal ? reason.reason : null,
        history,
        constraints,
        maxCards: config.chat.maxCards,
        configVersion: loaded.version,
        model: settings.model,
        servedBy: backend.served(),
        startedAt: started,
      },
    );
    live.remove(conversationId);
    const message = presentMessage(row);
    if (status === 'error') broadcast(conversationId, 'chat:failed', { conversationId, message });
    else broadcast(conversationId, 'chat:completed', { conversationId, message });
    notify((o) => o.messageStored?.(row));
    const errorCode = row.error_code ?? null;
    span.setAttributes({ 'aisle.outcome': status, 'aisle.host': backend.served()?.hostName ?? '' });
    if (status === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode ?? 'error' });
    finished(status, status === 'error' ? (errorCode ?? 'internal') : null);
  });
  generation.done = run().catch((err: unknown) => {
    // Only a database failure gets here; the row stays `streaming` and is marked failed at next start.
    live.remove(conversationId);
    log.error({ err, conversationId, messageId }, 'could not store the answer');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'internal' });
    finished('error', 'internal');
  });
  void generation.done.then(() => span.end());
}
