import type { AgentAuth } from '../agents/agentAuth';
import { displayStatus, type TranscriptService } from '../agents/transcriptService';
import type { ChatService } from '../chat/chatService';
import type { TranscriptRepository } from '../db/transcriptRepository';
import type { Logger } from '../logger';
import { AGENT_LIST_ROOM, endAgentSockets, watchRoom, type AgentNamespace } from './agent.handlers';

const SESSION_SWEEP_MS = 60_000;
/** At most one list update per conversation per this long: 2,000 feedback clicks must not become 10,000 updates. */
export const LIST_UPDATE_MS = 250;

/**
 * Runs `run(key)` at once for a key that has been quiet, then at most once per `windowMs` while calls
 * keep coming: calls inside a window collapse into one run at its end (the trailing edge), so the
 * last change is always delivered, read fresh when it runs.
 */
export function coalescePerKey(windowMs: number, run: (key: string) => void): { push(key: string): void; close(): void } {
  const windows = new Map<string, { timer: NodeJS.Timeout; isPending: boolean }>();
  function open(key: string): void {
    const timer = setTimeout(() => {
      const isPending = windows.get(key)?.isPending === true;
      windows.delete(key);
      if (!isPending) return;
      run(key);
      open(key);
    }, windowMs);
    timer.unref();
    windows.set(key, { timer, isPending: false });
  }
  return {
    push(key) {
      const current = windows.get(key);
      if (current) {
        current.isPending = true;
        return;
      }
      run(key);
      open(key);
    },
    close() {
      for (const { timer } of windows.values()) clearTimeout(timer);
      windows.clear();
    },
  };
}

/** The live side of the agent console, as the HTTP routes and app.ts see it. */
export interface AgentLiveFeed {
  /** Something in a conversation's list row changed (labels, flag): tells every console. */
  rowChanged(conversationId: string): void;
  /** Ends live sockets of one session or of every session of an agent, at once. */
  endSockets(match: { sessionHash?: string; agentId?: string }, reason: string): void;
  /** Stops following the chat and the session sweep (the sockets close with the server). */
  close(): void;
}

/**
 * Keeps every agent console up to date: follows the chat (stored messages, status changes, streamed
 * text) into the `/agent` namespace, and ends sockets whose session ended elsewhere.
 */
export function startAgentLiveFeed(deps: {
  nsp: AgentNamespace;
  chat: ChatService;
  auth: AgentAuth;
  transcripts: TranscriptService;
  transcriptRows: TranscriptRepository;
  logger: Logger;
  /** The list-update window; default {@link LIST_UPDATE_MS}. */
  listUpdateMs?: number;
}): AgentLiveFeed {
  const { nsp, auth, transcripts, transcriptRows } = deps;
  const log = deps.logger.child({ area: 'agent-console' });
  const report = (what: string) => (err: unknown) => log.error({ err }, what);

  async function announce(conversationId: string): Promise<void> {
    const conversation = await transcriptRows.getConversation(conversationId);
    if (!conversation) return;
    nsp.to(AGENT_LIST_ROOM).emit('transcripts:updated', {
      conversationId,
      status: displayStatus(conversation),
      lastActivity: conversation.updated_at,
    });
  }
  const listUpdates = coalescePerKey(deps.listUpdateMs ?? LIST_UPDATE_MS, (conversationId) => {
    void announce(conversationId).catch(report('could not announce a transcript change'));
  });
  const rowChanged = (conversationId: string) => listUpdates.push(conversationId);

  // Sessions also end outside this process (`pnpm agent disable`) or by expiry: a quiet socket would
  // keep receiving live transcripts, so every socket's session is checked once a minute.
  const sweep = setInterval(() => {
    for (const socket of nsp.sockets.values()) {
      auth.authenticate(socket.data.sessionHash, { touch: false }).then((agent) => {
        if (agent) return;
        socket.emit('session:ended', { reason: 'expired' });
        socket.disconnect(true);
      }, report('could not check an agent session'));
    }
  }, SESSION_SWEEP_MS);
  sweep.unref();

  const unobserve = deps.chat.observe({
    messageStored: (row) => {
      rowChanged(row.conversation_id);
      void (async () => {
        nsp
          .to(watchRoom(row.conversation_id))
          .emit('conversation:message', { conversationId: row.conversation_id, message: await transcripts.message(row) });
      })().catch(report('could not send a live message to agents'));
    },
    conversationChanged: rowChanged,
    delta: (event) => nsp.to(watchRoom(event.conversationId)).emit('conversation:delta', event),
  });

  return {
    rowChanged,
    endSockets: (match, reason) => endAgentSockets(nsp, match, reason),
    close(): void {
      clearInterval(sweep);
      unobserve();
      listUpdates.close();
    },
  };
}
