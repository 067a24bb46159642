import type {
  Agent,
  AppErrorBody,
  ChatDeltaEvent,
  ConversationStatus,
  TranscriptDetail,
  TranscriptMessage,
  TranscriptUpdatedEvent,
} from '@aisle/shared';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { mergeDelta } from '../../lib/mergeDelta';
import type { TranscriptNote, TranscriptPage } from './agentApi';

export type SessionStatus = 'checking' | 'signed-out' | 'signed-in';
export type ConnectionState = 'idle' | 'connecting' | 'online' | 'offline';

/** Runs a callback after `ms`; returns a function that cancels it. Injected so tests control time. */
export type Scheduler = (callback: () => void, ms: number) => () => void;

const timeoutScheduler: Scheduler = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

/** Busy lists change many times a second; one refresh per this interval is plenty. */
export const LIST_REFRESH_DELAY_MS = 600;

/** The conversation open in the detail view, kept live through `agent:watch`. */
export interface WatchedConversation {
  conversationId: string;
  detail: TranscriptDetail | null;
  error: AppErrorBody | null;
  /** Unmasked text of messages this agent revealed (the server recorded each access). */
  revealed: Readonly<Record<string, string>>;
}

export interface AgentState {
  session: SessionStatus;
  agent: Agent | null;
  /** Why the agent is back at sign-in (session ended, signed out elsewhere, disabled). */
  signInNotice: string | null;
  connection: ConnectionState;

  list: TranscriptPage | null;
  listError: AppErrorBody | null;
  isListLoading: boolean;
  /** Bumped (debounced) when the server says transcripts changed: the list page refetches on it. */
  listVersion: number;

  watched: WatchedConversation | null;

  /** Conversations whose shopper asked for a person and nobody has taken over yet (drives the alerts). */
  waitingIds: readonly string[];

  setChecking(): void;
  signedIn(agent: Agent): void;
  /** Back to sign-in, with a reason to show when the session ended without the agent asking. */
  signedOut(notice: string | null): void;
  setConnection(connection: ConnectionState): void;

  listLoading(): void;
  listLoaded(page: TranscriptPage): void;
  listFailed(error: AppErrorBody): void;
  /** A `transcripts:updated` event: patch the row and the watched detail now, refetch the list soon. */
  applyTranscriptUpdate(event: TranscriptUpdatedEvent): void;
  /** Forces the list to refetch now (e.g. after the socket reconnects). */
  refreshList(): void;
  /** The waiting conversations as the server listed them (on connect), kept live by transcript updates. */
  waitingLoaded(ids: readonly string[]): void;

  beginWatch(conversationId: string): void;
  watchLoaded(detail: TranscriptDetail): void;
  watchFailed(conversationId: string, error: AppErrorBody): void;
  endWatch(conversationId: string): void;
  /** A committed message in a watched conversation: replaces the live placeholder or is appended. */
  applyMessage(conversationId: string, message: TranscriptMessage): void;
  /** Live assistant text; returns true when text is missing and the transcript must be fetched again. */
  applyDeltas(deltas: readonly ChatDeltaEvent[]): boolean;
  setHandoff(conversationId: string, status: ConversationStatus, takenOverBy: string | null): void;
  noteAdded(conversationId: string, note: TranscriptNote): void;
  setLabels(conversationId: string, labels: string[]): void;
  setFlagged(conversationId: string, flagged: boolean): void;
  messageRevealed(conversationId: string, messageId: string, content: string): void;
}

export type AgentStore = StoreApi<AgentState>;

function indexOfMessage(messages: readonly TranscriptMessage[], id: string): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i]?.id === id) return i;
  return -1;
}

/** A live answer the console heard about before its message was committed. */
function livePlaceholder(conversationId: string, messageId: string, content: string): TranscriptMessage {
  return {
    id: messageId,
    conversationId,
    role: 'assistant',
    content,
    status: 'streaming',
    createdAt: new Date().toISOString(),
    products: [],
    error: null,
    isMasked: false,
    agentName: null,
    completedAt: null,
    trace: null,
    feedback: null,
  };
}

/** Puts revealed text back over a freshly fetched (masked) transcript. */
function withRevealed(detail: TranscriptDetail, revealed: Readonly<Record<string, string>>): TranscriptDetail {
  if (Object.keys(revealed).length === 0) return detail;
  return {
    ...detail,
    messages: detail.messages.map((m) => {
      const content = revealed[m.id];
      return content === undefined ? m : { ...m, content, isMasked: false };
    }),
  };
}

interface AgentStoreOptions {
  schedule?: Scheduler;
  refreshDelayMs?: number;
}

/** Creates an agent-console store; the app uses one (`agentStore`), tests make their own. */
export function createAgentStore({
  schedule = timeoutScheduler,
  refreshDelayMs = LIST_REFRESH_DELAY_MS,
}: AgentStoreOptions = {}): AgentStore {
  let cancelRefresh: (() => void) | null = null;

  return createStore<AgentState>()((set, get) => {
    /** Updates the watched detail only if it is the conversation named. */
    const updateDetail = (
      conversationId: string,
      update: (detail: TranscriptDetail, watched: WatchedConversation) => Partial<WatchedConversation> | null,
    ) =>
      set((state) => {
        const watched = state.watched;
        if (watched === null || watched.conversationId !== conversationId || watched.detail === null) return {};
        const patch = update(watched.detail, watched);
        return patch === null ? {} : { watched: { ...watched, ...patch } };
      });

    const cancelScheduledRefresh = () => {
      cancelRefresh?.();
      cancelRefresh = null;
    };

    return {
      session: 'checking',
      agent: null,
      signInNotice: null,
      connection: 'idle',
      list: null,
      listError: null,
      isListLoading: false,
      listVersion: 0,
      watched: null,
      waitingIds: [],

      setChecking: () => set({ session: 'checking' }),
      signedIn: (agent) => set({ session: 'signed-in', agent, signInNotice: null }),
      signedOut: (signInNotice) => {
        cancelScheduledRefresh();
        set({
          session: 'signed-out',
          agent: null,
          signInNotice,
          connection: 'idle',
          list: null,
          listError: null,
          isListLoading: false,
          watched: null,
          waitingIds: [],
        });
      },
      setConnection: (connection) => set({ connection }),

      listLoading: () => set({ isListLoading: true }),
      listLoaded: (list) => set({ list, listError: null, isListLoading: false }),
      listFailed: (listError) => set({ listError, isListLoading: false }),

      waitingLoaded: (ids) => set({ waitingIds: [...new Set(ids)] }),

      applyTranscriptUpdate: (event) => {
        set((state) => {
          const patch: Partial<AgentState> = {};
          const isWaiting = state.waitingIds.includes(event.conversationId);
          if (event.status === 'waiting' && !isWaiting) patch.waitingIds = [...state.waitingIds, event.conversationId];
          if (event.status !== 'waiting' && isWaiting)
            patch.waitingIds = state.waitingIds.filter((id) => id !== event.conversationId);
          const rows = state.list?.items;
          const index = rows?.findIndex((r) => r.id === event.conversationId) ?? -1;
          const row = rows?.[index];
          if (state.list !== null && rows !== undefined && row !== undefined) {
            const items = [...rows];
            items[index] = { ...row, status: event.status, lastActivity: event.lastActivity };
            patch.list = { ...state.list, items };
          }
          const watched = state.watched;
          if (watched?.detail != null && watched.conversationId === event.conversationId) {
            const detail = watched.detail;
            const takenOverBy = event.status === 'taken_over' ? detail.takenOverBy : null;
            patch.watched = {
              ...watched,
              detail: { ...detail, status: event.status, lastActivity: event.lastActivity, takenOverBy },
            };
          }
          return patch;
        });
        // Trailing debounce: a burst of updates ends in one refetch, once the burst is over.
        cancelScheduledRefresh();
        cancelRefresh = schedule(() => {
          cancelRefresh = null;
          set((state) => ({ listVersion: state.listVersion + 1 }));
        }, refreshDelayMs);
      },

      refreshList: () => {
        cancelScheduledRefresh();
        set((state) => ({ listVersion: state.listVersion + 1 }));
      },

      beginWatch: (conversationId) =>
        set((state) => {
          // Re-watching the same conversation (reconnect) keeps what is shown until the new copy arrives.
          if (state.watched?.conversationId === conversationId) return { watched: { ...state.watched, error: null } };
          return { watched: { conversationId, detail: null, error: null, revealed: {} } };
        }),

      watchLoaded: (detail) =>
        set((state) => {
          const watched = state.watched;
          if (watched === null || watched.conversationId !== detail.id) return {};
          const previous = watched.detail;
          let fresh = withRevealed(detail, watched.revealed);
          // Live text we already hold beyond the fetched copy stays; later deltas continue from it.
          if (previous !== null) {
            fresh = {
              ...fresh,
              messages: fresh.messages.map((m) => {
                if (m.status !== 'streaming') return m;
                const held = previous.messages[indexOfMessage(previous.messages, m.id)];
                return held !== undefined && held.content.length > m.content.length && held.content.startsWith(m.content)
                  ? { ...m, content: held.content }
                  : m;
              }),
            };
          }
          return { watched: { ...watched, detail: fresh, error: null } };
        }),

      watchFailed: (conversationId, error) =>
        set((state) => (state.watched?.conversationId === conversationId ? { watched: { ...state.watched, error } } : {})),

      endWatch: (conversationId) => set((state) => (state.watched?.conversationId === conversationId ? { watched: null } : {})),

      applyMessage: (conversationId, message) =>
        updateDetail(conversationId, (detail) => {
          const index = indexOfMessage(detail.messages, message.id);
          const messages = [...detail.messages];
          if (index === -1) messages.push(message);
          else messages[index] = message;
          return { detail: { ...detail, messages } };
        }),

      applyDeltas: (deltas) => {
        const watched = get().watched;
        const detail = watched?.detail;
        if (watched === null || detail === null || detail === undefined) return false;
        let messages = detail.messages;
        let isGap = false;
        for (const delta of deltas) {
          if (delta.conversationId !== watched.conversationId) continue;
          const index = indexOfMessage(messages, delta.messageId);
          const message = messages[index];
          if (message === undefined) {
            if (delta.offset === 0) messages = [...messages, livePlaceholder(delta.conversationId, delta.messageId, delta.text)];
            else isGap = true;
            continue;
          }
          if (message.status !== 'streaming') continue;
          const merged = mergeDelta(message.content, delta.offset, delta.text);
          if (merged.kind === 'gap') isGap = true;
          if (merged.kind !== 'append') continue;
          if (messages === detail.messages) messages = [...messages];
          messages[index] = { ...message, content: merged.content };
        }
        if (messages !== detail.messages) set({ watched: { ...watched, detail: { ...detail, messages } } });
        return isGap;
      },

      setHandoff: (conversationId, status, takenOverBy) =>
        updateDetail(conversationId, (detail) => ({ detail: { ...detail, status, takenOverBy } })),

      noteAdded: (conversationId, note) =>
        updateDetail(conversationId, (detail) =>
          detail.notes.some((n) => n.id === note.id) ? null : { detail: { ...detail, notes: [...detail.notes, note] } },
        ),

      setLabels: (conversationId, labels) => updateDetail(conversationId, (detail) => ({ detail: { ...detail, labels } })),

      setFlagged: (conversationId, flagged) => updateDetail(conversationId, (detail) => ({ detail: { ...detail, flagged } })),

      messageRevealed: (conversationId, messageId, content) =>
        updateDetail(conversationId, (detail, watched) => {
          const revealed = { ...watched.revealed, [messageId]: content };
          return { revealed, detail: withRevealed(detail, revealed) };
        }),
    };
  });
}

/** The console's store. */
export const agentStore: AgentStore = createAgentStore();

/** Reads the console's store through a selector. */
export function useAgentStore<T>(selector: (state: AgentState) => T): T {
  return useStore(agentStore, selector);
}

/** True when the signed-in agent is an admin (the server checks again on every admin request). */
export function selectIsAdmin(state: AgentState): boolean {
  return state.agent?.role === 'admin' && !state.agent.disabled;
}
