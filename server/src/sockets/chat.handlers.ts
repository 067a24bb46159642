import {
  chatFeedbackSchema,
  chatResumeSchema,
  chatRetrySchema,
  chatSendSchema,
  chatStopSchema,
  fail,
  type Ack,
  type Result,
  type ShopperClientEvents,
  type ShopperServerEvents,
} from '@aisle/shared';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { ChatService } from '../chat/chatService';
import type { Logger } from '../logger';

export interface ShopperSocketData {
  sessionHash: string;
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

/** Registers the shopper's chat events on one socket. */
export function registerChatHandlers(io: ShopperServer, socket: ShopperSocket, chat: ChatService, logger: Logger): void {
  const log = logger.child({ area: 'socket' });
  const session = () => socket.data.sessionHash;
  const watch = async (conversationId: string) => {
    await socket.join(conversationRoom(conversationId));
    chat.watcherJoined(conversationId);
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
      const result = await chat.send(session(), payload, watch);
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
    handle(log, chatRetrySchema, (payload) => chat.retry(session(), payload)),
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
