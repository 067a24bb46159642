import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { loopback, sessionFrom, shopperFrom } from '../helpers/addresses';
import { answerEnd, ask } from '../helpers/chatFlows';
import { startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

async function start(config: Parameters<typeof startTestServer>[0]['config']) {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url, config });
}
afterEach(async () => {
  await server.close();
  await double.close();
});

describe('limits on shopper actions other than sending', () => {
  it('charges a retry like a message: a session that spams retry is refused once the shared budget is spent', async () => {
    await start({ chat: { messagesPerMinute: 3 } });
    const shopper = await server.shopper();
    const first = await ask(shopper, 'Trail shoes please');
    const callsBefore = double.chatRequests().length;

    let latest = first.message.id;
    for (let i = 0; i < 2; i += 1) {
      const ended = answerEnd(shopper.socket, () => undefined);
      const reply = await shopper.request('chat:retry', { conversationId: first.conversationId, messageId: latest });
      expect(reply.ok).toBe(true);
      latest = (await ended).message.id;
    }
    const refused = await shopper.request('chat:retry', { conversationId: first.conversationId, messageId: latest });

    expect(refused).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
    // One message and two retries: three model calls' worth of answers, then no more.
    const callsAfter = double.chatRequests().length;
    await expect(
      shopper.request('chat:send', { clientMessageId: 'client-after-retries', text: 'And socks?' }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'rate-limited' },
    });
    expect(double.chatRequests().length).toBe(callsAfter);
    expect(callsAfter).toBeGreaterThan(callsBefore);
  });

  it('limits asking for a person per session, with a sentence a shopper can read, and leaves other shoppers alone', async () => {
    await start({ limits: { requestHumanPerMinute: 2 } });
    const eager = await server.shopper();
    const other = await server.shopper();
    const mine = await ask(eager, 'Can a person help me?');
    const theirs = await ask(other, 'I need a person too');

    const replies = [];
    for (let i = 0; i < 5; i += 1)
      replies.push(await eager.request('chat:request-human', { conversationId: mine.conversationId }));

    expect(replies.slice(0, 2)).toEqual([
      { ok: true, data: null },
      { ok: true, data: null },
    ]);
    for (const r of replies.slice(2)) {
      expect(r).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
      if (!r.ok) expect(r.error.message).toMatch(/asked for a person/);
    }
    expect(await other.request('chat:request-human', { conversationId: theirs.conversationId })).toEqual({
      ok: true,
      data: null,
    });
  });

  it('limits feedback changes per session', async () => {
    await start({ limits: { feedbackPerMinute: 3 } });
    const shopper = await server.shopper();
    const { conversationId, message } = await ask(shopper, 'A coffee grinder');

    const replies = [];
    for (let i = 0; i < 6; i += 1) {
      replies.push(
        await shopper.request('chat:feedback', { conversationId, messageId: message.id, rating: i % 2 === 0 ? 'up' : 'down' }),
      );
    }

    expect(replies.filter((r) => r.ok)).toHaveLength(3);
    expect(replies.slice(3).every((r) => !r.ok && r.error.code === 'rate-limited')).toBe(true);
    // What the shopper sees after a reload is the last accepted rating.
    const snapshot = await shopper.request('chat:resume', { conversationId });
    expect(snapshot.ok && snapshot.data.messages.find((m) => m.id === message.id)?.feedback?.rating).toBe('up');
  });
});

describe('new shopper sessions per address', () => {
  it('refuses a flood of new sessions from one address with 429, while returning browsers and other addresses still get in', async () => {
    await start({ limits: { sessionsPerAddressPerMinute: 5 } });
    const flood = loopback(3);

    const replies = [];
    for (let i = 0; i < 8; i += 1) replies.push(await sessionFrom(server.url, flood));

    expect(replies.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    for (const r of replies.slice(5)) {
      expect(r.status).toBe(429);
      expect(r.cookie).toBe('');
      expect(r.body).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    // A browser that already has a session is not counted against its address.
    const returning = await sessionFrom(server.url, flood, replies[0]?.cookie);
    expect(returning.status).toBe(200);
    // Another address is not affected.
    const neighbour = await sessionFrom(server.url, loopback(4));
    expect(neighbour.status).toBe(200);
    expect(neighbour.cookie).not.toBe('');
    // And a shopper from there can chat.
    const shopper = await shopperFrom(server, loopback(4));
    expect((await ask(shopper, 'Hello')).event).toBe('chat:completed');
  });

  it('counts a made-up cookie or a forged X-Forwarded-For like a new browser from the same address', async () => {
    await start({ limits: { sessionsPerAddressPerMinute: 3 } });
    const flood = loopback(5);

    const statuses = [];
    for (let i = 0; i < 6; i += 1) {
      // A well-formed token the server never issued, and a header claiming another address each time.
      const fake = `aisle_sid=${'x'.repeat(40)}${i.toString().padStart(3, '0')}`;
      statuses.push(
        (await sessionFromWithHeaders(server.url, flood, { cookie: fake, 'x-forwarded-for': `203.0.113.${i}` })).status,
      );
    }

    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });
});

/** `GET /api/session` from `address` with arbitrary headers. */
async function sessionFromWithHeaders(
  url: string,
  address: string,
  headers: Record<string, string>,
): Promise<{ status: number }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/session`, { localAddress: address, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
  });
}
