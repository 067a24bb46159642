import {
  MAX_MESSAGE_CHARS,
  type AnswerPhase,
  type ChatDeltaEvent,
  type ChatHandoffEvent,
  type ChatMessage,
  type ChatSendReply,
  type ChatStartedEvent,
  type ChatStatusEvent,
  type ConversationSnapshot,
  type HealthReply,
} from '@aisle/shared';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { mergeDelta } from '../../lib/mergeDelta';
import { toPlainText } from '../../lib/plainText';
import { t } from '../../i18n/i18n';
import { errorText } from './errorCodes';
import { phaseText } from './PhaseIndicator';
import { loadConversationId } from './storage';

/** An error as the UI shows it: from an ack (`AppErrorBody`) or stored on a failed message. */
export type UiError = NonNullable<ChatMessage['error']>;

/** A message typed by the shopper that the server has not confirmed yet. */
export interface PendingSend {
  clientMessageId: string;
  text: string;
}

/** What the answer being generated is doing right now. */
export interface LiveStatus {
  messageId: string;
  phase: AnswerPhase;
  detail?: string;
  /** Place in line while `phase` is `queued`. */
  position?: number;
}

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** Text for the polite live region; `id` changes so an identical text is announced again. */
export interface Announcement {
  id: number;
  text: string;
}

/** Who answers the shopper now. */
export interface Handoff {
  state: 'assistant' | 'waiting' | 'agent';
  agentName: string | null;
}

const ASSISTANT_HANDOFF: Handoff = { state: 'assistant', agentName: null };

export interface ChatState {
  conversationId: string | null;
  handoff: Handoff;
  messages: ChatMessage[];
  live: LiveStatus | null;
  pending: PendingSend | null;
  draft: string;
  composerError: UiError | null;
  /** Message ids whose retry or stop request is waiting for the server. */
  busyMessageId: string | null;
  isStopping: boolean;
  connection: ConnectionState;
  health: HealthReply | null;
  isCheckingHealth: boolean;
  /** The server itself could not be reached (session or health request failed). */
  serverError: UiError | null;
  /** An Ollama/model problem reported by a failed answer, shown until health says all is well. */
  serviceIssue: UiError | null;
  announcement: Announcement | null;
  /** Whether an agent is online: "Talk to a person" is offered only then, else "Leave your email". */
  agentsOnline: boolean;
  /**
   * The answer that takes the keyboard focus once shown: a retried answer's replacement, since the
   * Retry/Regenerate button that had the focus goes away with the old answer.
   */
  focusAnswerId: string | null;
  /** When to expect a reply, once the shopper left an email in this conversation. */
  emailReplyText: string | null;

  setAgentsOnline(agentsOnline: boolean): void;
  setEmailReplyText(text: string | null): void;
  setDraft(text: string): void;
  setComposerError(error: UiError | null): void;
  beginSend(pending: PendingSend): void;
  confirmSend(reply: ChatSendReply): void;
  failSend(error: UiError): void;
  startAnswer(event: ChatStartedEvent): void;
  setPhase(event: ChatStatusEvent): void;
  /** Applies buffered deltas; returns true when text is missing and a resume is needed. */
  applyDeltas(deltas: readonly ChatDeltaEvent[]): boolean;
  finishAnswer(message: ChatMessage): void;
  setBusyMessage(id: string | null): void;
  setStopping(isStopping: boolean): void;
  replaceRetried(oldMessageId: string, newMessageId: string): void;
  /** An edit was accepted: the edited message and everything after it give way to the new message and its answer. */
  replaceEdited(oldMessageId: string, reply: ChatSendReply): void;
  /** Switches to a conversation from History; its messages arrive with the resume that follows. */
  openConversation(conversationId: string): void;
  applySnapshot(snapshot: ConversationSnapshot): void;
  resetConversation(): void;
  setConnection(connection: ConnectionState): void;
  setHealthChecking(isChecking: boolean): void;
  setHealth(health: HealthReply): void;
  setServerError(error: UiError | null): void;
  setServiceIssue(error: UiError | null): void;
  /** A hand-off event: waiting for a person, a person joined, the person left. */
  applyHandoff(event: ChatHandoffEvent): void;
  /** A committed message that did not come through the answer stream (a person's reply). */
  receiveMessage(message: ChatMessage): void;
  setFeedback(messageId: string, feedback: ChatMessage['feedback']): void;
  /** The answer took the focus it was given. */
  clearFocusAnswer(): void;
  /** An answer whose constraint chips were edited: its new constraints and cards replace the old (feedback kept). */
  applyRefined(message: ChatMessage): void;
}

export type ChatStore = StoreApi<ChatState>;

function placeholder(conversationId: string, messageId: string, content = ''): ChatMessage {
  return {
    id: messageId,
    conversationId,
    role: 'assistant',
    content,
    status: 'streaming',
    createdAt: new Date().toISOString(),
    products: [],
    error: null,
  };
}

/** Index of a message by id, searching from the end where live messages are. */
function indexOfMessage(messages: readonly ChatMessage[], id: string): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (messages[i]?.id === id) return i;
  }
  return -1;
}

/** Adds a streaming placeholder for `messageId` unless that message is already shown. */
function withPlaceholder(messages: ChatMessage[], conversationId: string, messageId: string): ChatMessage[] {
  return indexOfMessage(messages, messageId) === -1 ? [...messages, placeholder(conversationId, messageId)] : messages;
}

/** The live status to keep for `messageId`: existing phase if known, "waiting" for a new answer. */
function liveFor(current: LiveStatus | null, messages: readonly ChatMessage[], messageId: string): LiveStatus | null {
  const message = messages[indexOfMessage(messages, messageId)];
  if (message !== undefined && message.status !== 'streaming') return current?.messageId === messageId ? null : current;
  return current?.messageId === messageId ? current : { messageId, phase: 'waiting' };
}

/** The live status an event or snapshot describes, keeping only the fields it has. */
function liveStatus(source: { messageId: string; phase: AnswerPhase; detail?: string; position?: number }): LiveStatus {
  const live: LiveStatus = { messageId: source.messageId, phase: source.phase };
  if (source.detail !== undefined) live.detail = source.detail;
  if (source.phase === 'queued' && source.position !== undefined) live.position = source.position;
  return live;
}

/**
 * Phases said in the polite live region as the answer enters them. "Thinking…" (`waiting`) is shown,
 * not said: every answer passes through it, often for a moment only.
 */
const SPOKEN_PHASES: ReadonlySet<AnswerPhase> = new Set(['queued', 'searching', 'loading-model', 'writing', 'retrying']);

/**
 * What to announce when the live status changes: the phase when the answer enters a new one (the
 * place in line when it is new or moved), nothing for a repeated status, "Thinking…", or any delta.
 */
function phaseAnnouncement(previous: LiveStatus | null, next: LiveStatus): string | null {
  if (!SPOKEN_PHASES.has(next.phase)) return null;
  const isSame =
    previous?.messageId === next.messageId &&
    previous.phase === next.phase &&
    (next.phase !== 'queued' || previous.position === next.position);
  return isSame ? null : phaseText(next.phase, next.detail, next.position);
}

function announcementFor(message: ChatMessage): string {
  if (message.status === 'stopped') return t('announce.stopped');
  if (message.status === 'error') {
    const error = message.error;
    return error === null ? t('announce.failed') : t('announce.failedWith', { message: errorText(error) });
  }
  const text = toPlainText(message.content);
  const count = message.products.length;
  const products = count === 0 ? '' : ` ${t('announce.products', { count })}`;
  return `${text}${products}`;
}

/**
 * The alternatives a regenerated answer starts with: the replaced answer's own, then the replaced
 * answer itself when it has something to read (as the server keeps it: not an error, not empty).
 */
function alternativesAfter(old: ChatMessage): NonNullable<ChatMessage['alternatives']> {
  const { alternatives = [], ...replaced } = old;
  const isKept =
    (old.status === 'complete' || old.status === 'stopped') && (old.content.trim() !== '' || old.products.length > 0);
  return isKept ? [...alternatives, replaced] : alternatives;
}

/** Feedback on an earlier alternative of an answer (issue 11): the alternative is inside its answer. */
function withAlternativeFeedback(
  messages: readonly ChatMessage[],
  messageId: string,
  feedback: ChatMessage['feedback'],
): Partial<ChatState> {
  const index = messages.findIndex((m) => m.alternatives?.some((a) => a.id === messageId));
  const owner = messages[index];
  if (owner?.alternatives === undefined) return {};
  const next = [...messages];
  next[index] = { ...owner, alternatives: owner.alternatives.map((a) => (a.id === messageId ? { ...a, feedback } : a)) };
  return { messages: next };
}

interface InitialChatState {
  conversationId?: string | null;
}

/** Creates a chat store; the app uses one (`chatStore`), tests make their own. */
export function createChatStore(initial: InitialChatState = {}): ChatStore {
  let announcementId = 0;

  return createStore<ChatState>()((set, get) => ({
    conversationId: initial.conversationId ?? null,
    handoff: ASSISTANT_HANDOFF,
    messages: [],
    live: null,
    pending: null,
    draft: '',
    composerError: null,
    busyMessageId: null,
    isStopping: false,
    connection: 'connecting',
    health: null,
    isCheckingHealth: false,
    serverError: null,
    serviceIssue: null,
    agentsOnline: false,
    emailReplyText: null,
    announcement: null,
    focusAnswerId: null,

    // Editing the text means the shopper has seen the last error.
    setDraft: (draft) => set({ draft, composerError: null }),
    setComposerError: (composerError) => set({ composerError }),

    beginSend: (pending) => set({ pending, draft: '', composerError: null }),

    confirmSend: (reply) =>
      set((state) => {
        const { conversationId, userMessage, assistantMessageId } = reply;
        let messages = state.conversationId === conversationId ? state.messages : [];
        if (indexOfMessage(messages, userMessage.id) === -1) {
          // chat:started can arrive before this ack (the sender watches before the answer starts):
          // the shopper's message still goes above its answer.
          const answerAt = indexOfMessage(messages, assistantMessageId);
          messages =
            answerAt === -1
              ? [...messages, userMessage]
              : [...messages.slice(0, answerAt), userMessage, ...messages.slice(answerAt)];
        }
        // No answer id: a person has this conversation, so no answer will stream.
        if (assistantMessageId === '') return { conversationId, pending: null, messages };
        messages = withPlaceholder(messages, conversationId, assistantMessageId);
        return {
          conversationId,
          pending: null,
          messages,
          live: liveFor(state.live, messages, assistantMessageId),
        };
      }),

    failSend: (error) =>
      set((state) => ({
        pending: null,
        // Give the text back so nothing the shopper typed is lost, unless they already typed more.
        draft: state.draft === '' && state.pending !== null ? state.pending.text : state.draft,
        composerError: error,
      })),

    startAnswer: (event) =>
      set((state) => {
        if (event.conversationId !== state.conversationId) return {};
        const messages = withPlaceholder(state.messages, event.conversationId, event.messageId);
        return { messages, live: liveFor(state.live, messages, event.messageId) };
      }),

    setPhase: (event) =>
      set((state) => {
        if (event.conversationId !== state.conversationId) return {};
        const messages = withPlaceholder(state.messages, event.conversationId, event.messageId);
        const message = messages[indexOfMessage(messages, event.messageId)];
        if (message?.status !== 'streaming') return {};
        const live = liveStatus(event);
        const spoken = phaseAnnouncement(state.live, live);
        if (spoken === null) return { messages, live };
        announcementId += 1;
        return { messages, live, announcement: { id: announcementId, text: spoken } };
      }),

    applyDeltas: (deltas) => {
      const state = get();
      let messages = state.messages;
      let isGap = false;
      const gapIds = new Set<string>();
      for (const delta of deltas) {
        if (delta.conversationId !== state.conversationId || gapIds.has(delta.messageId)) continue;
        const index = indexOfMessage(messages, delta.messageId);
        const message = messages[index];
        if (message === undefined) {
          // The start of an answer we never heard about (e.g. chat:started was missed).
          if (delta.offset === 0) messages = [...messages, placeholder(delta.conversationId, delta.messageId, delta.text)];
          else {
            isGap = true;
            gapIds.add(delta.messageId);
          }
          continue;
        }
        if (message.status !== 'streaming') continue;
        const merged = mergeDelta(message.content, delta.offset, delta.text);
        if (merged.kind === 'gap') {
          isGap = true;
          gapIds.add(delta.messageId);
          continue;
        }
        if (merged.kind === 'duplicate') continue;
        if (messages === state.messages) messages = [...messages];
        messages[index] = { ...message, content: merged.content };
      }
      if (messages !== state.messages) set({ messages });
      return isGap;
    },

    finishAnswer: (message) =>
      set((state) => {
        if (message.conversationId !== state.conversationId) return {};
        const index = indexOfMessage(state.messages, message.id);
        const messages = [...state.messages];
        // A regenerated answer's earlier alternatives came with the retry; the final event does not repeat them.
        const alternatives = message.alternatives ?? messages[index]?.alternatives;
        const finished = alternatives === undefined ? message : { ...message, alternatives };
        if (index === -1) messages.push(finished);
        else messages[index] = finished;
        announcementId += 1;
        return {
          messages,
          live: state.live?.messageId === message.id ? null : state.live,
          isStopping: state.live?.messageId === message.id ? false : state.isStopping,
          announcement: { id: announcementId, text: announcementFor(message) },
        };
      }),

    setBusyMessage: (busyMessageId) => set({ busyMessageId }),
    setStopping: (isStopping) => set({ isStopping }),

    replaceRetried: (oldMessageId, newMessageId) =>
      set((state) => {
        if (state.conversationId === null) return {};
        const old = state.messages.find((m) => m.id === oldMessageId);
        const kept = state.messages.filter((m) => m.id !== oldMessageId);
        const messages = withPlaceholder(kept, state.conversationId, newMessageId);
        const alternatives = old === undefined ? [] : alternativesAfter(old);
        const at = indexOfMessage(messages, newMessageId);
        const fresh = messages[at];
        if (alternatives.length > 0 && fresh !== undefined) messages[at] = { ...fresh, alternatives };
        return {
          messages,
          live: liveFor(state.live, messages, newMessageId),
          busyMessageId: null,
          focusAnswerId: newMessageId,
        };
      }),

    replaceEdited: (oldMessageId, reply) =>
      set((state) => {
        if (state.conversationId !== reply.conversationId) return {};
        const from = indexOfMessage(state.messages, oldMessageId);
        const kept = from === -1 ? state.messages : state.messages.slice(0, from);
        const answerAt = indexOfMessage(kept, reply.assistantMessageId);
        const base = answerAt === -1 ? kept : kept.filter((m) => m.id !== reply.assistantMessageId);
        const messages = withPlaceholder([...base, reply.userMessage], reply.conversationId, reply.assistantMessageId);
        return { messages, pending: null, live: liveFor(state.live, messages, reply.assistantMessageId) };
      }),

    openConversation: (conversationId) =>
      set({
        conversationId,
        handoff: ASSISTANT_HANDOFF,
        messages: [],
        live: null,
        pending: null,
        composerError: null,
        busyMessageId: null,
        isStopping: false,
        emailReplyText: null,
      }),

    applySnapshot: (snapshot) =>
      set((state) => {
        if (snapshot.conversationId !== state.conversationId) return {};
        const messages = [...snapshot.messages];
        const { live } = snapshot;
        const handoff: Handoff = snapshot.handoff ?? ASSISTANT_HANDOFF;
        if (live === null) return { messages, live: null, isStopping: false, handoff };
        const index = indexOfMessage(messages, live.messageId);
        const current = state.messages[indexOfMessage(state.messages, live.messageId)];
        // Keep text we already hold beyond the snapshot; deltas after it continue from there.
        const content =
          current !== undefined && current.content.length > live.content.length && current.content.startsWith(live.content)
            ? current.content
            : live.content;
        const existing = messages[index];
        if (existing === undefined) messages.push(placeholder(snapshot.conversationId, live.messageId, content));
        else messages[index] = { ...existing, content, status: 'streaming' };
        const status = liveStatus(live);
        const spoken = phaseAnnouncement(state.live, status);
        if (spoken === null) return { messages, live: status, handoff };
        announcementId += 1;
        return { messages, live: status, handoff, announcement: { id: announcementId, text: spoken } };
      }),

    resetConversation: () =>
      set({
        conversationId: null,
        handoff: ASSISTANT_HANDOFF,
        messages: [],
        live: null,
        pending: null,
        composerError: null,
        busyMessageId: null,
        isStopping: false,
        focusAnswerId: null,
      }),

    setConnection: (connection) => set({ connection }),
    setHealthChecking: (isCheckingHealth) => set({ isCheckingHealth }),
    setHealth: (health) =>
      set((state) => ({
        health,
        isCheckingHealth: false,
        serverError: null,
        serviceIssue: hasHealthProblem(health) ? state.serviceIssue : null,
      })),
    setServerError: (serverError) => set({ serverError, isCheckingHealth: false }),
    setServiceIssue: (serviceIssue) => set({ serviceIssue }),
    setAgentsOnline: (agentsOnline) => set({ agentsOnline }),
    setEmailReplyText: (emailReplyText) => set({ emailReplyText }),

    applyHandoff: (event) =>
      set((state) => {
        if (event.conversationId !== state.conversationId) return {};
        const name = event.agentName ?? t('announce.teamMember');
        announcementId += 1;
        if (event.state === 'waiting') {
          return {
            handoff: { state: 'waiting', agentName: null },
            announcement: { id: announcementId, text: t('announce.handoffWaiting') },
          };
        }
        if (event.state === 'agent-joined') {
          return {
            handoff: { state: 'agent', agentName: event.agentName ?? null },
            announcement: { id: announcementId, text: t('announce.joined', { name }) },
          };
        }
        return {
          handoff: ASSISTANT_HANDOFF,
          announcement: { id: announcementId, text: t('announce.left', { name }) },
        };
      }),

    receiveMessage: (message) =>
      set((state) => {
        if (message.conversationId !== state.conversationId || indexOfMessage(state.messages, message.id) !== -1) return {};
        announcementId += 1;
        const author = message.authorName ?? t('message.shopAssistant');
        // Notices (a person joined or left) are announced by the hand-off event already.
        if (message.role === 'system') return { messages: [...state.messages, message] };
        return {
          messages: [...state.messages, message],
          announcement: { id: announcementId, text: `${author}: ${toPlainText(message.content)}` },
        };
      }),

    applyRefined: (message) =>
      set((state) => {
        const index = indexOfMessage(state.messages, message.id);
        const old = state.messages[index];
        if (message.conversationId !== state.conversationId || old === undefined) return {};
        const messages = [...state.messages];
        messages[index] = { ...message, feedback: old.feedback ?? null };
        return { messages };
      }),

    setFeedback: (messageId, feedback) =>
      set((state) => {
        const index = indexOfMessage(state.messages, messageId);
        const message = state.messages[index];
        if (message === undefined) return withAlternativeFeedback(state.messages, messageId, feedback);
        const messages = [...state.messages];
        messages[index] = { ...message, feedback };
        return { messages };
      }),

    clearFocusAnswer: () => set({ focusAnswerId: null }),
  }));
}

/** True when Ollama is down or the model is missing: the chat cannot answer. */
export function hasHealthProblem(health: HealthReply): boolean {
  return !health.ollama.reachable || health.model.available === false;
}

/** True while an answer is being generated or a message is on its way. */
export function selectIsBusy(state: ChatState): boolean {
  return state.live !== null || state.pending !== null || state.busyMessageId !== null;
}

/** Whether the composer's current text could be sent right now. */
export function selectCanSend(state: ChatState): boolean {
  const length = state.draft.trim().length;
  return !selectIsBusy(state) && length > 0 && state.draft.length <= MAX_MESSAGE_CHARS;
}

/** The app's chat store, starting in the conversation remembered from the last visit. */
export const chatStore: ChatStore = createChatStore({ conversationId: loadConversationId() });

/** Reads the app's chat store through a selector. */
export function useChatStore<T>(selector: (state: ChatState) => T): T {
  return useStore(chatStore, selector);
}
