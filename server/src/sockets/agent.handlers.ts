import {
  agentConversationSchema,
  agentSendSchema,
  fail,
  ok,
  type Ack,
  type AgentClientEvents,
  type AgentServerEvents,
  type Result,
} from '@aisle/shared';
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { hashSessionToken, type AgentAuth } from '../agents/agentAuth';
import type { TranscriptService } from '../agents/transcriptService';
import type { ChatService } from '../chat/chatService';
import type { AgentRow } from '../db/agentRepository';
import { agentTokenFromCookieHeader } from '../http/agentCookie';
import type { Logger } from '../logger';
import { agentsOnline, type ShopperServer } from './chat.handlers';

export interface AgentSocketData {
  agentId: string;
  sessionHash: string;
}

export type AgentNamespace = Namespace<AgentClientEvents, AgentServerEvents, Record<string, never>, AgentSocketData>;
type AgentSocket = Socket<AgentClientEvents, AgentServerEvents, Record<string, never>, AgentSocketData>;

/** Every agent socket is in this room: it hears about every change to the transcript list. */
export const AGENT_LIST_ROOM = 'transcripts';
/** Agents watching one conversation live. */
export const watchRoom = (conversationId: string) => `watch:${conversationId}`;

/** Admits a socket to `/agent` only with a live agent session cookie (the Origin is checked before this). */
export function agentSocketAuth(auth: AgentAuth) {
  return (socket: AgentSocket, next: (err?: Error) => void): void => {
    const token = agentTokenFromCookieHeader(socket.handshake.headers.cookie);
    if (!token) return next(new Error('unauthorized'));
    const sessionHash = hashSessionToken(token);
    auth.authenticate(sessionHash).then(
      (agent) => {
        if (!agent) return next(new Error('unauthorized'));
        socket.data.agentId = agent.id;
        socket.data.sessionHash = sessionHash;
        next();
      },
      (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
    );
  };
}

/**
 * Ends agent sockets at once: each gets `session:ended` and is disconnected. Matches one session
 * (sign-out) or every session of one agent (disabled, removed).
 */
export function endAgentSockets(nsp: AgentNamespace, match: { sessionHash?: string; agentId?: string }, reason: string): void {
  for (const socket of nsp.sockets.values()) {
    const hit =
      (match.sessionHash !== undefined && socket.data.sessionHash === match.sessionHash) ||
      (match.agentId !== undefined && socket.data.agentId === match.agentId);
    if (!hit) continue;
    socket.emit('session:ended', { reason });
    socket.disconnect(true);
  }
}

/** What the `/agent` namespace's handlers use. */
export interface AgentHandlerDeps {
  auth: AgentAuth;
  chat: ChatService;
  transcripts: TranscriptService;
  logger: Logger;
}

/** Opens the `/agent` namespace: only signed-in agents get in, and each socket gets the console's events. */
export function createAgentNamespace(io: ShopperServer, deps: AgentHandlerDeps): AgentNamespace {
  // Namespaces of one server share its type parameters; this one speaks the agent event maps.
  const nsp = io.of('/agent') as unknown as AgentNamespace;
  nsp.use(agentSocketAuth(deps.auth));
  // Shoppers are told when the first agent comes online and when the last one leaves.
  // Checked one at a time, so a quick connect and disconnect are announced in order.
  let wasOnline = false;
  let checking = Promise.resolve();
  const presenceChanged = () => {
    checking = checking
      .then(async () => {
        const isOnline = await agentsOnline(io);
        if (isOnline === wasOnline) return;
        wasOnline = isOnline;
        io.emit('chat:presence', { agentsOnline: isOnline });
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'could not tell whether agents are online'));
  };
  nsp.on('connection', (socket) => {
    registerAgentHandlers(socket, deps);
    presenceChanged();
    socket.on('disconnect', presenceChanged);
  });
  return nsp;
}

/** Registers the console's live events on one agent socket. */
export function registerAgentHandlers(socket: AgentSocket, deps: AgentHandlerDeps): void {
  const log = deps.logger.child({ area: 'agent-socket' });
  void socket.join(AGENT_LIST_ROOM);

  /**
   * Validates the payload, re-checks the session (it may have ended since the handshake), runs the
   * handler with the current account, and answers through the ack; a thrown error becomes `internal`.
   */
  function handle<S extends z.ZodType, T>(schema: S, run: (payload: z.infer<S>, agent: AgentRow) => Promise<Result<T>>) {
    return (payload: unknown, ack?: unknown): void => {
      const reply: Ack<T> = typeof ack === 'function' ? (ack as Ack<T>) : () => undefined;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        reply(
          fail(
            'bad-request',
            `Invalid request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'} ${i.message}`).join('; ')}`,
          ),
        );
        return;
      }
      (async () => {
        const agent = await deps.auth.authenticate(socket.data.sessionHash);
        if (!agent) {
          reply(fail('unauthorized', 'Your session has ended. Sign in again.'));
          socket.emit('session:ended', { reason: 'expired' });
          socket.disconnect(true);
          return;
        }
        reply(await run(parsed.data, agent));
      })().catch((err: unknown) => {
        log.error({ err }, 'agent socket handler failed');
        reply(fail('internal', 'Something went wrong on the server. Please try again.'));
      });
    };
  }

  const person = (agent: AgentRow) => ({ id: agent.id, name: agent.name });
  // Handlers take `unknown` payloads: the wire is untrusted whatever the event map says.
  const on = socket.on.bind(socket) as (
    event: keyof AgentClientEvents,
    listener: (payload: unknown, ack?: unknown) => void,
  ) => void;

  on(
    'agent:watch',
    handle(agentConversationSchema, async ({ conversationId }) => {
      const detail = await deps.transcripts.detail(conversationId);
      if (!detail) return fail('not-found', 'That conversation was not found.');
      await socket.join(watchRoom(conversationId));
      return ok(detail);
    }),
  );
  on(
    'agent:unwatch',
    handle(agentConversationSchema, async ({ conversationId }) => {
      await socket.leave(watchRoom(conversationId));
      return ok(null);
    }),
  );
  on(
    'agent:takeover',
    handle(agentConversationSchema, async ({ conversationId }, agent) => {
      const result = await deps.chat.takeOver(conversationId, person(agent));
      if (result.ok) {
        await socket.join(watchRoom(conversationId));
        log.info({ conversationId, agentId: agent.id }, 'conversation taken over');
      }
      return result;
    }),
  );
  on(
    'agent:handback',
    handle(agentConversationSchema, async ({ conversationId }, agent) => {
      const result = await deps.chat.handBack(conversationId, person(agent));
      if (result.ok) log.info({ conversationId, agentId: agent.id }, 'conversation handed back');
      return result;
    }),
  );
  on(
    'agent:send',
    handle(agentSendSchema, ({ conversationId, text }, agent) => deps.chat.agentSend(conversationId, person(agent), text)),
  );
}
