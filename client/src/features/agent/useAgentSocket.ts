import { transcriptDetailSchema, transcriptMessageSchema, type AppErrorBody } from '@aisle/shared';
import { useEffect, useMemo, useRef } from 'react';
import { DeltaBuffer } from '../../lib/deltaBuffer';
import { NOT_CONNECTED, type AgentActions } from './agentActions';
import { getMe, listTranscripts } from './agentApi';
import {
  createAgentSocket,
  handBack,
  sendReply,
  takeOver,
  unwatchConversation,
  watchConversation,
  type AgentSocket,
} from './agentSocket';
import { agentStore, type AgentStore } from './agentStore';

const BAD_TRANSCRIPT: AppErrorBody = { code: 'internal', message: 'The server sent a transcript the console could not read.' };

/** Why the console went back to sign-in, in words for the sign-in screen. */
export function sessionEndedNotice(reason: string): string {
  return SESSION_ENDED[reason] ?? 'Your session ended. Please sign in again.';
}

const SESSION_ENDED: Readonly<Record<string, string>> = {
  'signed-out': 'You were signed out.',
  disabled: 'Your account was disabled by an admin.',
  removed: 'Your account was removed by an admin.',
  expired: 'Your session expired. Please sign in again.',
};

/**
 * The live link between one signed-in console and the server's `/agent` namespace. Which conversation
 * to watch is store state (`beginWatch`/`endWatch`), so a page can ask before the socket exists.
 */
export interface AgentConnection extends AgentActions {
  start(): void;
  dispose(): void;
}

/**
 * Registers every `/agent` listener in one place; they only call store actions. Reconnecting
 * re-watches the open conversation (rooms do not survive a reconnect) and refreshes the list.
 */
export function createAgentConnection(store: AgentStore, socket: AgentSocket): AgentConnection {
  let isDisposed = false;
  let hasConnected = false;
  let unsubscribe: (() => void) | null = null;

  const buffer = new DeltaBuffer((deltas) => {
    if (store.getState().applyDeltas(deltas)) void load();
  });

  /** (Re)fetches the watched conversation through `agent:watch`, which also joins its live room. */
  async function load(): Promise<void> {
    const conversationId = store.getState().watched?.conversationId;
    if (conversationId === undefined || isDisposed) return;
    store.getState().beginWatch(conversationId);
    const result = await watchConversation(socket, { conversationId });
    if (isDisposed || store.getState().watched?.conversationId !== conversationId) return;
    if (!result.ok) {
      store.getState().watchFailed(conversationId, result.error);
      return;
    }
    const detail = transcriptDetailSchema.safeParse(result.data);
    if (detail.success) store.getState().watchLoaded(detail.data);
    else store.getState().watchFailed(conversationId, BAD_TRANSCRIPT);
  }

  /** Which shoppers wait for a person now; live updates keep it current until the next (re)connect. */
  async function loadWaiting(): Promise<void> {
    const result = await listTranscripts({ status: 'waiting', page: 1, pageSize: 100 });
    if (isDisposed || !result.ok) return;
    store.getState().waitingLoaded(result.data.items.map((row) => row.id));
  }

  /** The server refused the socket: find out whether the session is gone, and if so, sign out. */
  async function checkSession(): Promise<void> {
    const me = await getMe();
    if (isDisposed) return;
    if (!me.ok && me.error.code === 'unauthorized') store.getState().signedOut(sessionEndedNotice(''));
  }

  function registerListeners(): void {
    socket.on('connect', () => {
      store.getState().setConnection('online');
      void loadWaiting();
      if (!hasConnected) {
        hasConnected = true;
        return;
      }
      store.getState().refreshList();
      void load();
    });
    socket.on('disconnect', () => store.getState().setConnection('offline'));
    socket.on('connect_error', () => {
      store.getState().setConnection('offline');
      // Not retrying on its own means the server refused the handshake (no valid session).
      if (!socket.active) void checkSession();
    });
    socket.on('transcripts:updated', (event) => {
      const before = store.getState().watched?.detail;
      store.getState().applyTranscriptUpdate(event);
      // Taken over by someone else: only a fresh transcript says by whom.
      if (before?.id === event.conversationId && event.status === 'taken_over' && before.takenOverBy === null) void load();
    });
    socket.on('conversation:message', (event) => {
      if (store.getState().watched?.conversationId !== event.conversationId) return;
      buffer.flush();
      const message = transcriptMessageSchema.safeParse(event.message);
      if (message.success) store.getState().applyMessage(event.conversationId, message.data);
      else void load();
    });
    socket.on('conversation:delta', (event) => {
      if (store.getState().watched?.conversationId === event.conversationId) buffer.push(event);
    });
    socket.on('session:ended', (event) => {
      socket.disconnect();
      store.getState().signedOut(sessionEndedNotice(event.reason));
    });
  }

  /** Follows the page: a newly opened conversation is watched, the one left is unwatched. */
  function followWatched(current: string | undefined, previous: string | undefined): void {
    if (current === previous) return;
    buffer.dispose();
    if (previous !== undefined && socket.connected) void unwatchConversation(socket, { conversationId: previous });
    if (current !== undefined) void load();
  }

  return {
    start() {
      registerListeners();
      unsubscribe = store.subscribe((state, before) =>
        followWatched(state.watched?.conversationId, before.watched?.conversationId),
      );
      store.getState().setConnection('connecting');
      socket.connect();
      // A page opened before the socket existed already named its conversation.
      void load();
    },
    dispose() {
      isDisposed = true;
      unsubscribe?.();
      buffer.dispose();
      socket.removeAllListeners();
      socket.disconnect();
    },
    rewatch: () => void load(),
    async takeOver(conversationId) {
      if (isDisposed) return { ok: false, error: NOT_CONNECTED };
      const result = await takeOver(socket, { conversationId });
      if (result.ok && !isDisposed)
        store.getState().setHandoff(conversationId, 'taken_over', store.getState().agent?.name ?? null);
      return result;
    },
    async handBack(conversationId) {
      if (isDisposed) return { ok: false, error: NOT_CONNECTED };
      const result = await handBack(socket, { conversationId });
      if (result.ok && !isDisposed) store.getState().setHandoff(conversationId, 'active', null);
      return result;
    },
    sendReply(conversationId, text) {
      if (isDisposed) return Promise.resolve({ ok: false, error: NOT_CONNECTED });
      return sendReply(socket, { conversationId, text });
    },
  };
}

/**
 * Connects the signed-in console to `/agent` for as long as it is mounted and returns stable actions
 * (provide them with `AgentActionsContext`).
 */
export function useAgentSocket(store: AgentStore = agentStore): AgentActions {
  const connectionRef = useRef<AgentConnection | null>(null);

  useEffect(() => {
    const connection = createAgentConnection(store, createAgentSocket());
    connectionRef.current = connection;
    connection.start();
    return () => {
      connection.dispose();
      connectionRef.current = null;
    };
  }, [store]);

  return useMemo<AgentActions>(() => {
    const notConnected = () => Promise.resolve({ ok: false as const, error: NOT_CONNECTED });
    return {
      rewatch: () => connectionRef.current?.rewatch(),
      takeOver: (id) => connectionRef.current?.takeOver(id) ?? notConnected(),
      handBack: (id) => connectionRef.current?.handBack(id) ?? notConnected(),
      sendReply: (id, text) => connectionRef.current?.sendReply(id, text) ?? notConnected(),
    };
  }, []);
}
