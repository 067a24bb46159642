import type { ChatMessage } from '@aisle/shared';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { agentRequest, connectAgent, createAgentAccount, signIn } from '../helpers/agentClient';
import { answerEnd, clientMessageId, laterId, recordEvents } from '../helpers/chatFlows';
import { startTestServer, type Shopper, type ShopperSocket, type TestServer } from '../helpers/testServer';

/**
 * What a shopper reads when the model cannot answer: a plain sentence, never the host, the command,
 * the model or the upstream text. The developer trying Aisle on this machine also gets the operator
 * detail; agents read it in the transcript.
 */

let double: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server.close();
  await double.close();
});

async function start(config: Parameters<typeof startTestServer>[0]['config'] = {}) {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url, config });
}

/** A shopper out there: the shop's proxy forwards them (a forwarding header makes them not "local"). */
async function remoteShopper(): Promise<Shopper> {
  const local = await server.shopper();
  local.close();
  const socket: ShopperSocket = connect(server.url, {
    transports: ['websocket'],
    extraHeaders: { cookie: local.cookie, 'x-forwarded-for': '203.0.113.5' },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    cookie: local.cookie,
    socket,
    request: (event, payload) =>
      new Promise((resolve) => {
        (socket.emit as (e: string, p: unknown, ack: (r: never) => void) => void)(event, payload, resolve);
      }),
    close: () => socket.close(),
  };
}

async function failedAnswer(shopper: Shopper): Promise<{ conversationId: string; message: ChatMessage; seen: string }> {
  const id = laterId();
  const events = recordEvents(shopper.socket);
  const ended = answerEnd(shopper.socket, id.get);
  const reply = await shopper.request('chat:send', { clientMessageId: clientMessageId(), text: 'Rain jacket?' });
  if (!reply.ok) throw new Error(reply.error.message);
  id.set(reply.data.assistantMessageId);
  const end = await ended;
  expect(end.event).toBe('chat:failed');
  const resumed = await shopper.request('chat:resume', { conversationId: reply.data.conversationId });
  // Everything the shopper's socket received about this answer, the reload's snapshot included.
  return { conversationId: reply.data.conversationId, message: end.message, seen: JSON.stringify([events, resumed]) };
}

const FORBIDDEN = /https?:|:\/\/|127\.0\.0\.1|localhost|ollama (pull|serve)|OLLAMA_HOST|qwen|terminated|`/i;

const failures: { name: string; code: string; operator: RegExp; arrange: () => Promise<void> }[] = [
  {
    name: 'Ollama is unreachable',
    code: 'ollama-unreachable',
    operator: /Can't reach Ollama at http:\/\/127\.0\.0\.1/,
    arrange: () => double.setDown(true),
  },
  {
    name: 'the model is not pulled',
    code: 'model-not-pulled',
    operator: /ollama pull qwen3:4b/,
    arrange: async () => double.removeModel('qwen3:4b'),
  },
  {
    name: 'Ollama fails with raw text',
    code: 'model-error',
    operator: /terminated/,
    // One failure for the shopper out there, one for the developer.
    arrange: async () => double.enqueueChat(...[1, 2].map(() => ({ status: 500, error: 'terminated' }))),
  },
  {
    name: 'the first token is too slow',
    code: 'ollama-timeout',
    operator: /did not start answering/,
    arrange: async () => double.enqueueChat(...[1, 2].map(() => ({ chunks: text('Too late.'), headersDelayMs: 5000 }))),
  },
];

describe.each(failures)('when $name', ({ code, operator, arrange }) => {
  it('a shopper out there reads a plain sentence; the developer and the agents read what to fix', async () => {
    await start({ chat: { model: 'qwen3:4b' }, ollama: { firstTokenTimeoutMs: 500 } });
    await arrange();

    const remote = await failedAnswer(await remoteShopper());
    expect(remote.message.error?.code).toBe(code);
    expect(remote.message.error?.message).toMatch(/\S/);
    expect(remote.message.error?.developer).toBeUndefined();
    expect(remote.seen).not.toMatch(FORBIDDEN);

    const developer = await failedAnswer(await server.shopper());
    expect(developer.message.error?.message).toBe(remote.message.error?.message);
    expect(developer.message.error?.developer).toMatch(operator);

    const account = await createAgentAccount(server, { email: 'sam@shop.example', name: 'Sam' });
    const agent = await connectAgent(server, { cookie: await signIn(server, account) });
    const watched = await agentRequest(agent, 'agent:watch', { conversationId: remote.conversationId });
    if (!watched.ok) throw new Error(watched.error.message);
    expect(JSON.stringify(watched.data.messages)).toMatch(operator);
    agent.close();
  });
});
