import {
  chatCardClickSchema,
  chatContextSchema,
  chatEditSchema,
  chatFeedbackSchema,
  chatLeaveEmailSchema,
  chatRefineSchema,
  chatResumeSchema,
  chatRetrySchema,
  chatSendSchema,
  chatStopSchema,
  fail,
  ok,
  shopperError,
  type Ack,
  type AppErrorBody,
  type PageContext,
  type Result,
  type ShopperClientEvents,
  type ShopperServerEvents,
} from '@aisle/shared';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { ConstraintRefiner } from '../chat/answerConstraints';
import type { CardClickService } from '../chat/cardClicks';
import type { ConversationBroadcast } from '../chat/chatEvents';
import type { ChatService } from '../chat/chatService';
import { isLocalDeveloper } from '../http/healthPresenter';
import type { PageContextService } from '../chat/pageContext';
import type { Logger } from '../logger';

export interface ShopperSocketData {
  sessionHash: string;
  /** The client's address (see `shopperAddress`): the fair line and its caps are per address. */
  address: string;
  /** The quick-start developer on this machine (see `isLocalDeveloper`): also gets operator detail. */
  isLocalDeveloper: boolean;
  /** The latest checked page context the embedded widget sent, stored with each message it sends. */
  pageContext?: PageContext;
}

/** Express's compiled `trust proxy` setting: whether the hop at `addr`, `i` steps from us, is a trusted proxy. */
export type TrustProxy = (addr: string, i: number) => boolean;

/**
 * The client's address for admission: the socket's peer, or with `trust proxy` set the first address
 * in X-Forwarded-For that is not a trusted proxy, walking from our end (as Express's `req.ip` does, so
 * a shopper cannot choose their address by sending the header). IPv6 addresses count per /56, like the
 * HTTP rate limits: one household or server gets a whole block and could otherwise rotate through it.
 */
export function shopperAddress(
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
  trust: TrustProxy,
): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const hops = header
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '')
    .reverse();
  const chain = [remote ?? 'unknown', ...hops];
  let address = chain[0] ?? 'unknown';
  for (let i = 0; i < chain.length - 1; i += 1) {
    if (!trust(chain[i] ?? '', i)) break;
    address = chain[i + 1] ?? address;
  }
  return ipKeyGenerator(address);
}

export type ShopperServer = Server<ShopperClientEvents, ShopperServerEvents, Record<string, never>, ShopperSocketData>;
type ShopperSocket = Socket<ShopperClientEvents, ShopperServerEvents, Record<string, never>, ShopperSocketData>;

/** Room of everyone watching one conversation (the shopper's tabs; later, agents). */
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;
/** The local developer's sockets in a conversation: they also get the operator detail of errors. */
const developerRoom = (conversationId: string) => `developer:${conversationId}`;

type WithError = { error?: unknown };
const isErrorBody = (value: unknown): value is AppErrorBody =>
  typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

/** One message or reply with its error in shopper words (see `shopperError`). */
function safeError<T extends WithError>(value: T, isLocal: boolean): T {
  return isErrorBody(value.error) ? { ...value, error: shopperError(value.error, isLocal) } : value;
}

/**
 * Whatever the shopper's socket is sent, with every error in shopper words: acks (`Result`), events
 * carrying a message (`chat:failed`, `chat:completed`, `chat:message`) and snapshots (`messages`).
 * Operator detail stays only for the local developer; agents read it in the transcript and logs.
 */
export function forShopper<T>(value: T, isLocal: boolean): T {
  if (typeof value !== 'object' || value === null) return value;
  let out: Record<string, unknown> = safeError(value as Record<string, unknown>, isLocal);
  if (typeof out.message === 'object' && out.message !== null) {
    out = { ...out, message: safeError(out.message as WithError, isLocal) };
  }
  if (typeof out.data === 'object' && out.data !== null) out = { ...out, data: forShopper(out.data, isLocal) };
  // Phase details name the model and the host's state ("Loading qwen3:4b…"): the phase alone is enough.
  if (!isLocal && typeof out.phase === 'string' && 'detail' in out) {
    const { detail: _detail, ...rest } = out;
    out = rest;
  }
  // `chat:started` names the model for the developer's tools; a shopper's page does not use it.
  if (!isLocal && typeof out.model === 'string' && typeof out.messageId === 'string') out = { ...out, model: '' };
  if (typeof out.live === 'object' && out.live !== null) out = { ...out, live: forShopper(out.live, isLocal) };
  if (Array.isArray(out.messages)) {
    out = { ...out, messages: out.messages.map((m: unknown) => (typeof m === 'object' && m ? safeError(m, isLocal) : m)) };
  }
  return out as T;
}

/**
 * Sends an event to everyone watching a conversation, errors in shopper words; the local developer's
 * sockets get the operator detail too (they are in the developer room as well, and only hear it there).
 */
export function shopperBroadcast(io: ShopperServer): ConversationBroadcast {
  return (conversationId, event, ...args) => {
    // Per token: a delta carries only text and offsets, nothing to reword, and goes to everyone once.
    if (event === 'chat:delta') {
      io.to(conversationRoom(conversationId)).emit(event, ...args);
      return;
    }
    const [payload] = args;
    io.to(conversationRoom(conversationId))
      .except(developerRoom(conversationId))
      .emit(event, ...([forShopper(payload, false)] as typeof args));
    io.to(developerRoom(conversationId)).emit(event, ...([forShopper(payload, true)] as typeof args));
  };
}

/**
 * Wraps a handler: validates the payload with zod before anything else, answers through the ack
 * (when the client sent one), and turns any thrown error into an `internal` reply instead of a crash.
 */
function handle<S extends z.ZodType, T>(
  logger: Logger,
  isLocal: boolean,
  schema: S,
  run: (payload: z.infer<S>) => Promise<Result<T>>,
): (payload: unknown, ack?: unknown) => void {
  return (rawPayload, rawAck) => {
    // `emit('chat:resume', callback)` puts the callback where the payload goes: still answer it.
    const [payload, ack] =
      typeof rawPayload === 'function' && rawAck === undefined ? [undefined, rawPayload] : [rawPayload, rawAck];
    const send: Ack<T> = typeof ack === 'function' ? (ack as Ack<T>) : () => undefined;
    const reply: Ack<T> = (result) => send(forShopper(result, isLocal));
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
    run(parsed.data).then(
      (result) => {
        if (!result.ok && result.error.code !== 'bad-request') logger.info({ error: result.error }, 'shopper request refused');
        reply(result);
      },
      (err: unknown) => {
        logger.error({ err }, 'socket handler failed');
        reply(fail('internal', 'Something went wrong on the server. Please try again.'));
      },
    );
  };
}

/**
 * Whether any agent is online: a console connected to `/agent` with a live session (checked at connect
 * and every minute), on any node when there are several (the adapter asks them all).
 */
export async function agentsOnline(io: ShopperServer): Promise<boolean> {
  if (io.of('/agent').sockets.size > 0) return true;
  return (await io.of('/agent').fetchSockets()).length > 0;
}

/** Whether this shopper socket is the quick-start developer on this machine (same rule as `/api/health`). */
export function isDeveloperSocket(io: ShopperServer, socket: ShopperSocket): boolean {
  const address = io.httpServer.address();
  return isLocalDeveloper(socket.request, typeof address === 'object' && address ? address.address : null);
}

/**
 * Registers the shopper's chat events on one socket (`chat:context` only when `pageContext` is given,
 * `chat:card-click` only when `cardClicks` is, `chat:refine` only when `refiner` is).
 */
export function registerChatHandlers(
  io: ShopperServer,
  socket: ShopperSocket,
  chat: ChatService,
  logger: Logger,
  pageContext?: PageContextService,
  cardClicks?: CardClickService,
  refiner?: ConstraintRefiner,
): void {
  const log = logger.child({ area: 'socket' });
  const session = () => socket.data.sessionHash;
  const client = () => ({ address: socket.data.address });
  const isLocal = socket.data.isLocalDeveloper;
  const watch = async (conversationId: string) => {
    await socket.join(
      isLocal ? [conversationRoom(conversationId), developerRoom(conversationId)] : conversationRoom(conversationId),
    );
    chat.watcherJoined(conversationId);
  };

  // A new conversation gets the page's context before its first answer starts, so the answer uses it.
  const watchWithContext = async (conversationId: string) => {
    await watch(conversationId);
    const context = socket.data.pageContext;
    if (context && pageContext) await pageContext.set(session(), conversationId, context);
  };

  // Handlers take `unknown` payloads: the wire is untrusted whatever the event map says.
  const on = socket.on.bind(socket) as (
    event: keyof ShopperClientEvents,
    listener: (payload: unknown, ack?: unknown) => void,
  ) => void;

  on(
    'chat:send',
    handle(log, isLocal, chatSendSchema, async (payload) => {
      // Join before the answer starts, so this tab also gets chat:started and the first phases.
      const result = await chat.send(session(), payload, watchWithContext, client());
      if (result.ok) await watch(result.data.conversationId);
      return result;
    }),
  );
  on(
    'chat:edit',
    handle(log, isLocal, chatEditSchema, async (payload) => {
      const result = await chat.edit(session(), payload, watchWithContext, client());
      if (result.ok) await watch(result.data.conversationId);
      return result;
    }),
  );
  on(
    'chat:stop',
    handle(log, isLocal, chatStopSchema, (payload) => chat.stop(session(), payload)),
  );
  on(
    'chat:retry',
    handle(log, isLocal, chatRetrySchema, (payload) => chat.retry(session(), payload, client())),
  );
  on(
    'chat:feedback',
    handle(log, isLocal, chatFeedbackSchema, (payload) => chat.feedback(session(), payload)),
  );
  if (cardClicks) {
    on(
      'chat:card-click',
      handle(log, isLocal, chatCardClickSchema, (payload) => cardClicks.record(session(), payload)),
    );
  }
  if (refiner) {
    on(
      'chat:refine',
      handle(log, isLocal, chatRefineSchema, (payload) => refiner.refine(session(), payload)),
    );
  }
  on(
    'chat:request-human',
    handle(log, isLocal, chatStopSchema, (payload) => chat.requestHuman(session(), payload)),
  );
  on(
    'chat:leave-email',
    handle(log, isLocal, chatLeaveEmailSchema, (payload) => chat.leaveEmail(session(), payload)),
  );
  // The page offers "Talk to a person" only while an agent is online; later changes are broadcast.
  void agentsOnline(io).then(
    (isOnline) => socket.emit('chat:presence', { agentsOnline: isOnline }),
    (err: unknown) => log.warn({ err }, 'could not tell whether agents are online'),
  );
  on(
    'chat:resume',
    handle(log, isLocal, chatResumeSchema, async (payload) => {
      const result = await chat.resume(session(), payload, watch);
      if (result.ok) await watch(payload.conversationId);
      return result;
    }),
  );

  if (pageContext) {
    on(
      'chat:context',
      handle(log, isLocal, chatContextSchema, async (payload) => {
        const context = await pageContext.accept(payload);
        socket.data.pageContext = context;
        return payload.conversationId === undefined ? ok(context) : pageContext.set(session(), payload.conversationId, context);
      }),
    );
  }

  socket.on('disconnecting', () => {
    for (const room of socket.rooms) {
      if (!room.startsWith('conversation:')) continue;
      const conversationId = room.slice('conversation:'.length);
      // This socket is still in the room while disconnecting: it leaves "nobody" if it was the last.
      const remaining = io.sockets.adapter.rooms.get(room)?.size ?? 0;
      if (remaining <= 1) chat.watchersLeft(conversationId);
    }
  });
}
