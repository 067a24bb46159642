import {
  MAX_MESSAGE_CHARS,
  type AnswerPhase,
  type ChatResumePayload,
  type ChatRetryPayload,
  type ChatSendPayload,
  type ChatSendReply,
  type ChatFeedbackPayload,
  type ChatStopPayload,
  type ConversationSnapshot,
  type Result,
  type ShopperServerEvents,
  fail,
  ok,
} from '@aisle/shared';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { emptyAnswerState, runAnswer, type AnswerSettings, type AnswerState } from '../assistant/answerRunner';
import { DeltaCoalescer } from '../assistant/deltaCoalescer';
import { checkGrounding, extractShopperConstraints, type GroundingMismatch } from '../assistant/groundingCheck';
import { linkedProductIds, mentionedByTitle } from '../assistant/references';
import type { ToolRunner } from '../assistant/tools';
import type { LoadedConfig } from '../config/loadConfig';
import { nowIso } from '../db/database';
import type { ConversationRepository, ConversationRow, MessageRow } from '../db/conversationRepository';
import type { ProductRepository } from '../db/productRepository';
import { LlmError } from '../llm/llmErrors';
import { resolveModelSettings } from '../config/modelSettings';
import type { RoutedBackend } from '../llm/hostPool';
import type { LlmMessage } from '../llm/ollamaClient';
import type { Logger } from '../logger';
import { presentMessage } from './messagePresenter';

/** Sends a server event to everyone watching a conversation. */
export type ConversationBroadcast = <E extends keyof ShopperServerEvents>(
  conversationId: string,
  event: E,
  ...args: Parameters<ShopperServerEvents[E]>
) => void;

/** Why a generation ended early. */
type StopReason = 'stopped' | 'disconnected' | 'shutdown' | 'timeout' | 'taken-over';

const CHECKPOINT_MS = 1000;

class StopSignal extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
    this.name = 'StopSignal';
  }
}

/** An answer being generated: its live text (for resumes) and how to stop it. */
interface Generation {
  conversationId: string;
  messageId: string;
  state: AnswerState;
  /** Text already sent to clients; resumes continue from here so no text is lost or repeated. */
  emitted: string;
  phase: AnswerPhase;
  detail: string | undefined;
  controller: AbortController;
  done: Promise<void>;
}

/** Notified of changes, e.g. by the agent console to update live. */
export interface ChatObserver {
  messageStored?(row: MessageRow): void;
  conversationChanged?(conversationId: string): void;
  delta?(event: { conversationId: string; messageId: string; offset: number; text: string }): void;
}

export interface ChatServiceDeps {
  conversations: ConversationRepository;
  products: ProductRepository;
  tools: ToolRunner;
  /** A backend for one model that fails over between hosts and says which one served. */
  route: (model: string) => RoutedBackend;
  config: () => LoadedConfig;
  systemPrompt: () => string;
  broadcast: ConversationBroadcast;
  logger: Logger;
}

/**
 * The shopper chat: stores messages, runs one answer per conversation at a time, streams it to the
 * conversation's room, and commits every answer (complete, stopped or failed) before confirming it.
 */
export function createChatService(deps: ChatServiceDeps) {
  const { conversations, products, broadcast } = deps;
  const log = deps.logger.child({ area: 'chat' });
  const generations = new Map<string, Generation>();
  const graceTimers = new Map<string, NodeJS.Timeout>();
  const observers = new Set<ChatObserver>();
  const notify = (fn: (o: ChatObserver) => void) => {
    for (const o of observers) {
      try {
        fn(o);
      } catch (err) {
        log.error({ err }, 'chat observer failed');
      }
    }
  };
  /** Conversations whose next answer is being set up (between the check and the start). */
  const starting = new Set<string>();
  let limiter: { perMinute: number; limiter: RateLimiterMemory } | null = null;

  function rateLimiter(): RateLimiterMemory {
    const perMinute = deps.config().config.chat.messagesPerMinute;
    if (!limiter || limiter.perMinute !== perMinute)
      limiter = { perMinute, limiter: new RateLimiterMemory({ points: perMinute, duration: 60 }) };
    return limiter.limiter;
  }

  async function ownedConversation(sessionHash: string, conversationId: string) {
    const conversation = await conversations.getConversation(conversationId);
    // Same answer for "does not exist" and "not yours": an id alone reveals nothing.
    if (!conversation || conversation.session_hash !== sessionHash) return null;
    return conversation;
  }

  /** Settings for one answer from one reading of the config: the model's own entry over the chat defaults. */
  function settingsFor(loaded: LoadedConfig, model: string): AnswerSettings {
    const { chat, ollama } = loaded.config;
    const m = resolveModelSettings(loaded.config, model);
    return {
      model: m.model,
      think: m.think,
      keepAlive: m.keepAlive,
      options: m.options,
      maxToolRounds: chat.maxToolRounds,
      prefetchProducts: chat.prefetchProducts,
      firstTokenTimeoutMs: ollama.firstTokenTimeoutMs,
      idleTimeoutMs: ollama.idleTimeoutMs,
      busyRetries: ollama.busyRetries,
      busyRetryBaseMs: ollama.busyRetryBaseMs,
    };
  }

  /**
   * The model that answers a conversation: the experiment's candidate for conversations routed to it
   * while that experiment runs, otherwise the configured chat model (so a config edit applies to the
   * next answer).
   */
  function modelFor(conversation: ConversationRow, loaded: LoadedConfig): string {
    const experiment = loaded.config.experiment;
    if (conversation.arm === 'candidate' && experiment && experiment.name === conversation.experiment)
      return experiment.candidate;
    return loaded.config.chat.model;
  }

  /** Picks the arm of a new conversation when an experiment runs. */
  function assignArm(loaded: LoadedConfig): { name: string; arm: 'control' | 'candidate'; model: string } | null {
    const experiment = loaded.config.experiment;
    if (!experiment) return null;
    const isCandidate = Math.random() < experiment.share;
    return {
      name: experiment.name,
      arm: isCandidate ? 'candidate' : 'control',
      model: isCandidate ? experiment.candidate : loaded.config.chat.model,
    };
  }

  /** History in Ollama's shape: the system prompt, then the last N visible turns with text. */
  function toLlmHistory(rows: MessageRow[], limit: number): LlmMessage[] {
    const turns = rows
      .filter((r) => (r.role === 'user' || r.role === 'assistant' || r.role === 'agent') && r.content.trim() !== '')
      .slice(-limit)
      .map((r): LlmMessage => ({ role: r.role === 'user' ? 'user' : 'assistant', content: r.content }));
    return [{ role: 'system', content: deps.systemPrompt() }, ...turns];
  }

  /** Starts generating the answer `messageId` for the conversation's latest user message. */
  function startGeneration(
    loaded: LoadedConfig,
    conversation: ConversationRow,
    messageId: string,
    history: MessageRow[],
    userText: string,
  ): void {
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
    // Text already shown is saved about once a second, so a crash or kill loses at most that second.
    let checkpoint: Promise<void> = Promise.resolve();
    let lastCheckpointAt = Date.now();
    const coalescer = new DeltaCoalescer(config.chat.coalesceMs, (text) => {
      const offset = generation.emitted.length;
      generation.emitted += text;
      const event = { conversationId, messageId, offset, text };
      broadcast(conversationId, 'chat:delta', event);
      notify((o) => o.delta?.(event));
      if (Date.now() - lastCheckpointAt >= CHECKPOINT_MS) {
        lastCheckpointAt = Date.now();
        const content = generation.emitted;
        checkpoint = checkpoint
          .then(() => conversations.saveStreamingText(messageId, content))
          .catch((err: unknown) => log.warn({ err, messageId }, 'could not save streaming text'));
      }
    });
    const timeout = setTimeout(() => controller.abort(new StopSignal('timeout')), config.chat.answerTimeoutMs);
    const started = Date.now();
    generations.set(conversationId, generation);
    broadcast(conversationId, 'chat:started', { conversationId, messageId, model: settings.model });

    generation.done = (async () => {
      let status: 'complete' | 'stopped' | 'error' = 'complete';
      let error: LlmError | null = null;
      try {
        await runAnswer({
          gateway: backend,
          tools: deps.tools,
          settings,
          messages: toLlmHistory(history, config.chat.historyMessages),
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
            onText: (text) => coalescer.push(text),
            onToolCalls: () => coalescer.flush(),
          },
        });
      } catch (err) {
        const reason = controller.signal.reason;
        if (reason instanceof StopSignal && reason.reason !== 'timeout') {
          status = 'stopped';
        } else if (reason instanceof StopSignal) {
          status = 'error';
          error = new LlmError(
            'ollama-timeout',
            'The answer took too long and was stopped.',
            'Try again, or ask a shorter question.',
          );
        } else {
          status = 'error';
          error = err instanceof LlmError ? err : new LlmError('internal', 'Something went wrong while answering.', 'Try again.');
          if (!(err instanceof LlmError)) log.error({ err, conversationId, messageId }, 'answer failed unexpectedly');
        }
      } finally {
        clearTimeout(timeout);
      }
      if (status === 'complete' && state.content.trim() === '') {
        // A model can end without writing anything (e.g. still asking for tools on the last round).
        status = 'error';
        error = new LlmError(
          'generation-failed',
          'The model finished without writing an answer.',
          'Try again, or ask in other words.',
        );
      }
      coalescer.flush();
      coalescer.dispose();
      await checkpoint;

      // Cards: products the answer links to, else products of this turn it names by title. Built from
      // the database now; ids that do not exist never become cards.
      const seen = [...state.seenRows.values()];
      const linked = linkedProductIds(state.content);
      const ids = (linked.length > 0 ? linked : mentionedByTitle(state.content, seen)).slice(0, config.chat.maxCards);
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
          const categories = (await products.categories()).map((c) => c.category);
          // A search returns one variant per product; linking another size or colour of it is fine.
          const variants = await products.variantIds([...state.seenRows.keys()]);
          const report = await checkGrounding({
            answer: state.content,
            traces: state.traces,
            lookup: (lookupIds) => products.getCards(lookupIds),
            constraints: extractShopperConstraints(
              history.filter((m) => m.role === 'user').map((m) => m.content),
              categories,
            ),
            earlierProductIds: [
              ...variants,
              ...history.filter((m) => m.role === 'assistant').flatMap((m) => presentMessage(m).products.map((p) => p.id)),
            ],
          });
          mismatches = report.mismatches;
          if (mismatches.length > 0)
            log.warn(
              { conversationId, messageId, mismatches: mismatches.map((m) => m.kind) },
              'grounding mismatches in an answer',
            );
        } catch (err) {
          log.error({ err, messageId }, 'grounding check failed');
        }
      }
      const stopNote = controller.signal.reason instanceof StopSignal ? controller.signal.reason.reason : null;
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
        done_reason: status === 'stopped' ? `aborted:${stopNote ?? 'stopped'}` : state.stats.doneReason,
        first_token_ms: state.firstTokenMs,
        total_ms: Date.now() - started,
        prompt_eval_count: state.stats.promptEvalCount,
        eval_count: state.stats.evalCount,
        load_duration_ns: state.stats.loadDurationNs,
        prompt_eval_duration_ns: state.stats.promptEvalDurationNs,
        eval_duration_ns: state.stats.evalDurationNs,
        total_duration_ns: state.stats.totalDurationNs,
        completed_at: nowIso(),
        config_version: loaded.version,
        model: settings.model,
        served_by: JSON.stringify(backend.served()),
      });
      generations.delete(conversationId);
      const message = presentMessage(row);
      log.info(
        {
          conversationId,
          messageId,
          status,
          errorCode: error?.code,
          firstTokenMs: state.firstTokenMs,
          rounds: state.rounds,
          tools: state.traces.length,
          cards: cards.length,
        },
        'answer finished',
      );
      if (status === 'error') broadcast(conversationId, 'chat:failed', { conversationId, message });
      else broadcast(conversationId, 'chat:completed', { conversationId, message });
      notify((o) => o.messageStored?.(row));
    })().catch((err: unknown) => {
      // Only a database failure gets here; the row stays `streaming` and is marked failed at next start.
      generations.delete(conversationId);
      log.error({ err, conversationId, messageId }, 'could not store the answer');
    });
  }

  /** A visible, stored line in the conversation (who joined or left), delivered live. */
  async function postNotice(conversationId: string, content: string): Promise<void> {
    const row = await conversations.insertSystemMessage({ conversationId, content });
    broadcast(conversationId, 'chat:message', { conversationId, message: presentMessage(row) });
    notify((o) => o.messageStored?.(row));
  }

  async function sendUnlocked(
    sessionHash: string,
    payload: ChatSendPayload,
    text: string,
    existing: Awaited<ReturnType<typeof ownedConversation>>,
    beforeStart: (conversationId: string) => Promise<void>,
  ): Promise<Result<ChatSendReply>> {
    const loaded = deps.config();
    const { config } = loaded;
    let conversation = existing;
    try {
      await rateLimiter().consume(sessionHash);
    } catch {
      return fail('rate-limited', 'You are sending messages too quickly.', 'Wait a minute and try again.');
    }
    if (!conversation) {
      const arm = assignArm(loaded);
      conversation = await conversations.createConversation({
        sessionHash,
        title: text.slice(0, 80),
        model: arm?.model ?? config.chat.model,
        experiment: arm ? { name: arm.name, arm: arm.arm } : null,
      });
    }
    const { message: userRow, isDuplicate } = await conversations.insertUserMessage({
      conversationId: conversation.id,
      clientMessageId: payload.clientMessageId,
      content: text,
    });
    if (!isDuplicate) notify((o) => o.messageStored?.(userRow));
    if (conversation.status === 'taken_over') {
      // A person answers this conversation now: store the message for them, start no answer.
      return ok({ conversationId: conversation.id, userMessage: presentMessage(userRow), assistantMessageId: '' });
    }
    if (isDuplicate) {
      const later = (await conversations.listMessages(conversation.id)).find(
        (m) => m.seq > userRow.seq && m.role === 'assistant',
      );
      return ok({ conversationId: conversation.id, userMessage: presentMessage(userRow), assistantMessageId: later?.id ?? '' });
    }
    const assistant = await conversations.insertAssistantMessage({
      conversationId: conversation.id,
      model: modelFor(conversation, loaded),
      configVersion: loaded.version,
    });
    const history = (await conversations.listMessages(conversation.id, { visibleOnly: true })).filter(
      (m) => m.id !== assistant.id,
    );
    // The sender watches before the first event, so it sees chat:started and the searching phase.
    await beforeStart(conversation.id);
    startGeneration(loaded, conversation, assistant.id, history, text);
    return ok({ conversationId: conversation.id, userMessage: presentMessage(userRow), assistantMessageId: assistant.id });
  }

  async function retryUnlocked(
    conversation: NonNullable<Awaited<ReturnType<typeof ownedConversation>>>,
    payload: ChatRetryPayload,
  ): Promise<Result<{ assistantMessageId: string }>> {
    const loaded = deps.config();
    if (conversation.status === 'taken_over') return fail('taken-over', 'A member of our team is answering this conversation.');
    const visible = await conversations.listMessages(conversation.id, { visibleOnly: true });
    const last = visible.at(-1);
    if (!last || last.id !== payload.messageId || last.role !== 'assistant' || last.status === 'streaming') {
      return fail('bad-request', 'Only the latest answer can be retried.');
    }
    const userText = [...visible].reverse().find((m) => m.role === 'user')?.content ?? '';
    const assistant = await conversations.insertAssistantMessage({
      conversationId: conversation.id,
      model: modelFor(conversation, loaded),
      configVersion: loaded.version,
    });
    await conversations.updateMessage(last.id, { replaced_by: assistant.id });
    startGeneration(
      loaded,
      conversation,
      assistant.id,
      visible.filter((m) => m.id !== last.id),
      userText,
    );
    return ok({ assistantMessageId: assistant.id });
  }

  return {
    /** Stores the shopper's message, confirms it once committed, and starts the answer. */
    async send(
      sessionHash: string,
      payload: ChatSendPayload,
      beforeStart: (conversationId: string) => Promise<void> = async () => undefined,
    ): Promise<Result<ChatSendReply>> {
      const { config } = deps.config();
      const text = payload.text.trim();
      const cap = Math.min(config.chat.maxMessageChars, MAX_MESSAGE_CHARS);
      if (text.length === 0) return fail('bad-request', 'Type a message first.');
      if (text.length > cap) {
        return fail(
          'message-too-long',
          `Your message is ${text.length.toLocaleString('en')} characters; the limit is ${cap.toLocaleString('en')}.`,
          'Shorten it and send again.',
        );
      }
      // A resend after a network drop gets the original acknowledgement, even while its answer streams
      // and even when the browser never learnt the conversation id.
      const earlier = await conversations.findUserMessageByClientId(sessionHash, payload.clientMessageId);
      if (earlier && (!payload.conversationId || payload.conversationId === earlier.conversation_id)) {
        const later = (await conversations.listMessages(earlier.conversation_id)).find(
          (m) => m.seq > earlier.seq && m.role === 'assistant',
        );
        return ok({
          conversationId: earlier.conversation_id,
          userMessage: presentMessage(earlier),
          assistantMessageId: later?.id ?? '',
        });
      }
      const conversation = payload.conversationId ? await ownedConversation(sessionHash, payload.conversationId) : null;
      if (payload.conversationId && !conversation)
        return fail('not-found', 'That conversation was not found.', 'Start a new chat.');
      if (conversation && (generations.has(conversation.id) || starting.has(conversation.id))) {
        return fail('answer-in-progress', 'Please wait for the current answer to finish, or stop it.');
      }
      const lockedId = conversation?.id;
      if (lockedId) starting.add(lockedId);
      try {
        return await sendUnlocked(sessionHash, payload, text, conversation, beforeStart);
      } finally {
        if (lockedId) starting.delete(lockedId);
      }
    },

    /** Stops the answer being generated; it is committed as `stopped` with its partial text. */
    async stop(sessionHash: string, payload: ChatStopPayload): Promise<Result<{ messageId: string }>> {
      if (!(await ownedConversation(sessionHash, payload.conversationId)))
        return fail('not-found', 'That conversation was not found.');
      const generation = generations.get(payload.conversationId);
      if (!generation) return fail('nothing-to-stop', 'No answer is being generated.');
      generation.controller.abort(new StopSignal('stopped'));
      await generation.done;
      return ok({ messageId: generation.messageId });
    },

    /** Generates a new answer in place of a failed or stopped one (the old one stays in the transcript). */
    async retry(sessionHash: string, payload: ChatRetryPayload): Promise<Result<{ assistantMessageId: string }>> {
      const conversation = await ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (generations.has(conversation.id) || starting.has(conversation.id))
        return fail('answer-in-progress', 'Please wait for the current answer to finish, or stop it.');
      starting.add(conversation.id);
      try {
        return await retryUnlocked(conversation, payload);
      } finally {
        starting.delete(conversation.id);
      }
    },

    /** The conversation as stored, plus the answer still being generated (text so far and phase). */
    async resume(sessionHash: string, payload: ChatResumePayload): Promise<Result<ConversationSnapshot>> {
      const conversation = await ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.', 'Start a new chat.');
      const rows = await conversations.listMessages(conversation.id, { visibleOnly: true });
      const feedback = await conversations.feedbackFor(conversation.id);
      const generation = generations.get(conversation.id);
      return ok({
        conversationId: conversation.id,
        messages: rows
          .filter((r) => r.id !== generation?.messageId || r.status !== 'streaming')
          .map((r) => presentMessage(r, feedback)),
        handoff: {
          state: conversation.status === 'taken_over' ? 'agent' : conversation.status === 'waiting' ? 'waiting' : 'assistant',
          agentName: conversation.taken_over_name,
        },
        live: generation
          ? {
              messageId: generation.messageId,
              content: generation.emitted,
              phase: generation.phase,
              ...(generation.detail ? { detail: generation.detail } : {}),
            }
          : null,
      });
    },

    /** The shopper's thumbs up/down (or clearing it) on one of the conversation's answers. */
    async feedback(sessionHash: string, payload: ChatFeedbackPayload): Promise<Result<null>> {
      if (!(await ownedConversation(sessionHash, payload.conversationId)))
        return fail('not-found', 'That conversation was not found.');
      const message = await conversations.getMessage(payload.messageId);
      if (
        !message ||
        message.conversation_id !== payload.conversationId ||
        message.role !== 'assistant' ||
        message.status === 'streaming'
      ) {
        return fail('bad-request', 'Feedback can only be given on a finished answer.');
      }
      await conversations.setFeedback({
        messageId: message.id,
        conversationId: payload.conversationId,
        rating: payload.rating,
        comment: payload.rating === null ? null : payload.comment?.trim() || null,
      });
      notify((o) => o.conversationChanged?.(payload.conversationId));
      return ok(null);
    },

    /** The shopper asks for a person: the conversation waits for an agent (the assistant keeps helping). */
    async requestHuman(sessionHash: string, payload: ChatStopPayload): Promise<Result<null>> {
      const conversation = await ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status !== 'taken_over') {
        await conversations.setConversationStatus(conversation.id, 'waiting');
        broadcast(conversation.id, 'chat:handoff', { conversationId: conversation.id, state: 'waiting' });
        notify((o) => o.conversationChanged?.(conversation.id));
      }
      return ok(null);
    },

    /** A person takes the conversation over: any answer being written stops, the assistant stays quiet. */
    async takeOver(conversationId: string, agent: { id: string; name: string }): Promise<Result<null>> {
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status === 'taken_over' && conversation.taken_over_by !== agent.id) {
        return fail('taken-over', `${conversation.taken_over_name ?? 'Another agent'} is already answering this conversation.`);
      }
      await conversations.setConversationStatus(conversationId, 'taken_over', agent);
      const generation = generations.get(conversationId);
      if (generation) {
        generation.controller.abort(new StopSignal('taken-over'));
        await generation.done;
      }
      broadcast(conversationId, 'chat:handoff', { conversationId, state: 'agent-joined', agentName: agent.name });
      await postNotice(conversationId, `${agent.name} from our team joined the chat.`);
      notify((o) => o.conversationChanged?.(conversationId));
      return ok(null);
    },

    /** The person hands the conversation back to the assistant. */
    async handBack(conversationId: string, agent: { id: string; name: string }): Promise<Result<null>> {
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status !== 'taken_over' || conversation.taken_over_by !== agent.id) {
        return fail('forbidden', 'Only the agent who took this conversation over can hand it back.');
      }
      await conversations.setConversationStatus(conversationId, 'active');
      broadcast(conversationId, 'chat:handoff', { conversationId, state: 'agent-left', agentName: agent.name });
      await postNotice(conversationId, `${agent.name} left the chat. The assistant is back.`);
      notify((o) => o.conversationChanged?.(conversationId));
      return ok(null);
    },

    /** A person's reply, stored first, then delivered live to the shopper. */
    async agentSend(
      conversationId: string,
      agent: { id: string; name: string },
      text: string,
    ): Promise<Result<{ messageId: string }>> {
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (conversation.status !== 'taken_over' || conversation.taken_over_by !== agent.id) {
        return fail('forbidden', 'Take the conversation over before replying.');
      }
      const row = await conversations.insertAgentMessage({
        conversationId,
        authorId: agent.id,
        authorName: agent.name,
        content: text,
      });
      broadcast(conversationId, 'chat:message', { conversationId, message: presentMessage(row) });
      notify((o) => o.messageStored?.(row));
      return ok({ messageId: row.id });
    },

    /** Subscribes to stored messages, status changes and live text; returns the unsubscribe function. */
    observe(observer: ChatObserver): () => void {
      observers.add(observer);
      return () => observers.delete(observer);
    },

    /** Somebody is watching the conversation again: keep its answer going. */
    watcherJoined(conversationId: string): void {
      const t = graceTimers.get(conversationId);
      if (t) clearTimeout(t);
      graceTimers.delete(conversationId);
    },

    /** Nobody is watching: stop the answer after a grace period that covers reloads and short drops. */
    watchersLeft(conversationId: string): void {
      if (!generations.has(conversationId) || graceTimers.has(conversationId)) return;
      const grace = deps.config().config.chat.disconnectGraceMs;
      graceTimers.set(
        conversationId,
        setTimeout(() => {
          graceTimers.delete(conversationId);
          const generation = generations.get(conversationId);
          if (generation) {
            log.info({ conversationId, messageId: generation.messageId }, 'nobody listening: stopping the answer');
            generation.controller.abort(new StopSignal('disconnected'));
          }
        }, grace),
      );
    },

    /** True while an answer is generating for the conversation. */
    isGenerating(conversationId: string): boolean {
      return generations.has(conversationId);
    },

    /** Stops every answer and waits until each is committed (graceful shutdown). */
    async shutdown(): Promise<void> {
      for (const t of graceTimers.values()) clearTimeout(t);
      graceTimers.clear();
      const pending = [...generations.values()];
      for (const g of pending) g.controller.abort(new StopSignal('shutdown'));
      await Promise.all(pending.map((g) => g.done));
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
