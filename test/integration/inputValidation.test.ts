import { MAX_MESSAGE_CHARS, type Result } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { nextEvent, startTestServer, type Shopper, type ShopperSocket, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server.close();
  await double.close();
});

/** Emits anything at all, the way a hostile or buggy client could; the event map does not apply on the wire. */
function emitRaw(socket: ShopperSocket, event: string, ...args: unknown[]): void {
  (socket.emit as unknown as (event: string, ...rest: unknown[]) => void).call(socket, event, ...args);
}

/** Emits raw arguments followed by an ack callback, and resolves with the server's reply. */
function requestRaw(socket: ShopperSocket, event: string, ...args: unknown[]): Promise<Result<unknown>> {
  return new Promise((resolve) => emitRaw(socket, event, ...args, resolve));
}

async function countRows(table: 'messages' | 'conversations'): Promise<number> {
  const row = await server.app.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

let clientIds = 0;
const nextClientId = () => `client-msg-${String(++clientIds).padStart(6, '0')}`;

/** A normal question still gets a complete, grounded answer: the server is serving. */
async function expectStillAnswering(shopper: Shopper): Promise<void> {
  double.enqueueChat({ chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) keeps you dry.') });
  const completed = nextEvent(shopper.socket, 'chat:completed');
  const reply = await shopper.request('chat:send', { clientMessageId: nextClientId(), text: 'rain jacket' });
  expect(reply.ok).toBe(true);
  const { message } = await completed;
  expect(message.status).toBe('complete');
  expect(message.products.map((p) => p.id)).toEqual(['JKT-300']);
}

describe('malformed client events', () => {
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
  });

  const uuid = '2f1d8a34-5b7e-4c1a-9d2e-0123456789ab';
  const badPayloads: Record<string, unknown[]> = {
    'chat:send': [
      undefined,
      null,
      'where are the shoes?',
      42,
      true,
      [],
      ['client-msg-0001', 'hi'],
      {},
      { text: 'hi' },
      { clientMessageId: 'client-msg-0001' },
      { clientMessageId: 'short', text: 'hi' },
      { clientMessageId: 12_345_678_901, text: 'hi' },
      { clientMessageId: 'client-msg-0001', text: 42 },
      { clientMessageId: 'client-msg-0001', text: { $gt: '' } },
      { clientMessageId: 'client-msg-0001', text: ['hi'] },
      { clientMessageId: 'client-msg-0001', text: null },
      { clientMessageId: 'client-msg-0001', text: 'hi', conversationId: 7 },
      { clientMessageId: 'client-msg-0001', text: 'hi', conversationId: '' },
      { clientMessageId: 'client-msg-0001', text: 'hi', conversationId: 'c'.repeat(65) },
      { clientMessageId: 'x'.repeat(65), text: 'hi' },
    ],
    'chat:stop': [
      undefined,
      null,
      'abc',
      1,
      [],
      {},
      { conversationId: 1 },
      { conversationId: '' },
      { conversationId: null },
      { conversationId: 'c'.repeat(65) },
    ],
    'chat:retry': [
      undefined,
      null,
      'abc',
      {},
      { conversationId: uuid },
      { messageId: uuid },
      { conversationId: uuid, messageId: 5 },
      { conversationId: [uuid], messageId: uuid },
    ],
    'chat:resume': [
      undefined,
      null,
      'abc',
      0,
      [],
      {},
      { conversationId: 42 },
      { conversationId: '' },
      { conversationId: { id: uuid } },
    ],
  };

  for (const [event, payloads] of Object.entries(badPayloads)) {
    it(`answers every malformed ${event} with bad-request, stores nothing, and keeps serving`, async () => {
      const shopper = await server.shopper();
      for (const payload of payloads) {
        const reply = await requestRaw(shopper.socket, event, payload);
        expect(reply, `${event} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'bad-request' } });
        if (!reply.ok) expect(reply.error.message).toMatch(/^Invalid request: /);
      }
      expect(await countRows('messages')).toBe(0);
      expect(double.chatRequests()).toHaveLength(0);
      expect(shopper.socket.connected).toBe(true);
      await expectStillAnswering(shopper);
    });
  }

  it('answers an event sent with only an ack callback (no payload) with bad-request', async () => {
    const shopper = await server.shopper();
    for (const event of ['chat:send', 'chat:stop', 'chat:retry', 'chat:resume']) {
      // socket.io hands the server [ack] only; the client must still hear back, not wait forever.
      const reply = await new Promise<unknown>((resolve) =>
        emitRaw(shopper.socket.timeout(2000), event, (err: Error | null, result?: unknown) =>
          resolve(err ? `no reply: ${err.message}` : result),
        ),
      );
      expect(reply, event).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });

  it('survives events with no ack callback at all, valid or not, and keeps serving', async () => {
    const shopper = await server.shopper();
    emitRaw(shopper.socket, 'chat:send');
    emitRaw(shopper.socket, 'chat:send', null);
    emitRaw(shopper.socket, 'chat:send', { clientMessageId: 'client-msg-0001' });
    emitRaw(shopper.socket, 'chat:stop', { conversationId: 'nope-nope' });
    emitRaw(shopper.socket, 'chat:retry', 'x', 'y', 'z');
    emitRaw(shopper.socket, 'chat:resume', { conversationId: 'nope-nope' });
    emitRaw(shopper.socket, 'chat:unknown-event', { anything: true });
    // A valid message without a callback is still stored and answered; the shopper sees the answer.
    const completed = nextEvent(shopper.socket, 'chat:completed');
    emitRaw(shopper.socket, 'chat:send', { clientMessageId: 'client-msg-noack', text: 'coffee grinder' });
    const { message } = await completed;
    expect(message.status).toBe('complete');
    expect(message.products.map((p) => p.id)).toContain('GRD-400');
    expect(shopper.socket.connected).toBe(true);
    await expectStillAnswering(shopper);
  });

  it('refuses a payload padded with a large unexpected field, and the field is never stored', async () => {
    const shopper = await server.shopper();
    const junk = 'J'.repeat(50_000);
    const reply = await requestRaw(shopper.socket, 'chat:send', { clientMessageId: 'client-msg-0001', text: 'hello', junk });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const stop = await requestRaw(shopper.socket, 'chat:stop', { conversationId: 'conv-0001', junk });
    expect(stop).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await countRows('messages')).toBe(0);
    expect(double.chatRequests()).toHaveLength(0);
    await expectStillAnswering(shopper);
  });
});

describe('message length', () => {
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
  });

  it(`refuses a message over ${MAX_MESSAGE_CHARS.toLocaleString('en')} characters before it reaches the model or the database`, async () => {
    const shopper = await server.shopper();
    const reply = await shopper.request('chat:send', {
      clientMessageId: nextClientId(),
      text: 'a'.repeat(MAX_MESSAGE_CHARS + 1),
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'message-too-long' } });
    if (!reply.ok) expect(reply.error.message).toContain('4,000');
    expect(double.chatRequests()).toHaveLength(0);
    expect(await countRows('messages')).toBe(0);
    expect(await countRows('conversations')).toBe(0);
  });

  it('refuses an over-long follow-up in an existing conversation, keeping the conversation as it was', async () => {
    const shopper = await server.shopper();
    const completed = nextEvent(shopper.socket, 'chat:completed');
    const first = await shopper.request('chat:send', { clientMessageId: nextClientId(), text: 'trail shoes' });
    if (!first.ok) throw new Error(first.error.message);
    await completed;
    const requestsBefore = double.chatRequests().length;
    const messagesBefore = await countRows('messages');

    const reply = await shopper.request('chat:send', {
      conversationId: first.data.conversationId,
      clientMessageId: nextClientId(),
      text: `${'shoe '.repeat(900)}${'x'.repeat(MAX_MESSAGE_CHARS)}`,
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'message-too-long' } });
    expect(double.chatRequests()).toHaveLength(requestsBefore);
    expect(await countRows('messages')).toBe(messagesBefore);
    const resumed = await shopper.request('chat:resume', { conversationId: first.data.conversationId });
    if (!resumed.ok) throw new Error(resumed.error.message);
    expect(resumed.data.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it('accepts a message of exactly the limit (surrounding spaces do not count)', async () => {
    const shopper = await server.shopper();
    const body = `rain jacket ${'x'.repeat(MAX_MESSAGE_CHARS - 'rain jacket '.length)}`;
    expect(body).toHaveLength(MAX_MESSAGE_CHARS);
    const completed = nextEvent(shopper.socket, 'chat:completed');
    const reply = await shopper.request('chat:send', { clientMessageId: nextClientId(), text: `   ${body}\n\n` });
    expect(reply.ok).toBe(true);
    if (reply.ok) expect(reply.data.userMessage.content).toBe(body);
    expect((await completed).message.status).toBe('complete');
  });

  it('refuses an empty or whitespace-only message and stores nothing', async () => {
    const shopper = await server.shopper();
    for (const blank of ['', ' ', '\n\t  \r\n', '\u00a0\u2003']) {
      const reply = await shopper.request('chat:send', { clientMessageId: nextClientId(), text: blank });
      expect(reply, JSON.stringify(blank)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(await countRows('messages')).toBe(0);
    expect(double.chatRequests()).toHaveLength(0);
  });
});

describe('socket payload size', () => {
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
  });

  it('disconnects a socket that sends more than 64 KB in one event, while other shoppers keep chatting', async () => {
    const flooder = await server.shopper();
    const bystander = await server.shopper();
    const disconnected = new Promise<string>((resolve) => flooder.socket.once('disconnect', (reason) => resolve(reason)));
    let acked = false;
    emitRaw(flooder.socket, 'chat:send', { clientMessageId: 'client-msg-flood', text: 'z'.repeat(70 * 1024) }, () => {
      acked = true;
    });
    expect(await disconnected).toBe('transport close');
    expect(acked).toBe(false);
    expect(await countRows('messages')).toBe(0);
    expect(double.chatRequests()).toHaveLength(0);

    expect(bystander.socket.connected).toBe(true);
    await expectStillAnswering(bystander);
    // The flooder can come back with the same session once it behaves.
    flooder.socket.connect();
    await new Promise<void>((resolve, reject) => {
      flooder.socket.once('connect', () => resolve());
      flooder.socket.once('connect_error', reject);
    });
    await expectStillAnswering(flooder);
  });
});

describe('rate limit per session', () => {
  const limit = 3;
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { chat: { messagesPerMinute: limit } } });
  });

  it(`accepts ${limit} messages a minute from one shopper, refuses the rest of a burst, and leaves other shoppers alone`, async () => {
    const eager = await server.shopper();
    const other = await server.shopper();
    // Each message starts its own conversation so no answer is "in progress" for the next one.
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        eager.request('chat:send', { clientMessageId: `client-burst-${i}`, text: `trail shoes size 4${i}` }),
      ),
    );
    const accepted = burst.filter((r) => r.ok);
    const refused = burst.filter((r) => !r.ok);
    expect(accepted).toHaveLength(limit);
    expect(refused).toHaveLength(8 - limit);
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
      if (!r.ok) expect(r.error.hint).toMatch(/minute/);
    }
    // Refused messages were never stored.
    const stored = await server.app.db.kysely
      .selectFrom('messages')
      .select('client_message_id')
      .where('role', '=', 'user')
      .execute();
    expect(stored).toHaveLength(limit);

    // The other shopper shares the IP (loopback) but not the limit.
    const completed = nextEvent(other.socket, 'chat:completed');
    const reply = await other.request('chat:send', { clientMessageId: nextClientId(), text: 'coffee grinder' });
    expect(reply.ok).toBe(true);
    expect((await completed).message.status).toBe('complete');

    // Still limited a moment later: the window is a minute, not a burst.
    const again = await eager.request('chat:send', { clientMessageId: nextClientId(), text: 'rain jacket' });
    expect(again).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
  });
});
