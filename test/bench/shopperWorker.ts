/**
 * Child process of the streaming bench: many shoppers, each a real socket.io-client with its own
 * session cookie, asking questions and timing every streamed token against the relay's stamp. The
 * same client drives Aisle and the baseline relay: both speak the shared shopper event map.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShopperClientEvents, ShopperServerEvents } from '@aisle/shared';
import { io, type Socket } from 'socket.io-client';
import {
  monotonicMicros,
  REQUEST_STAMP,
  STAMPED_TOKEN,
  toParent,
  workerCommandSchema,
  type Answers,
  type WorkerCommand,
} from './benchProtocol';

type ShopperSocket = Socket<ShopperServerEvents, ShopperClientEvents>;

/** Sockets opened at once; a few hundred simultaneous handshakes would only measure the connect storm. */
const CONNECT_BATCH = 25;

let sockets: ShopperSocket[] = [];

function connectOne(url: string, cookie: string): Promise<ShopperSocket> {
  const socket: ShopperSocket = io(url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
    timeout: 15_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

async function connectAll(url: string, cookies: string[]): Promise<void> {
  const errors: Record<string, number> = {};
  for (let i = 0; i < cookies.length; i += CONNECT_BATCH) {
    const batch = await Promise.allSettled(cookies.slice(i, i + CONNECT_BATCH).map((cookie) => connectOne(url, cookie)));
    for (const result of batch) {
      if (result.status === 'fulfilled') sockets.push(result.value);
      else {
        const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
        errors[reason] = (errors[reason] ?? 0) + 1;
      }
    }
  }
  toParent({ type: 'connected', connected: sockets.length, errors });
}

/** Asks one question on one socket and records every token of the streamed answer. */
function askOne(socket: ShopperSocket, command: Extract<WorkerCommand, { type: 'ask' }>, out: Answers): Promise<void> {
  return new Promise((resolve) => {
    const seen = new Set<number>();
    let emits = 0;
    let isDone = false;
    let sentUs = 0;
    const onDelta: ShopperServerEvents['chat:delta'] = (delta) => {
      const nowUs = monotonicMicros();
      emits += 1;
      const request = REQUEST_STAMP.exec(delta.text);
      if (request) out.sendToRequestUs.push(Number(request[1]) - sentUs);
      for (const match of delta.text.matchAll(STAMPED_TOKEN)) {
        seen.add(Number(match[1]));
        out.latenciesUs.push(nowUs - Number(match[2]));
      }
    };
    const finish = (failure: string | null, stored?: string) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.off('chat:delta', onDelta);
      socket.off('chat:completed', onCompleted);
      socket.off('chat:failed', onFailed);
      if (failure) {
        out.failed += 1;
        out.failures[failure] = (out.failures[failure] ?? 0) + 1;
      } else {
        out.completed += 1;
        out.emitsPerAnswer.push(emits);
        const storedTokens = new Set([...(stored ?? '').matchAll(STAMPED_TOKEN)].map((m) => Number(m[1])));
        if (storedTokens.size < command.tokens) out.truncatedAnswers += 1;
        for (const token of storedTokens) if (!seen.has(token)) out.missingTokens += 1;
      }
      resolve();
    };
    const onCompleted: ShopperServerEvents['chat:completed'] = (event) => finish(null, event.message.content);
    const onFailed: ShopperServerEvents['chat:failed'] = (event) => finish(`failed: ${event.message.error?.code ?? 'unknown'}`);
    const timer = setTimeout(() => finish('timeout'), command.timeoutMs);
    socket.on('chat:delta', onDelta);
    socket.on('chat:completed', onCompleted);
    socket.on('chat:failed', onFailed);
    sentUs = monotonicMicros();
    socket.emit('chat:send', { clientMessageId: randomUUID(), text: command.question }, (reply) => {
      if (!reply.ok) finish(`refused: ${reply.error.code}`);
    });
  });
}

async function askAll(command: Extract<WorkerCommand, { type: 'ask' }>): Promise<void> {
  const answers: Answers = {
    latenciesUs: [],
    sendToRequestUs: [],
    emitsPerAnswer: [],
    completed: 0,
    failed: 0,
    failures: {},
    missingTokens: 0,
    truncatedAnswers: 0,
  };
  await Promise.all(
    sockets.map(async (socket, i) => {
      await sleep((command.spreadMs * i) / Math.max(1, sockets.length));
      for (let round = 0; round < command.rounds; round++) await askOne(socket, command, answers);
    }),
  );
  toParent({ type: 'answered', answers });
}

process.on('message', (raw: unknown) => {
  const command = workerCommandSchema.parse(raw);
  if (command.type === 'connect') void connectAll(command.url, command.cookies);
  else if (command.type === 'ask') void askAll(command);
  else if (command.type === 'disconnect') {
    for (const socket of sockets) socket.close();
    sockets = [];
    toParent({ type: 'disconnected' });
  } else process.exit(0);
});
process.on('disconnect', () => process.exit(0));

toParent({ type: 'ready' });
