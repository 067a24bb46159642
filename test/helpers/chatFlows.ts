import type { MessageRow } from '@aisle/server/db/conversationRepository';
import type { ChatMessage, ShopperLocale, ShopperServerEvents } from '@aisle/shared';
import { io as connect, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { nextEvent, type Shopper, type ShopperSocket, type TestServer } from './testServer';

/**
 * Another tab (or a reloaded page) of an existing shopper: a new socket that presents the same session
 * cookie instead of asking for a new session.
 */
export async function openTab(server: TestServer, cookie: string, from: { localAddress?: string } = {}): Promise<Shopper> {
  // engine.io-client hands `localAddress` to the WebSocket's HTTP request; its types do not list it.
  const options: Partial<ManagerOptions & SocketOptions> & { localAddress?: string } = {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
    ...from,
  };
  const socket: ShopperSocket = connect(server.url, options);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return {
    cookie,
    socket,
    request(event, payload) {
      return new Promise((resolve) => {
        (socket.emit as (e: string, p: unknown, ack: (r: never) => void) => void)(event, payload, resolve);
      });
    },
    close: () => socket.close(),
  };
}

/** A stored message row as it is in SQLite right now. */
export function messageRow(server: TestServer, id: string): Promise<MessageRow> {
  return server.app.db.kysely.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Every stored row of a conversation in order, replaced answers included. */
export function conversationRows(server: TestServer, conversationId: string): Promise<MessageRow[]> {
  return server.app.db.kysely
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('seq')
    .execute();
}

/** One server event as the shopper's socket received it. */
export type ReceivedEvent = {
  [E in keyof ShopperServerEvents]: { event: E; payload: Parameters<ShopperServerEvents[E]>[0] };
}[keyof ShopperServerEvents];

/** Records every server event the socket receives, in arrival order. */
export function recordEvents(socket: ShopperSocket): ReceivedEvent[] {
  const received: ReceivedEvent[] = [];
  socket.onAny((event: string, payload: unknown) => {
    received.push({ event, payload } as ReceivedEvent);
  });
  return received;
}

/** The end of one answer: `chat:completed` or `chat:failed` for that message, whichever comes. */
export function answerEnd(
  socket: ShopperSocket,
  messageId: () => string | undefined,
  timeoutMs = 10_000,
): Promise<{ event: 'chat:completed' | 'chat:failed'; message: ChatMessage }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('chat:completed', onCompleted);
      socket.off('chat:failed', onFailed);
      reject(new Error('timed out waiting for the answer to end'));
    }, timeoutMs);
    const finish = (event: 'chat:completed' | 'chat:failed', message: ChatMessage) => {
      const id = messageId();
      if (id !== undefined && message.id !== id) return;
      clearTimeout(timer);
      socket.off('chat:completed', onCompleted);
      socket.off('chat:failed', onFailed);
      resolve({ event, message });
    };
    const onCompleted = (e: { message: ChatMessage }) => finish('chat:completed', e.message);
    const onFailed = (e: { message: ChatMessage }) => finish('chat:failed', e.message);
    socket.on('chat:completed', onCompleted);
    socket.on('chat:failed', onFailed);
  });
}

/** An id that is known only once an acknowledgement arrives; listeners set up earlier match on it. */
export interface LaterId {
  get: () => string | undefined;
  set: (id: string) => void;
}

/** Creates an empty {@link LaterId}. */
export function laterId(): LaterId {
  let value: string | undefined;
  return { get: () => value, set: (id) => (value = id) };
}

let nextClientId = 0;
/** A fresh client message id, as the browser would make one. */
export function clientMessageId(): string {
  nextClientId += 1;
  return `client-${process.pid}-${nextClientId.toString().padStart(6, '0')}`;
}

/**
 * Sends a message and waits until its answer ends. Listens before sending so a fast answer is not
 * missed; throws if the send itself is refused.
 */
export async function ask(
  shopper: Shopper,
  text: string,
  conversationId?: string,
  /** The shopper page's language, as the browser sends it with each message. */
  options: { locale?: ShopperLocale } = {},
): Promise<{ conversationId: string; userMessage: ChatMessage; event: 'chat:completed' | 'chat:failed'; message: ChatMessage }> {
  const assistantId = laterId();
  const ended = answerEnd(shopper.socket, assistantId.get);
  const reply = await shopper.request('chat:send', {
    clientMessageId: clientMessageId(),
    text,
    ...(conversationId ? { conversationId } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  if (!reply.ok) throw new Error(`chat:send refused: ${reply.error.code} ${reply.error.message}`);
  assistantId.set(reply.data.assistantMessageId);
  const end = await ended;
  return { conversationId: reply.data.conversationId, userMessage: reply.data.userMessage, ...end };
}

/** Resolves once the socket has received `count` deltas of the message. */
export function deltasReceived(socket: ShopperSocket, messageId: () => string | undefined, count: number): Promise<void> {
  let seen = 0;
  return nextEvent(socket, 'chat:delta', (d) => d.messageId === messageId() && ++seen >= count).then(() => undefined);
}
