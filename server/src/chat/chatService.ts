/**
 * The chat service's public face: send, retry, resume, stop, feedback, hand-off entry points. It grew
 * past 350 lines with issues 8-10 (admission, limits, page context, contact email) and 12 (answers
 * running on other nodes); the next cut is the hand-off and contact entry points into `handoff.ts`.
 * Issue 11's branches (alternatives, edit and resend) live in `answerBranches.ts`; only their entry
 * points are here.
 */
import {
  MAX_MESSAGE_CHARS,
  type ChatEditPayload,
  type ChatFeedbackPayload,
  type ChatResumePayload,
  type ChatRetryPayload,
  type ChatSendPayload,
  type ChatSendReply,
  type ChatLeaveEmailPayload,
  type ChatStopPayload,
  type ConversationSnapshot,
  type Result,
  type ShopperLocale,
  fail,
  ok,
} from '@aisle/shared';
import type { ToolRunner } from '../assistant/tools';
import type { AdmissionQueue } from '../capacity/admissionQueue';
import type { RateAction, RateLimits } from '../capacity/rateLimits';
import type { LoadedConfig } from '../config/loadConfig';
import type { ConversationRepository, ConversationRow } from '../db/conversationRepository';
import type { ProductRepository } from '../db/productRepository';
import type { RoutedBackend } from '../llm/hostPool';
import type { Logger } from '../logger';
import { startGeneration, type AnswerClient, type AnswerGenerationDeps } from './answerGeneration';
import { alternativeGroupFor, createEdits, shownWithAlternatives } from './answerBranches';
import { createChatObservers, type ConversationBroadcast } from './chatEvents';
import { createHandoff, type HandoffAgent } from './handoff';
import { createInterruptedAnswers, type InterruptedAnswer } from './interruptedAnswers';
import { createLiveGenerations, StopSignal, type LiveShare, type StopReason } from './liveGenerations';
import { presentMessage, presentReopened } from './messagePresenter';
import { assignArm, modelFor } from './modelChoice';

/**
 * The chat service's public API and the flow of one answer: checks and locks, storing the shopper's
 * message, then starting its answer. The parts live beside it: one answer from start to commit
 * (`answerGeneration.ts`, `answerCommit.ts`), the registry of live answers (`liveGenerations.ts`),
 * hand-off to a person (`handoff.ts`), model and experiment choice (`modelChoice.ts`), observers
 * (`chatEvents.ts`).
 */

export type { ChatObserver, ConversationBroadcast } from './chatEvents';
export type { AnswerClient } from './answerGeneration';

/** The client of in-process callers (the eval runner), which have no network address. */
const IN_PROCESS: AnswerClient = { address: 'in-process' };

/** The client of answers the service starts itself (after a hand-back): they still wait in the fair line. */
const HAND_BACK: AnswerClient = { address: 'hand-back' };

/** What a shopper reads when an action's budget is spent. */
const LIMITED: Record<RateAction, string> = {
  send: 'You are sending messages too quickly.',
  retry: 'You are sending messages too quickly.',
  'request-human': 'You have already asked for a person; our team will join as soon as someone is free.',
  feedback: 'You are sending feedback too quickly.',
  refine: 'You are changing the filters too quickly.',
  'session-create': 'Too many new chats were started from your network.',
};

export interface ChatServiceDeps {
  conversations: ConversationRepository;
  products: ProductRepository;
  /** Products with their groups' stock, for suggestions and comparisons under answers. */
  details: AnswerGenerationDeps['details'];
  tools: ToolRunner;
  /** A backend for one model that fails over between hosts and says which one served. */
  route: (model: string) => RoutedBackend;
  /** The host (capacity pool) an answer for the model waits for: the one the pool would pick now. */
  hostFor: (model: string) => string;
  /** The fair line in front of the model hosts. */
  admission: AdmissionQueue;
  /** Per-session budgets for sending and retrying (shared), asking for a person, and feedback. */
  rateLimits: RateLimits;
  config: () => LoadedConfig;
  systemPrompt: AnswerGenerationDeps['systemPrompt'];
  broadcast: ConversationBroadcast;
  logger: Logger;
  /** Random numbers in [0, 1) for the experiment split; defaults to `Math.random` (tests seed it). */
  random?: () => number;
  /** What the shopper is looking at on the shop's page, for the model (`pageContext.ts`); none by default. */
  pageContext?: AnswerGenerationDeps['pageContext'];
  /** The live answers of every node, when Aisle runs on several (`cluster/`); none on one node. */
  share?: LiveShare;
  /** Whether anyone on any node watches a conversation (several nodes); see `createLiveGenerations`. */
  hasWatchers?: (conversationId: string) => Promise<boolean>;
}

const IN_PROGRESS = 'Please wait for the current answer to finish, or stop it.';

/**
 * The shopper chat: stores messages, runs one answer per conversation at a time, streams it to the
 * conversation's room, and commits every answer (complete, stopped or failed) before confirming it.
 */
export function createChatService(deps: ChatServiceDeps) {
  const { conversations, broadcast } = deps;
  const random = deps.random ?? Math.random;
  const log = deps.logger.child({ area: 'chat' });
  const events = createChatObservers(log);
  const live = createLiveGenerations({
    disconnectGraceMs: () => deps.config().config.chat.disconnectGraceMs,
    saveStreamingTexts: (texts) => conversations.saveStreamingTexts(texts),
    ...(deps.share ? { share: deps.share } : {}),
    ...(deps.hasWatchers ? { hasWatchers: deps.hasWatchers } : {}),
    logger: log,
  });
  const interrupted = createInterruptedAnswers({ conversations, broadcast, notify: events.notify, logger: log });

  /**
   * Inside `live.whileStarting`: true when another node runs or sets up the conversation's answer
   * (always false on one node); otherwise the conversation is claimed until the set-up ends.
   */
  const isBusyElsewhere = async (conversationId: string) => deps.share !== undefined && !(await deps.share.claim(conversationId));

  /** Stops the conversation's answer on this node; its message id once committed, null when none runs here. */
  async function stopHere(conversationId: string, reason: StopReason): Promise<string | null> {
    const generation = live.get(conversationId);
    if (!generation) return null;
    generation.controller.abort(new StopSignal(reason));
    await generation.done;
    return generation.messageId;
  }

  /**
   * The page language each conversation's shopper last sent, for the answer the service starts itself
   * after a hand-back (no message carries it then). In memory, oldest forgotten first; without it the
   * model answers in the question's language.
   */
  const lastLocale = new Map<string, ShopperLocale>();
  const rememberLocale = (conversationId: string, locale: ShopperLocale | undefined) => {
    if (locale === undefined) return;
    lastLocale.delete(conversationId);
    lastLocale.set(conversationId, locale);
    if (lastLocale.size > 10_000) lastLocale.delete(lastLocale.keys().next().value ?? '');
  };

  /** Spends one of the session's points for the action; the refusal to send back when none are left. */
  async function charge(sessionHash: string, action: RateAction): Promise<Result<never> | null> {
    const decision = await deps.rateLimits.consume(sessionHash, action);
    if (decision.ok) return null;
    // Budgets are per minute: "a minute" is honest and does not invite a retry to the second.
    return fail('rate-limited', LIMITED[action], 'Wait a minute and try again.');
  }

  async function ownedConversation(sessionHash: string, conversationId: string): Promise<ConversationRow | null> {
    const conversation = await conversations.getConversation(conversationId);
    // Same answer for "does not exist" and "not yours": an id alone reveals nothing. One the shopper
    // deleted from their history is gone for them too.
    if (!conversation || conversation.session_hash !== sessionHash || conversation.hidden_by_shopper_at) return null;
    return conversation;
  }

  const handoff = createHandoff({ conversations, live, broadcast, notify: events.notify, ownedConversation });
  const generationDeps: AnswerGenerationDeps = {
    conversations,
    products: deps.products,
    details: deps.details,
    tools: deps.tools,
    route: deps.route,
    admission: deps.admission,
    hostFor: deps.hostFor,
    systemPrompt: deps.systemPrompt,
    pageContext: deps.pageContext,
    broadcast,
    notify: events.notify,
    live,
    logger: log,
  };
  const edits = createEdits({
    conversations,
    live,
    generation: generationDeps,
    config: deps.config,
    notify: events.notify,
    charge,
    ownedConversation,
  });

  async function sendUnlocked(
    sessionHash: string,
    payload: ChatSendPayload,
    text: string,
    existing: ConversationRow | null,
    beforeStart: (conversationId: string) => Promise<void>,
    client: AnswerClient,
  ): Promise<Result<ChatSendReply>> {
    const loaded = deps.config();
    const { config } = loaded;
    let conversation = existing;
    const limited = await charge(sessionHash, 'send');
    if (limited) return limited;
    if (!conversation) {
      const arm = assignArm(loaded, random);
      conversation = await conversations.createConversation({
        sessionHash,
        title: text.slice(0, 80),
        model: arm?.model ?? config.chat.model,
        experiment: arm ? { name: arm.name, arm: arm.arm } : null,
      });
    }
    rememberLocale(conversation.id, payload.locale);
    const { message: userRow, isDuplicate } = await conversations.insertUserMessage({
      conversationId: conversation.id,
      clientMessageId: payload.clientMessageId,
      content: text,
    });
    if (!isDuplicate) events.notify((o) => o.messageStored?.(userRow));
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
    startGeneration(generationDeps, loaded, conversation, assistant.id, history, text, { ...client, locale: payload.locale });
    return ok({ conversationId: conversation.id, userMessage: presentMessage(userRow), assistantMessageId: assistant.id });
  }

  async function retryUnlocked(
    conversation: ConversationRow,
    payload: ChatRetryPayload,
    client: AnswerClient,
  ): Promise<Result<{ assistantMessageId: string }>> {
    const loaded = deps.config();
    if (conversation.status === 'taken_over') return fail('taken-over', 'A member of our team is answering this conversation.');
    const visible = await conversations.listMessages(conversation.id, { visibleOnly: true });
    const last = visible.at(-1);
    if (!last || last.id !== payload.messageId || last.role !== 'assistant' || last.status === 'streaming') {
      return fail('bad-request', 'Only the latest answer can be retried.');
    }
    // A retry costs a model call like a message: it draws on the same budget.
    const limited = await charge(conversation.session_hash, 'retry');
    if (limited) return limited;
    const userText = [...visible].reverse().find((m) => m.role === 'user')?.content ?? '';
    const assistant = await conversations.insertAssistantMessage({
      conversationId: conversation.id,
      model: modelFor(conversation, loaded),
      configVersion: loaded.version,
    });
    // Regenerating any answer keeps the old one as an alternative the shopper can page back to.
    const group = alternativeGroupFor(last);
    await conversations.updateMessage(last.id, { replaced_by: assistant.id, alternative_group: group });
    if (group !== null) await conversations.updateMessage(assistant.id, { alternative_group: group });
    startGeneration(
      generationDeps,
      loaded,
      conversation,
      assistant.id,
      visible.filter((m) => m.id !== last.id),
      userText,
      { ...client, locale: payload.locale },
    );
    return ok({ assistantMessageId: assistant.id });
  }

  /**
   * After a hand-back, the shopper may have asked something the person never answered: the assistant
   * answers it through the normal path (admission line, timeouts), without charging the shopper's budget.
   */
  async function answerPending(conversationId: string): Promise<void> {
    if (live.isBusy(conversationId)) return;
    await live.whileStarting(conversationId, async () => {
      if (await isBusyElsewhere(conversationId)) return;
      const conversation = await conversations.getConversation(conversationId);
      if (!conversation || conversation.status === 'taken_over') return;
      const visible = await conversations.listMessages(conversationId, { visibleOnly: true });
      // System notices (who joined or left) are not replies; the last turn with a speaker decides.
      const last = [...visible].reverse().find((m) => m.role === 'user' || m.role === 'assistant' || m.role === 'agent');
      if (last?.role !== 'user') return;
      const loaded = deps.config();
      const assistant = await conversations.insertAssistantMessage({
        conversationId,
        model: modelFor(conversation, loaded),
        configVersion: loaded.version,
      });
      log.info({ conversationId, messageId: assistant.id }, 'answering the question left during the hand-off');
      startGeneration(generationDeps, loaded, conversation, assistant.id, visible, last.content, {
        ...HAND_BACK,
        locale: lastLocale.get(conversationId),
      });
    });
  }

  return {
    /** Stores the shopper's message, confirms it once committed, and starts the answer. */
    async send(
      sessionHash: string,
      payload: ChatSendPayload,
      beforeStart: (conversationId: string) => Promise<void> = async () => undefined,
      client: AnswerClient = IN_PROCESS,
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
      if (conversation && live.isBusy(conversation.id)) return fail('answer-in-progress', IN_PROGRESS);
      return live.whileStarting(conversation?.id, async () => {
        if (conversation && (await isBusyElsewhere(conversation.id))) return fail('answer-in-progress', IN_PROGRESS);
        return sendUnlocked(sessionHash, payload, text, conversation, beforeStart, client);
      });
    },

    /**
     * Stops the answer being generated; it is committed as `stopped` with its partial text. An answer
     * still waiting in line leaves it (freeing its place) and is committed as `stopped` with no text.
     */
    async stop(sessionHash: string, payload: ChatStopPayload): Promise<Result<{ messageId: string }>> {
      if (!(await ownedConversation(sessionHash, payload.conversationId)))
        return fail('not-found', 'That conversation was not found.');
      // Here, or on the node that runs it (several nodes).
      const messageId =
        (await stopHere(payload.conversationId, 'stopped')) ??
        (await deps.share?.stop(payload.conversationId, 'stopped')) ??
        null;
      if (messageId === null) return fail('nothing-to-stop', 'No answer is being generated.');
      return ok({ messageId });
    },

    /** Edit and resend the shopper's last message (`answerBranches.ts`); acknowledged like a send. */
    async edit(
      sessionHash: string,
      payload: ChatEditPayload,
      beforeStart: (conversationId: string) => Promise<void> = async () => undefined,
      client: AnswerClient = IN_PROCESS,
    ): Promise<Result<ChatSendReply>> {
      return edits.edit(sessionHash, payload, beforeStart, client);
    },

    /**
     * Generates a new answer in place of the latest one, whatever its state: one with something to read
     * is kept as an alternative the shopper pages back to (both stay in the transcript).
     */
    async retry(
      sessionHash: string,
      payload: ChatRetryPayload,
      client: AnswerClient = IN_PROCESS,
    ): Promise<Result<{ assistantMessageId: string }>> {
      const conversation = await ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.');
      if (live.isBusy(conversation.id)) return fail('answer-in-progress', IN_PROGRESS);
      return live.whileStarting(conversation.id, async () => {
        if (await isBusyElsewhere(conversation.id)) return fail('answer-in-progress', IN_PROGRESS);
        return retryUnlocked(conversation, payload, client);
      });
    },

    /** The conversation as stored, plus the answer still being generated (text so far and phase). */
    async resume(
      sessionHash: string,
      payload: ChatResumePayload,
      beforeRead: (conversationId: string) => Promise<void> = async () => undefined,
    ): Promise<Result<ConversationSnapshot>> {
      const conversation = await ownedConversation(sessionHash, payload.conversationId);
      if (!conversation) return fail('not-found', 'That conversation was not found.', 'Start a new chat.');
      // Another node's answer streams while this one reads it: the caller watches first, so a piece sent
      // meanwhile arrives (at worst twice, which its offset tells), never not at all.
      if (deps.share && !live.has(conversation.id)) await beforeRead(conversation.id);
      // An answer another node runs is read before the rows: one committed meanwhile is shown as stored.
      const remote = live.has(conversation.id) ? null : await deps.share?.find(conversation.id);
      const rows = await conversations.listMessages(conversation.id);
      const feedback = await conversations.feedbackFor(conversation.id);
      // Cards at today's prices, read before the live answer is: nothing may await between that and the reply.
      const messages = await shownWithAlternatives(rows, (some) => presentReopened(some, feedback, deps.products.currentOffers));
      const isRemoteLive = remote != null && rows.some((r) => r.id === remote.messageId && r.status === 'streaming');
      const generation = live.get(conversation.id) ?? (isRemoteLive ? { ...remote, emitted: remote.content } : undefined);
      return ok({
        conversationId: conversation.id,
        messages: messages.filter((m) => m.id !== generation?.messageId || m.status !== 'streaming'),
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
              ...(generation.phase === 'queued' && generation.position !== undefined ? { position: generation.position } : {}),
            }
          : null,
      });
    },

    /** The shopper's thumbs up/down (or clearing it) on one of the conversation's answers. */
    async feedback(sessionHash: string, payload: ChatFeedbackPayload): Promise<Result<null>> {
      // Charged first: every change is announced to each agent console, so a flood must stop here.
      const limited = await charge(sessionHash, 'feedback');
      if (limited) return limited;
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
      events.notify((o) => o.conversationChanged?.(payload.conversationId));
      return ok(null);
    },

    ...handoff,

    /** The shopper asks for a person: limited per session, since each request alerts every agent console. */
    async requestHuman(sessionHash: string, payload: ChatStopPayload): Promise<Result<null>> {
      const limited = await charge(sessionHash, 'request-human');
      if (limited) return limited;
      return handoff.requestHuman(sessionHash, payload);
    },

    /** The person hands the conversation back; a question of the shopper's left unanswered gets an answer. */
    async handBack(conversationId: string, agent: HandoffAgent): Promise<Result<null>> {
      const result = await handoff.handBack(conversationId, agent);
      if (result.ok) await answerPending(conversationId);
      return result;
    },

    /** The shopper leaves an email for a reply: limited like asking for a person, it alerts agents too. */
    async leaveEmail(sessionHash: string, payload: ChatLeaveEmailPayload): Promise<Result<{ replyText: string }>> {
      const limited = await charge(sessionHash, 'request-human');
      if (limited) return limited;
      return handoff.leaveEmail(sessionHash, payload, deps.config().config.handoff.offlineReplyText);
    },

    /** Another node asks this one to stop an answer it runs (several nodes); see {@link LiveShare.stop}. */
    stopHere,

    /** Marks the answers of a dead node interrupted and tells their shoppers (several nodes). */
    failInterrupted: (answers: readonly InterruptedAnswer[]) => interrupted.fail(answers),

    /** Subscribes to stored messages, status changes and live text; returns the unsubscribe function. */
    observe: events.observe,

    /** Somebody is watching the conversation again: keep its answer going. */
    watcherJoined: live.watcherJoined,

    /** Nobody is watching: stop the answer after a grace period that covers reloads and short drops. */
    watchersLeft: live.watchersLeft,

    /** True while an answer is generating for the conversation. */
    isGenerating: live.has,

    /** Stops every answer and waits until each is committed (graceful shutdown). */
    shutdown: live.shutdown,
  };
}

export type ChatService = ReturnType<typeof createChatService>;
