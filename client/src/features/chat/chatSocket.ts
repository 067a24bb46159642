import type {
  ChatLeaveEmailPayload,
  AppErrorBody,
  ChatContextPayload,
  ChatCardClickPayload,
  ChatEditPayload,
  ChatFeedbackPayload,
  ChatResumePayload,
  ChatRetryPayload,
  ChatRefinePayload,
  ChatMessage,
  ChatSendPayload,
  ChatSendReply,
  ChatStopPayload,
  ConversationSnapshot,
  PageContext,
  Result,
  ShopperClientEvents,
  ShopperServerEvents,
} from '@aisle/shared';
import { io, type Socket } from 'socket.io-client';
import { sessionToken } from './chatApi';

/** The shopper's typed Socket.IO connection (default namespace, same origin). */
export type ShopperSocket = Socket<ShopperServerEvents, ShopperClientEvents>;

/** Long enough for a busy server to commit a message, short enough that a lost ack is noticed. */
const ACK_TIMEOUT_MS = 20_000;

/** What the UI shows when the server never acknowledges (connection lost mid-request). */
export const NO_ANSWER_ERROR: AppErrorBody = {
  code: 'internal',
  message: "The server didn't answer in time.",
  hint: 'Check your connection and try again.',
};

/**
 * Creates the socket without connecting: the caller first fetches `/api/session` so the handshake
 * carries the session cookie (or, in the widget, so a session token is stored), then calls `connect()`.
 * The token is read at every (re)connect, so a token renewed meanwhile is the one sent.
 */
export function createShopperSocket(): ShopperSocket {
  const socket: ShopperSocket = io({
    autoConnect: false,
    withCredentials: true,
    auth: (send) => {
      const token = sessionToken();
      send(token === null ? {} : { token });
    },
  });
  // The server keeps the page context per connection: every new connection is told again.
  socket.on('connect', () => {
    if (pageContext !== null) void sendContext(socket, pageContext);
  });
  currentSocket = socket;
  return socket;
}

/** What the shop's page says the shopper is looking at (the widget only); null until it says. */
let pageContext: Omit<ChatContextPayload, 'conversationId'> | null = null;
let currentSocket: ShopperSocket | null = null;

/**
 * Tells the server what the shopper is looking at on the shop's page. The server keeps it for the
 * connection and stores it with the next message, so the answer is about that product.
 */
export function setPageContext(context: Omit<ChatContextPayload, 'conversationId'>): void {
  pageContext = context;
  if (currentSocket?.connected) void sendContext(currentSocket, context);
}

function sendContext(socket: ShopperSocket, payload: ChatContextPayload): Promise<Result<PageContext>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:context', payload, settle(resolve)));
}

function settle<T>(resolve: (result: Result<T>) => void) {
  return (err: Error | null, result: Result<T>): void => {
    resolve(err === null || err === undefined ? result : { ok: false, error: NO_ANSWER_ERROR });
  };
}

/** Sends a shopper message; resolves with the ack, or a failure if the server never answers. */
export function sendChat(socket: ShopperSocket, payload: ChatSendPayload): Promise<Result<ChatSendReply>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:send', payload, settle(resolve)));
}

/** Asks the server to stop the answer being generated. */
export function stopChat(socket: ShopperSocket, payload: ChatStopPayload): Promise<Result<{ messageId: string }>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:stop', payload, settle(resolve)));
}

/** Edits and resends the shopper's last message; acknowledged like a send. */
export function editChat(socket: ShopperSocket, payload: ChatEditPayload): Promise<Result<ChatSendReply>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:edit', payload, settle(resolve)));
}

/** Asks the server to regenerate the latest answer (the old one is kept as an alternative when it said something). */
export function retryChat(socket: ShopperSocket, payload: ChatRetryPayload): Promise<Result<{ assistantMessageId: string }>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:retry', payload, settle(resolve)));
}

/** Fetches the conversation as the server has it, including the answer still generating. */
export function resumeChat(socket: ShopperSocket, payload: ChatResumePayload): Promise<Result<ConversationSnapshot>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:resume', payload, settle(resolve)));
}

/** Records the shopper's thumbs up/down (or clears it) on an answer. */
export function sendFeedback(socket: ShopperSocket, payload: ChatFeedbackPayload): Promise<Result<null>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:feedback', payload, settle(resolve)));
}

/** Tells the server a card was followed; nobody waits for the answer (a lost click only skews a figure). */
export function sendCardClick(socket: ShopperSocket, payload: ChatCardClickPayload): void {
  socket.timeout(ACK_TIMEOUT_MS).emit('chat:card-click', payload, () => undefined);
}

/** Leaves an email for a person to reply to (no agent online); acks when to expect the reply. */
export function leaveEmail(socket: ShopperSocket, payload: ChatLeaveEmailPayload): Promise<Result<{ replyText: string }>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:leave-email', payload, settle(resolve)));
}

/** Sends an answer's edited constraints; the reply is the answer with its new cards. */
export function refineChat(socket: ShopperSocket, payload: ChatRefinePayload): Promise<Result<ChatMessage>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:refine', payload, settle(resolve)));
}

/** Asks for a person to join the conversation. */
export function requestHuman(socket: ShopperSocket, payload: ChatStopPayload): Promise<Result<null>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('chat:request-human', payload, settle(resolve)));
}
