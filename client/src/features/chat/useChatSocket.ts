import {
  chatMessageSchema,
  chatSendReplySchema,
  conversationSnapshotSchema,
  MAX_MESSAGE_CHARS,
  type AppErrorBody,
  type ChatMessage,
  type ChatSendPayload,
  type HealthReply,
  type ShopperConstraints,
} from '@aisle/shared';
import { useEffect, useMemo, useRef } from 'react';
import { getHealth, getSession } from './chatApi';
import { newClientId } from '../../lib/clientId';
import { t, uiFormatLocale, uiLocale } from '../../i18n/i18n';
import {
  createShopperSocket,
  editChat,
  leaveEmail,
  refineChat,
  requestHuman,
  resumeChat,
  retryChat,
  sendChat,
  sendCardClick,
  sendFeedback,
  stopChat,
  type ShopperSocket,
} from './chatSocket';
import { saveConversationId } from './storage';
import type { ChatActions } from './chatActions';
import { chatStore, hasHealthProblem, selectIsBusy, type ChatStore, type UiError } from './chatStore';
import { DeltaBuffer } from '../../lib/deltaBuffer';

const HEALTH_POLL_MS = 10_000;
const SESSION_RETRY_MS = 5_000;
const MAX_EARLY_EVENTS = 1_000;

/** The socket-side half of the chat: owns the socket, its listeners and the health poll. */
export interface ChatConnection extends ChatActions {
  start(): void;
  dispose(): void;
}

/** Whether a failure says Ollama or the model is in trouble (so health should be re-checked). */
function isServiceCode(code: string): boolean {
  return code.startsWith('ollama-') || code.startsWith('model-');
}

/** Whether the health report shows that a problem reported by a failed answer is gone. */
function isIssueResolved(issue: UiError, health: HealthReply): boolean {
  if (issue.code === 'ollama-unreachable') return health.ollama.reachable;
  if (issue.code === 'model-not-pulled') return health.ollama.reachable && health.model.available === true;
  return !hasHealthProblem(health);
}

function tooLongError(length: number): AppErrorBody {
  return {
    code: 'message-too-long',
    message: t('composer.tooLong', {
      over: (length - MAX_MESSAGE_CHARS).toLocaleString(uiFormatLocale),
      max: MAX_MESSAGE_CHARS.toLocaleString(uiFormatLocale),
    }),
    hint: t('composer.tooLongHint'),
  };
}

/**
 * Wires one socket to the chat store. Every Socket.IO listener of the shopper UI is registered
 * here; listeners only call store actions. Deltas go through a per-frame buffer.
 */
export function createChatConnection(store: ChatStore, socket: ShopperSocket): ChatConnection {
  let isDisposed = false;
  let isResuming = false;
  let isResumeQueued = false;
  let isHealthInFlight = false;
  let healthTimer: ReturnType<typeof setTimeout> | null = null;
  let sessionTimer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  /** Same text re-sent after a failed ack reuses its id, so the server can drop a duplicate. */
  let lastFailedSend: { clientMessageId: string; text: string } | null = null;
  /** Events of a brand-new conversation that arrive before the ack that tells us its id. */
  let earlyEvents: { conversationId: string; replay: () => void }[] = [];

  const buffer = new DeltaBuffer((deltas) => {
    if (store.getState().applyDeltas(deltas)) void resume();
  });

  function route(conversationId: string, handle: () => void): void {
    const state = store.getState();
    if (state.conversationId === conversationId) {
      handle();
      return;
    }
    if (state.conversationId === null && state.pending !== null && earlyEvents.length < MAX_EARLY_EVENTS) {
      earlyEvents.push({ conversationId, replay: handle });
    }
  }

  function replayEarlyEvents(conversationId: string): void {
    const events = earlyEvents;
    earlyEvents = [];
    for (const event of events) if (event.conversationId === conversationId) event.replay();
  }

  function scheduleHealthCheck(): void {
    if (healthTimer !== null || isDisposed) return;
    healthTimer = setTimeout(() => {
      healthTimer = null;
      void checkHealth();
    }, HEALTH_POLL_MS);
  }

  async function checkHealth(): Promise<void> {
    if (isHealthInFlight || isDisposed) return;
    if (healthTimer !== null) {
      clearTimeout(healthTimer);
      healthTimer = null;
    }
    isHealthInFlight = true;
    store.getState().setHealthChecking(true);
    const result = await getHealth();
    isHealthInFlight = false;
    if (isDisposed) return;
    const state = store.getState();
    if (!result.ok) {
      state.setServerError(result.error);
      scheduleHealthCheck();
      return;
    }
    state.setHealth(result.data);
    const issue = store.getState().serviceIssue;
    if (issue !== null && isIssueResolved(issue, result.data)) state.setServiceIssue(null);
    if (hasHealthProblem(result.data) || store.getState().serviceIssue !== null) scheduleHealthCheck();
  }

  function noteFailure(error: UiError | null): void {
    if (error === null || !isServiceCode(error.code)) return;
    if (error.code === 'ollama-unreachable' || error.code === 'model-not-pulled') {
      store.getState().setServiceIssue(error);
    }
    void checkHealth();
  }

  async function resume(): Promise<void> {
    const conversationId = store.getState().conversationId;
    if (conversationId === null || isDisposed) return;
    if (isResuming) {
      isResumeQueued = true;
      return;
    }
    isResuming = true;
    const result = await resumeChat(socket, { conversationId });
    isResuming = false;
    if (isDisposed) return;
    const state = store.getState();
    if (state.conversationId === conversationId) {
      if (result.ok) {
        const snapshot = conversationSnapshotSchema.safeParse(result.data);
        if (snapshot.success) state.applySnapshot(snapshot.data);
      } else if (result.error.code === 'not-found' || result.error.code === 'forbidden') {
        state.resetConversation();
      } else {
        state.setComposerError(result.error);
      }
    }
    if (isResumeQueued) {
      isResumeQueued = false;
      void resume();
    }
  }

  function handleFinished(conversationId: string, message: ChatMessage): void {
    route(conversationId, () => {
      buffer.flush();
      const parsed = chatMessageSchema.safeParse(message);
      if (!parsed.success) {
        void resume();
        return;
      }
      store.getState().finishAnswer(parsed.data);
      if (parsed.data.status === 'error') noteFailure(parsed.data.error);
    });
  }

  function registerListeners(): void {
    socket.on('connect', () => {
      const state = store.getState();
      state.setConnection('online');
      state.setServerError(null);
      void resume();
    });
    socket.on('disconnect', () => store.getState().setConnection('offline'));
    socket.on('connect_error', () => {
      store.getState().setConnection('offline');
      // A refusal by the server (e.g. no session cookie yet) stops automatic reconnection.
      if (!socket.active) scheduleSessionRetry();
    });
    socket.on('chat:started', (event) => route(event.conversationId, () => store.getState().startAnswer(event)));
    socket.on('chat:status', (event) => route(event.conversationId, () => store.getState().setPhase(event)));
    socket.on('chat:delta', (event) => route(event.conversationId, () => buffer.push(event)));
    socket.on('chat:completed', (event) => handleFinished(event.conversationId, event.message));
    socket.on('chat:failed', (event) => handleFinished(event.conversationId, event.message));
    socket.on('chat:presence', (event) => store.getState().setAgentsOnline(event.agentsOnline));
    socket.on('chat:handoff', (event) => route(event.conversationId, () => store.getState().applyHandoff(event)));
    socket.on('chat:refined', (event) =>
      route(event.conversationId, () => {
        const parsed = chatMessageSchema.safeParse(event.message);
        if (parsed.success) store.getState().applyRefined(parsed.data);
      }),
    );
    socket.on('chat:message', (event) =>
      route(event.conversationId, () => {
        const parsed = chatMessageSchema.safeParse(event.message);
        if (parsed.success) store.getState().receiveMessage(parsed.data);
        else void resume();
      }),
    );
  }

  async function giveFeedback(messageId: string, rating: 'up' | 'down' | null, comment?: string): Promise<void> {
    const state = store.getState();
    const { conversationId } = state;
    if (conversationId === null) return;
    const before = state.messages.find((m) => m.id === messageId)?.feedback ?? null;
    const trimmed = comment?.trim() ?? '';
    state.setFeedback(messageId, rating === null ? null : { rating, comment: trimmed === '' ? null : trimmed });
    const result = await sendFeedback(socket, {
      conversationId,
      messageId,
      rating,
      ...(trimmed === '' ? {} : { comment: trimmed }),
    });
    if (isDisposed || result.ok) return;
    store.getState().setFeedback(messageId, before);
    store.getState().setComposerError(result.error);
  }

  async function askForPerson(): Promise<void> {
    const { conversationId } = store.getState();
    if (conversationId === null) return;
    const result = await requestHuman(socket, { conversationId });
    if (isDisposed || result.ok) return;
    store.getState().setComposerError(result.error);
  }

  async function leaveEmailFor(email: string, note: string): Promise<UiError | null> {
    const { conversationId } = store.getState();
    if (conversationId === null) return { code: 'bad-request', message: t('handoff.askFirst') };
    const result = await leaveEmail(socket, { conversationId, email, ...(note.trim() === '' ? {} : { note }) });
    if (!result.ok) return result.error;
    store.getState().setEmailReplyText(result.data.replyText);
    return null;
  }

  async function refine(messageId: string, constraints: ShopperConstraints): Promise<UiError | null> {
    const { conversationId } = store.getState();
    if (conversationId === null) return { code: 'not-found', message: t('errors.not-found') };
    const result = await refineChat(socket, { conversationId, messageId, constraints });
    if (!result.ok) return result.error;
    const parsed = chatMessageSchema.safeParse(result.data);
    if (parsed.success && !isDisposed) store.getState().applyRefined(parsed.data);
    return null;
  }

  async function openSession(): Promise<void> {
    const session = await getSession();
    if (isDisposed) return;
    if (!session.ok) {
      store.getState().setServerError(session.error);
      scheduleSessionRetry();
      return;
    }
    socket.connect();
  }

  function scheduleSessionRetry(): void {
    if (sessionTimer !== null || isDisposed) return;
    sessionTimer = setTimeout(() => {
      sessionTimer = null;
      void openSession();
    }, SESSION_RETRY_MS);
  }

  async function send(input: string): Promise<void> {
    const state = store.getState();
    const text = input.trim();
    if (text === '' || selectIsBusy(state)) return;
    if (text.length > MAX_MESSAGE_CHARS) {
      state.setComposerError(tooLongError(text.length));
      return;
    }
    const clientMessageId =
      lastFailedSend !== null && lastFailedSend.text === text ? lastFailedSend.clientMessageId : newClientId();
    // The UI's language goes with each message: the answer is written in it.
    const payload: ChatSendPayload =
      state.conversationId === null
        ? { clientMessageId, text, locale: uiLocale }
        : { conversationId: state.conversationId, clientMessageId, text, locale: uiLocale };
    earlyEvents = [];
    state.beginSend({ clientMessageId, text });

    const result = await sendChat(socket, payload);
    if (isDisposed || store.getState().pending?.clientMessageId !== clientMessageId) return;
    if (!result.ok) {
      lastFailedSend = { clientMessageId, text };
      earlyEvents = [];
      store.getState().failSend(result.error);
      noteFailure(result.error);
      return;
    }
    const reply = chatSendReplySchema.safeParse(result.data);
    if (!reply.success) {
      store.getState().failSend({ code: 'internal', message: 'The server sent a reply the app could not read.' });
      return;
    }
    lastFailedSend = null;
    store.getState().confirmSend(reply.data);
    replayEarlyEvents(reply.data.conversationId);
  }

  async function stop(): Promise<void> {
    const state = store.getState();
    if (state.conversationId === null || state.live === null || state.isStopping) return;
    state.setStopping(true);
    const result = await stopChat(socket, { conversationId: state.conversationId });
    if (isDisposed || result.ok) return;
    store.getState().setStopping(false);
    if (result.error.code !== 'nothing-to-stop') store.getState().setComposerError(result.error);
  }

  async function retry(messageId: string): Promise<void> {
    const state = store.getState();
    const { conversationId } = state;
    if (conversationId === null || selectIsBusy(state)) return;
    state.setBusyMessage(messageId);
    state.setComposerError(null);
    const result = await retryChat(socket, { conversationId, messageId, locale: uiLocale });
    if (isDisposed) return;
    const current = store.getState();
    if (current.conversationId !== conversationId) return;
    if (result.ok) {
      current.replaceRetried(messageId, result.data.assistantMessageId);
      return;
    }
    current.setBusyMessage(null);
    current.setComposerError(result.error);
    noteFailure(result.error);
  }

  async function edit(messageId: string, input: string): Promise<UiError | null> {
    const state = store.getState();
    const { conversationId } = state;
    const text = input.trim();
    if (conversationId === null) return { code: 'not-found', message: t('errors.not-found') };
    if (selectIsBusy(state)) return { code: 'answer-in-progress', message: t('errors.answer-in-progress') };
    if (text === '') return { code: 'bad-request', message: t('history.editEmpty') };
    if (text.length > MAX_MESSAGE_CHARS) return tooLongError(text.length);
    earlyEvents = [];
    const result = await editChat(socket, { conversationId, messageId, clientMessageId: newClientId(), text });
    if (isDisposed) return null;
    if (!result.ok) {
      noteFailure(result.error);
      return result.error;
    }
    const reply = chatSendReplySchema.safeParse(result.data);
    if (!reply.success) return { code: 'internal', message: 'The server sent a reply the app could not read.' };
    store.getState().replaceEdited(messageId, reply.data);
    return null;
  }

  function openConversation(conversationId: string): void {
    earlyEvents = [];
    lastFailedSend = null;
    if (store.getState().conversationId === conversationId) return;
    store.getState().openConversation(conversationId);
    void resume();
  }

  return {
    start() {
      unsubscribe = store.subscribe((state, previous) => {
        if (state.conversationId !== previous.conversationId) saveConversationId(state.conversationId);
      });
      registerListeners();
      void checkHealth();
      void openSession();
    },
    dispose() {
      isDisposed = true;
      unsubscribe?.();
      buffer.dispose();
      if (healthTimer !== null) clearTimeout(healthTimer);
      if (sessionTimer !== null) clearTimeout(sessionTimer);
      socket.removeAllListeners();
      socket.disconnect();
    },
    send: (text) => void send(text),
    stop: () => void stop(),
    retry: (messageId) => void retry(messageId),
    newChat() {
      earlyEvents = [];
      lastFailedSend = null;
      store.getState().resetConversation();
    },
    edit,
    openConversation,
    forgetConversation(conversationId) {
      if (store.getState().conversationId !== conversationId) return;
      earlyEvents = [];
      lastFailedSend = null;
      store.getState().resetConversation();
    },
    checkHealth: () => void checkHealth(),
    giveFeedback: (messageId, rating, comment) => void giveFeedback(messageId, rating, comment),
    recordCardClick(messageId, productId, kind) {
      const { conversationId } = store.getState();
      if (conversationId !== null) sendCardClick(socket, { conversationId, messageId, productId, kind });
    },
    requestHuman: () => void askForPerson(),
    leaveEmail: leaveEmailFor,
    refine,
  };
}

/**
 * Connects the chat page to the server for as long as it is mounted and returns stable actions for
 * the components (provide them with `ChatActionsContext`).
 */
export function useChatSocket(store: ChatStore = chatStore): ChatActions {
  const connectionRef = useRef<ChatConnection | null>(null);

  useEffect(() => {
    const connection = createChatConnection(store, createShopperSocket());
    connectionRef.current = connection;
    connection.start();
    return () => {
      connection.dispose();
      connectionRef.current = null;
    };
  }, [store]);

  return useMemo<ChatActions>(
    () => ({
      send: (text) => connectionRef.current?.send(text),
      stop: () => connectionRef.current?.stop(),
      retry: (messageId) => connectionRef.current?.retry(messageId),
      newChat: () => connectionRef.current?.newChat(),
      edit: async (messageId, text) =>
        connectionRef.current ? connectionRef.current.edit(messageId, text) : { code: 'internal', message: 'Not connected yet.' },
      openConversation: (conversationId) => connectionRef.current?.openConversation(conversationId),
      forgetConversation: (conversationId) => connectionRef.current?.forgetConversation(conversationId),
      checkHealth: () => connectionRef.current?.checkHealth(),
      giveFeedback: (messageId, rating, comment) => connectionRef.current?.giveFeedback(messageId, rating, comment),
      recordCardClick: (messageId, productId, kind) => connectionRef.current?.recordCardClick?.(messageId, productId, kind),
      requestHuman: () => connectionRef.current?.requestHuman(),
      leaveEmail: async (email, note) =>
        connectionRef.current
          ? connectionRef.current.leaveEmail(email, note)
          : { code: 'internal', message: 'Not connected yet.' },
      refine: async (messageId, constraints) =>
        connectionRef.current?.refine
          ? connectionRef.current.refine(messageId, constraints)
          : { code: 'internal', message: 'Not connected yet.' },
    }),
    [],
  );
}
