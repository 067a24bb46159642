import type { ChatService } from '../chat/chatService';
import { createAgentRepository, type AgentRow } from '../db/agentRepository';
import type { LoadedConfig } from '../config/loadConfig';
import type { Database } from '../db/database';
import { createExperimentRepository } from '../db/experimentRepository';
import { createTranscriptRepository } from '../db/transcriptRepository';
import { createAgentRouter } from '../http/agentRoutes';
import type { Logger } from '../logger';
import {
  AGENT_LIST_ROOM,
  agentSocketAuth,
  endAgentSockets,
  registerAgentHandlers,
  watchRoom,
  type AgentNamespace,
} from '../sockets/agent.handlers';
import type { ShopperServer } from '../sockets/chat.handlers';
import { createAgentAuth } from './agentAuth';
import type { Clock } from './loginThrottle';
import { createRetention } from './retention';
import { createTranscriptService, displayStatus } from './transcriptService';

const SESSION_SWEEP_MS = 60_000;

/**
 * The agent console's server side in one piece: the /api/agent router (mount it before /api), and,
 * once the chat exists, the `/agent` Socket.IO namespace, live updates and the retention timer.
 */
export function createAgentConsole(deps: {
  db: Database;
  logger: Logger;
  allowedOrigins: () => readonly string[];
  /** The config in force: retention days and the running experiment are read from it each time. */
  config: () => LoadedConfig;
  clock?: Clock;
}) {
  const log = deps.logger.child({ area: 'agent-console' });
  const agents = createAgentRepository(deps.db);
  const transcriptRows = createTranscriptRepository(deps.db);
  const transcripts = createTranscriptService(transcriptRows);
  const experimentRows = createExperimentRepository(deps.db);
  const auth = createAgentAuth({
    agents,
    options: { loginWindowSeconds: deps.config().config.agents.loginWindowSeconds },
    clock: deps.clock,
  });
  const retention = createRetention({ transcripts: transcriptRows, logger: deps.logger });
  let nsp: AgentNamespace | null = null;
  let chat: ChatService | null = null;
  let unobserve: () => void = () => undefined;
  let sweep: NodeJS.Timeout | null = null;

  const report = (what: string) => (err: unknown) => log.error({ err }, what);

  async function announce(conversationId: string): Promise<void> {
    const conversation = await transcriptRows.getConversation(conversationId);
    if (!conversation || !nsp) return;
    nsp.to(AGENT_LIST_ROOM).emit('transcripts:updated', {
      conversationId,
      status: displayStatus(conversation),
      lastActivity: conversation.updated_at,
    });
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
    experiments: async () => {
      const names = await experimentRows.names();
      const current = deps.config().config.experiment ?? null;
      if (current && !names.includes(current.name)) names.unshift(current.name);
      return {
        current: current ? { name: current.name, candidate: current.candidate, share: current.share } : null,
        experiments: await Promise.all(names.map(async (name) => ({ name, arms: await experimentRows.compareArms(name) }))),
      };
    },
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
      agentNsp.on('connection', (socket) =>
        registerAgentHandlers(socket, { auth, chat: parts.chat, transcripts, logger: deps.logger }),
      );

      // Sessions also end outside this process (`pnpm agent disable`) or by expiry: a quiet socket would
      // keep receiving live transcripts, so every socket's session is checked once a minute.
      sweep = setInterval(() => {
        for (const socket of agentNsp.sockets.values()) {
          auth.authenticate(socket.data.sessionHash, { touch: false }).then((agent) => {
            if (agent) return;
            socket.emit('session:ended', { reason: 'expired' });
            socket.disconnect(true);
          }, report('could not check an agent session'));
        }
      }, SESSION_SWEEP_MS);
      sweep.unref();

      unobserve = parts.chat.observe({
        messageStored: (row) => {
          void (async () => {
            await announce(row.conversation_id);
            agentNsp
              .to(watchRoom(row.conversation_id))
              .emit('conversation:message', { conversationId: row.conversation_id, message: await transcripts.message(row) });
          })().catch(report('could not send a live message to agents'));
        },
        conversationChanged: (conversationId) =>
          void announce(conversationId).catch(report('could not announce a transcript change')),
        delta: (event) => agentNsp.to(watchRoom(event.conversationId)).emit('conversation:delta', event),
      });

      retention.start(() => deps.config().config.privacy.retentionDays);
    },

    /** Retention: deletes conversations with no activity for `days` days. */
    purgeOlderThan: retention.purgeOlderThan,

    /** Stops the timer and the chat subscription (sockets close with the server). */
    close(): void {
      if (sweep) clearInterval(sweep);
      retention.stop();
      unobserve();
    },
  };
}

export type AgentConsole = ReturnType<typeof createAgentConsole>;
