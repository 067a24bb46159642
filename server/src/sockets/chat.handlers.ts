import {
  chatContextSchema,
  chatFeedbackSchema,
  chatResumeSchema,
  chatRetrySchema,
  chatSendSchema,
  chatStopSchema,
  fail,
  ok,
  type Ack,
  type PageContext,
  type Result,
  type ShopperClientEvents,
  type ShopperServerEvents,
} from '@aisle/shared';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { ChatService } from '../chat/chatService';
import type { PageContextService } from '../chat/pageContext';
import type { Logger } from '../logger';

export interface ShopperSocketData {
  sessionHash: string;
  /** The client's address (see `shopperAddress`): the fair line and its caps are per address. */
  address: string;
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

/**
 * Wraps a handler: validates the payload with zod before anything else, answers through the ack
 * (when the client sent one), and turns any thrown error into an `internal` reply instead of a crash.
 */
function handle<S extends z.ZodType, T>(
  logger: Logger,
  schema: S,
  run: (payload: z.infer<S>) => Promise<Result<T>>,
): (payload: unknown, ack?: unknown) => void {
  return (rawPayload, rawAck) => {
    // `emit('chat:resume', callback)` puts the callback where the payload goes: still answer it.
    const [payload, ack] =
      typeof rawPayload === 'function' && rawAck === undefined ? [undefined, rawPayload] : [rawPayload, rawAck];
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
    run(parsed.data).then(reply, (err: unknown) => {
      logger.error({ err }, 'socket handler failed');
      reply(fail('internal', 'Something went wrong on the server. Please try again.'));
    });
  };
}

/** Registers the shopper's chat events on one socket (`chat:context` only when `pageContext` is given). */
export function registerChatHandlers(
  io: ShopperServer,
  socket: ShopperSocket,
  chat: ChatService,
  logger: Logger,
  pageContext?: PageContextService,
): void {
  const log = logger.child({ area: 'socket' });
  const session = () => socket.data.sessionHash;
  const client = () => ({ address: socket.data.address });
  const watch = async (conversationId: string) => {
    await socket.join(conversationRoom(conversationId));
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
    handle(log, chatSendSchema, async (payload) => {
      // Join before the answer starts, so this tab also gets chat:started and the first phases.
      const result = await chat.send(session(), payload, watchWithContext, client());
      if (result.ok) await watch(result.data.conversationId);
      return result;
    }),
  );
  on(
    'chat:stop',
    handle(log, chatStopSchema, (payload) => chat.stop(session(), payload)),
  );
  on(
    'chat:retry',
    handle(log, chatRetrySchema, (payload) => chat.retry(session(), payload, client())),
  );
  on(
    'chat:feedback',
    handle(log, chatFeedbackSchema, (payload) => chat.feedback(session(), payload)),
  );
  on(
    'chat:request-human',
    handle(log, chatStopSchema, (payload) => chat.requestHuman(session(), payload)),
  );
  on(
    'chat:resume',
    handle(log, chatResumeSchema, async (payload) => {
      const result = await chat.resume(session(), payload);
      if (result.ok) await watch(payload.conversationId);
      return result;
    }),
  );

  if (pageContext) {
    on(
      'chat:context',
      handle(log, chatContextSchema, async (payload) => {
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
