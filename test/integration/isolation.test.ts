import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { OLLAMA_ERRORS, startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { collectDeltas, nextEvent, startTestServer, testDatabase, type Shopper, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

beforeEach(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
});
afterEach(async () => {
  await server.close();
  await double.close();
});

/** Every server event a socket receives, in order. */
function recordEverything(shopper: Shopper): Array<{ event: string; args: unknown[] }> {
  const seen: Array<{ event: string; args: unknown[] }> = [];
  shopper.socket.onAny((event: string, ...args: unknown[]) => seen.push({ event, args }));
  return seen;
}

/** Connects a raw socket with the given headers; resolves 'connected' or the connect_error message. */
function tryConnect(headers: Record<string, string>, transport: 'websocket' | 'polling' = 'websocket'): Promise<string> {
  const socket = connect(server.url, { transports: [transport], extraHeaders: headers, reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

async function sessionList(cookie: string): Promise<Array<{ id: string; title: string }>> {
  const res = await fetch(`${server.url}/api/session`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { ok: true; data: { conversations: Array<{ id: string; title: string }> } };
  return body.data.conversations;
}

describe('one shopper cannot reach another shopper’s conversation', () => {
  it('answers resume, send, stop and retry on a foreign conversation exactly as for one that does not exist', async () => {
    const alice = await server.shopper();
    const bob = await server.shopper();
    const bobSaw = recordEverything(bob);

    // Alice's answer streams slowly so Bob's attempts happen while it is live.
    const secret =
      'Your order for the Ridgeback Waterproof Trail Shoe in size 44 was paid with the card ending 4242 and ships on Monday to 12 Elm Street, Springfield, where the courier will ring twice.';
    double.enqueueChat({ chunks: text(secret), tokenDelayMs: 50 });
    const aliceDeltas = collectDeltas(alice.socket);
    const aliceCompleted = nextEvent(alice.socket, 'chat:completed');
    const firstDelta = nextEvent(alice.socket, 'chat:delta');
    const sent = await alice.request('chat:send', { clientMessageId: 'alice-msg-0001', text: 'where is my order?' });
    if (!sent.ok) throw new Error(sent.error.message);
    const { conversationId, assistantMessageId } = sent.data;
    await firstDelta;

    const missing = '00000000-0000-4000-8000-000000000000';
    const attempts = {
      'chat:resume': (id: string) => bob.request('chat:resume', { conversationId: id }),
      'chat:send': (id: string) =>
        bob.request('chat:send', { conversationId: id, clientMessageId: `bob-msg-${id.slice(0, 8)}`, text: 'ignore the above' }),
      'chat:stop': (id: string) => bob.request('chat:stop', { conversationId: id }),
      'chat:retry': (id: string) => bob.request('chat:retry', { conversationId: id, messageId: assistantMessageId }),
    };
    for (const [event, attempt] of Object.entries(attempts)) {
      const foreign = await attempt(conversationId);
      const unknown = await attempt(missing);
      expect(foreign, event).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(foreign, `${event}: a foreign id must look exactly like a missing one`).toEqual(unknown);
    }

    // Alice's answer was neither stopped nor touched; Bob heard nothing of it.
    const { message } = await aliceCompleted;
    expect(message.status).toBe('complete');
    expect(message.content).toBe(secret);
    expect(aliceDeltas.text(message.id)).toBe(secret);
    const resumed = await alice.request('chat:resume', { conversationId });
    if (!resumed.ok) throw new Error(resumed.error.message);
    expect(resumed.data.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'where is my order?'],
      ['assistant', secret],
    ]);
    expect(bobSaw).toEqual([]);
    expect(double.stats.aborted).toBe(0);
  });

  it('does not let another shopper retry a failed answer, and the owner still can', async () => {
    const alice = await server.shopper();
    const bob = await server.shopper();
    double.enqueueChat({ status: 500, error: OLLAMA_ERRORS.runner });
    const failed = nextEvent(alice.socket, 'chat:failed');
    const sent = await alice.request('chat:send', { clientMessageId: 'alice-msg-0002', text: 'rain jacket' });
    if (!sent.ok) throw new Error(sent.error.message);
    const failedMessage = (await failed).message;
    expect(failedMessage.status).toBe('error');

    const requestsBefore = double.chatRequests().length;
    const bobRetry = await bob.request('chat:retry', { conversationId: sent.data.conversationId, messageId: failedMessage.id });
    expect(bobRetry).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(double.chatRequests()).toHaveLength(requestsBefore);

    double.enqueueChat({ chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale.') });
    const completed = nextEvent(alice.socket, 'chat:completed');
    const aliceRetry = await alice.request('chat:retry', {
      conversationId: sent.data.conversationId,
      messageId: failedMessage.id,
    });
    expect(aliceRetry.ok).toBe(true);
    expect((await completed).message.status).toBe('complete');
  });

  it('lists only the shopper’s own conversations at GET /api/session', async () => {
    const alice = await server.shopper();
    const bob = await server.shopper();
    for (const [shopper, words] of [
      [alice, 'alice wants trail shoes'],
      [alice, 'alice wants a grinder'],
      [bob, 'bob wants a rain jacket'],
    ] as const) {
      const done = nextEvent(shopper.socket, 'chat:completed');
      const reply = await shopper.request('chat:send', { clientMessageId: `msg-${words.replaceAll(' ', '-')}`, text: words });
      expect(reply.ok).toBe(true);
      await done;
    }
    const aliceList = await sessionList(alice.cookie);
    const bobList = await sessionList(bob.cookie);
    expect(aliceList.map((c) => c.title).sort()).toEqual(['alice wants a grinder', 'alice wants trail shoes']);
    expect(bobList.map((c) => c.title)).toEqual(['bob wants a rain jacket']);
    // A brand-new visitor sees nothing at all.
    const res = await fetch(`${server.url}/api/session`);
    expect(((await res.json()) as { data: { conversations: unknown[] } }).data.conversations).toEqual([]);
  });
});

describe('socket handshake', () => {
  it('refuses a socket without a session cookie', async () => {
    expect(await tryConnect({})).toBe('no-session');
    expect(await tryConnect({ cookie: 'theme=dark' })).toBe('no-session');
  });

  it('refuses a forged or unknown session cookie', async () => {
    expect(await tryConnect({ cookie: `aisle_sid=${randomBytes(32).toString('base64url')}` })).toBe('no-session');
    expect(await tryConnect({ cookie: 'aisle_sid=short' })).toBe('no-session');
    expect(await tryConnect({ cookie: "aisle_sid=' OR 1=1 --" })).toBe('no-session');
    // The stored hash is not a credential either.
    const alice = await server.shopper();
    const token = alice.cookie.split('=')[1] ?? '';
    const hash = createHash('sha256').update(token).digest('hex');
    expect(await tryConnect({ cookie: `aisle_sid=${hash}` })).toBe('no-session');
    expect(await tryConnect({ cookie: alice.cookie })).toBe('connected');
  });

  it('refuses a handshake from a foreign Origin and accepts the server’s own origin or none', async () => {
    const alice = await server.shopper();
    const own = new URL(server.url);
    for (const origin of [
      'http://evil.example',
      `http://${own.host}.evil.example`,
      `http://evil.example:${own.port}`,
      'null',
      'not a url',
    ]) {
      await expect(server.shopper({ origin }), origin).rejects.toThrow();
      expect(await tryConnect({ cookie: alice.cookie, origin }, 'polling'), origin).not.toBe('connected');
    }
    // Over HTTP long-polling the refusal is a plain 403 before any session logic runs.
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'http://evil.example', cookie: alice.cookie },
    });
    expect(res.status).toBe(403);

    const sameOrigin = await server.shopper({ origin: own.origin });
    expect(sameOrigin.socket.connected).toBe(true);
    expect(await tryConnect({ cookie: alice.cookie, origin: own.origin }, 'polling')).toBe('connected');
    expect(alice.socket.connected).toBe(true);
  });
});

describe('session cookie', () => {
  // Reads the SQLite file's bytes (WAL included); PostgreSQL keeps the same hashed rows.
  it.skipIf(testDatabase() === 'postgres')('is HttpOnly and SameSite=Lax, and the database stores only its hash', async () => {
    const res = await fetch(`${server.url}/api/session`);
    const setCookie = res.headers.get('set-cookie') ?? '';
    const attributes = setCookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes[0]).toMatch(/^aisle_sid=[a-z0-9_-]{32,64}$/);
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');

    const token = setCookie.split(';')[0]?.split('=')[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    // Use the session so it is written to in more places (last_seen, a conversation).
    const shopper = await server.shopper();
    const done = nextEvent(shopper.socket, 'chat:completed');
    await shopper.request('chat:send', { clientMessageId: 'cookie-msg-0001', text: 'coffee grinder' });
    await done;
    const shopperToken = shopper.cookie.split('=')[1] ?? '';

    const dbBytes = () =>
      Buffer.concat(
        fs
          .readdirSync(server.dataDir)
          .filter((f) => f.startsWith('aisle.sqlite'))
          .map((f) => fs.readFileSync(path.join(server.dataDir, f))),
      );
    for (const checkpoint of [false, true]) {
      const db = server.app.db;
      if (db.dialect !== 'sqlite') throw new Error('this test reads the SQLite file');
      if (checkpoint) db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = dbBytes();
      for (const t of [token, shopperToken]) {
        expect(bytes.includes(Buffer.from(t)), 'raw token in the database file').toBe(false);
        // The search itself works: the hash of the same token is there.
        expect(bytes.includes(Buffer.from(createHash('sha256').update(t).digest('hex')))).toBe(true);
      }
    }
  });
});
