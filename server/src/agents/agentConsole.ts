import type { ChatService } from '../chat/chatService';
import { createAgentRepository, type AgentRow } from '../db/agentRepository';
import type { Database } from '../db/database';
import { createTranscriptRepository } from '../db/transcriptRepository';
import { createAgentRouter } from '../http/agentRoutes';
import type { Logger } from '../logger';
import { AGENT_LIST_ROOM, agentSocketAuth, endAgentSockets, registerAgentHandlers, watchRoom, type AgentNamespace } from '../sockets/agent.handlers';
import type { ShopperServer } from '../sockets/chat.handlers';
import { createAgentAuth, type AgentAuthOptions } from './agentAuth';
import { createRetention, retentionDaysFromEnv } from './retention';
import { createTranscriptService, displayStatus } from './transcriptService';

type Env = Record<string, string | undefined>;

/**
 * Login throttling from the environment until the config has an `agents` section:
 * `AISLE_AGENT_LOGIN_WINDOW_S` (seconds a locked account or address waits; default 900).
 */
export function agentAuthOptionsFromEnv(env: Env): { options: Partial<AgentAuthOptions>; problems: string[] } {
  const raw = env.AISLE_AGENT_LOGIN_WINDOW_S?.trim();
  if (!raw) return { options: {}, problems: [] };
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) return { options: {}, problems: [`AISLE_AGENT_LOGIN_WINDOW_S: expected a number of seconds, got "${raw}"`] };
  return { options: { loginWindowSeconds: seconds }, problems: [] };
}

/**
 * The agent console's server side in one piece: the /api/agent router (mount it before /api), and,
 * once the chat exists, the `/agent` Socket.IO namespace, live updates and the retention timer.
 */
export function createAgentConsole(deps: { db: Database; logger: Logger; allowedOrigins: () => readonly string[]; env?: Env }) {
  const env = deps.env ?? process.env;
  const log = deps.logger.child({ area: 'agent-console' });
  const agents = createAgentRepository(deps.db);
  const transcriptRows = createTranscriptRepository(deps.db);
  const transcripts = createTranscriptService(transcriptRows);
  const authOptions = agentAuthOptionsFromEnv(env);
  for (const problem of authOptions.problems) log.warn(problem);
  const auth = createAgentAuth({ agents, options: authOptions.options });
  const retention = createRetention({ transcripts: transcriptRows, logger: deps.logger });
  let nsp: AgentNamespace | null = null;
  let chat: ChatService | null = null;
  let unobserve: () => void = () => undefined;

  const report = (what: string) => (err: unknown) => log.error({ err }, what);

  async function announce(conversationId: string): Promise<void> {
    const conversation = await transcriptRows.getConversation(conversationId);
    if (!conversation || !nsp) return;
    nsp.to(AGENT_LIST_ROOM).emit('transcripts:updated', { conversationId, status: displayStatus(conversation), lastActivity: conversation.updated_at });
  }

  async function handBackAll(agent: AgentRow): Promise<void> {
    if (!chat) return;
    for (const c of await transcriptRows.takenOverBy(agent.id)) await chat.handBack(c.id, { id: agent.id, name: agent.name });
  }

  const router = createAgentRouter({
    auth,
    agents,
    transcripts,
    transcriptRows,
    allowedOrigins: deps.allowedOrigins,
    endSockets: (match, reason) => {
      if (nsp) endAgentSockets(nsp, match, reason);
    },
    handBackAll,
    rowChanged: (conversationId) => void announce(conversationId).catch(report('could not announce a transcript change')),
    logger: deps.logger,
  });

  return {
    router,
    auth,
    agents,
    transcripts,

    /** Creates the `/agent` namespace, follows the chat for live updates, and starts retention. */
    attach(parts: { io: ShopperServer; chat: ChatService }): void {
      chat = parts.chat;
      // Namespaces of one server share its type parameters; this one speaks the agent event maps.
      const agentNsp = parts.io.of('/agent') as unknown as AgentNamespace;
      nsp = agentNsp;
      agentNsp.use(agentSocketAuth(auth));
      agentNsp.on('connection', (socket) => registerAgentHandlers(socket, { auth, chat: parts.chat, transcripts, logger: deps.logger }));

      unobserve = parts.chat.observe({
        messageStored: (row) => {
          void (async () => {
            await announce(row.conversation_id);
            agentNsp.to(watchRoom(row.conversation_id)).emit('conversation:message', { conversationId: row.conversation_id, message: await transcripts.message(row) });
          })().catch(report('could not send a live message to agents'));
        },
        conversationChanged: (conversationId) => void announce(conversationId).catch(report('could not announce a transcript change')),
        delta: (event) => agentNsp.to(watchRoom(event.conversationId)).emit('conversation:delta', event),
      });

      const retentionDays = retentionDaysFromEnv(env);
      if (retentionDays.problem) log.warn(retentionDays.problem);
      retention.start(() => retentionDays.days);
    },

    /** Retention: deletes conversations with no activity for `days` days. */
    purgeOlderThan: retention.purgeOlderThan,

    /** Stops the timer and the chat subscription (sockets close with the server). */
    close(): void {
      retention.stop();
      unobserve();
    },
  };
}

export type AgentConsole = ReturnType<typeof createAgentConsole>;
