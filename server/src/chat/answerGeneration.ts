import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { emptyAnswerState, runAnswer } from '../assistant/answerRunner';
import type { ToolRunner } from '../assistant/tools';
import type { LoadedConfig } from '../config/loadConfig';
import type { ConversationRepository, ConversationRow, MessageRow } from '../db/conversationRepository';
import type { ProductRepository } from '../db/productRepository';
import type { RoutedBackend } from '../llm/hostPool';
import type { LlmMessage } from '../llm/types';
import type { Logger } from '../logger';
import { commitAnswer, failedOutcome, type AnswerOutcome } from './answerCommit';
import type { ConversationBroadcast, NotifyObservers } from './chatEvents';
import { createLiveText, StopSignal, type Generation, type LiveGenerations } from './liveGenerations';
import { presentMessage } from './messagePresenter';
import { modelFor, settingsFor } from './modelChoice';

/**
 * One answer from start to finish: the model and its settings, the history the model sees, the
 * streamed text, the overall timeout, the tool loop, then the commit and `chat:completed` or
 * `chat:failed` to the conversation's room.
 */

/** What a generation needs from the chat service that starts it. */
export interface AnswerGenerationDeps {
  conversations: ConversationRepository;
  products: ProductRepository;
  tools: ToolRunner;
  route: (model: string) => RoutedBackend;
  systemPrompt: () => string;
  broadcast: ConversationBroadcast;
  notify: NotifyObservers;
  live: LiveGenerations;
  logger: Logger;
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
      broadcast(conversationId, 'chat:delta', event);
      notify((o) => o.delta?.(event));
    },
    save: (content) => conversations.saveStreamingText(messageId, content),
    logger: log,
  });
  const timeout = setTimeout(() => controller.abort(new StopSignal('timeout')), config.chat.answerTimeoutMs);
  const started = Date.now();
  live.add(generation);
  broadcast(conversationId, 'chat:started', { conversationId, messageId, model: settings.model });
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
    try {
      await runAnswer({
        gateway: backend,
        tools: deps.tools,
        settings,
        messages: toLlmHistory(deps.systemPrompt(), history, config.chat.historyMessages),
        userText,
        priorUserTexts: history
          .filter((m) => m.role === 'user')
          .map((m) => m.content)
          .slice(0, -1),
        signal: controller.signal,
        state,
        callbacks: {
          onPhase: (phase, detail) => {
            generation.phase = phase;
            generation.detail = detail;
            broadcast(conversationId, 'chat:status', { conversationId, messageId, phase, ...(detail ? { detail } : {}) });
          },
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
      const failed = failedOutcome(err, controller.signal.reason);
      outcome = { status: failed.status, error: failed.error };
      if (failed.isUnexpected) log.error({ err, conversationId, messageId }, 'answer failed unexpectedly');
    } finally {
      clearTimeout(timeout);
    }
    await text.finish();

    const reason: unknown = controller.signal.reason;
    const { row, status } = await commitAnswer(
      { conversations, products, logger: log },
      {
        conversationId,
        messageId,
        state,
        outcome,
        stopReason: reason instanceof StopSignal ? reason.reason : null,
        history,
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
