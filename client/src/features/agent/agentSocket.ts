import type { AgentClientEvents, AgentServerEvents, AppErrorBody, Result, TranscriptDetail } from '@aisle/shared';
import { io, type Socket } from 'socket.io-client';

/** The console's typed Socket.IO connection to the `/agent` namespace (session cookie auth). */
export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;

const ACK_TIMEOUT_MS = 20_000;

const NO_ANSWER: AppErrorBody = {
  code: 'internal',
  message: "The server didn't answer in time.",
  hint: 'Check your connection and try again.',
};

/** Creates the socket without connecting; connect once signed in (the handshake needs the cookie). */
export function createAgentSocket(): AgentSocket {
  return io('/agent', { autoConnect: false, withCredentials: true });
}

function settle<T>(resolve: (result: Result<T>) => void) {
  return (err: Error | null, result: Result<T>): void => {
    resolve(err === null || err === undefined ? result : { ok: false, error: NO_ANSWER });
  };
}

type Conversation = { conversationId: string };

/** Starts watching a conversation live; resolves with its transcript. */
export function watchConversation(socket: AgentSocket, payload: Conversation): Promise<Result<TranscriptDetail>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('agent:watch', payload, settle(resolve)));
}

/** Stops watching a conversation. */
export function unwatchConversation(socket: AgentSocket, payload: Conversation): Promise<Result<null>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('agent:unwatch', payload, settle(resolve)));
}

/** Takes a conversation over from the assistant. */
export function takeOver(socket: AgentSocket, payload: Conversation): Promise<Result<null>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('agent:takeover', payload, settle(resolve)));
}

/** Hands a conversation back to the assistant. */
export function handBack(socket: AgentSocket, payload: Conversation): Promise<Result<null>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('agent:handback', payload, settle(resolve)));
}

/** Sends the agent's reply to the shopper. */
export function sendReply(socket: AgentSocket, payload: Conversation & { text: string }): Promise<Result<{ messageId: string }>> {
  return new Promise((resolve) => socket.timeout(ACK_TIMEOUT_MS).emit('agent:send', payload, settle(resolve)));
}
