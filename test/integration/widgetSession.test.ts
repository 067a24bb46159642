import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { nextEvent, startTestServer, type ShopperSocket, type TestServer } from '../helpers/testServer';

/**
 * The embedded widget lives in a shop's page, where browsers block third-party cookies: it keeps a
 * session token and sends it as `Authorization: Bearer` and in the socket handshake. Only the widget's
 * panel (/embed) may be framed, and only by the shops in `widget.allowedOrigins`.
 */

const SHOP = 'https://shop.example';

let double: OllamaDouble | undefined;
let server: TestServer | undefined;
const sockets: ShopperSocket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server?.close();
  await double?.close();
  server = undefined;
  double = undefined;
});

async function start(config: Parameters<typeof startTestServer>[0]['config'] = {}): Promise<TestServer> {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url, config });
  return server;
}

async function newToken(s: TestServer): Promise<string> {
  const res = await fetch(`${s.url}/api/session/token`, { method: 'POST' });
  expect(res.status).toBe(200);
  expect(res.headers.get('set-cookie')).toBeNull();
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = (await res.json()) as { ok: true; data: { token: string } };
  return body.data.token;
}

/** A socket authenticated by token (as the widget's panel does); resolves once connected or with the refusal. */
function tokenSocket(s: TestServer, auth: Record<string, unknown>, headers: Record<string, string> = {}): Promise<ShopperSocket | string> {
  const socket: ShopperSocket = connect(s.url, {
    transports: ['websocket'],
    auth,
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

async function connected(s: TestServer, token: string): Promise<ShopperSocket> {
  const socket = await tokenSocket(s, { token });
  if (typeof socket === 'string') throw new Error(`refused: ${socket}`);
  return socket;
}

function request(socket: ShopperSocket, event: string, payload: unknown): Promise<{ ok: boolean; data?: unknown; error?: { code: string } }> {
  return new Promise((resolve) => {
    (socket.emit as (e: string, p: unknown, ack: (r: never) => void) => void)(event, payload, resolve);
  });
}

describe('a session by token, for the widget inside a shop’s page', () => {
  it('lets a shopper chat and come back to the conversation with the token alone, and keeps it from everyone else', async () => {
    const s = await start();
    const token = await newToken(s);

    const first = await connected(s, token);
    double!.enqueueChat({ chunks: text('The Stormline jacket is waterproof.') });
    const sent = await request(first, 'chat:send', { clientMessageId: 'client-msg-0001', text: 'Is the jacket waterproof?' });
    expect(sent.ok).toBe(true);
    const conversationId = (sent.data as { conversationId: string }).conversationId;
    await nextEvent(first, 'chat:completed');
    first.close();

    // A reload: a new socket with the same token resumes the conversation; the list shows it over HTTP.
    const again = await connected(s, token);
    const resumed = await request(again, 'chat:resume', { conversationId });
    expect(resumed.ok).toBe(true);
    expect(JSON.stringify(resumed.data)).toContain('The Stormline jacket is waterproof.');
    const list = await fetch(`${s.url}/api/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(200);
    expect(list.headers.get('set-cookie')).toBeNull();
    expect(((await list.json()) as { data: { conversations: Array<{ id: string }> } }).data.conversations.map((c) => c.id)).toEqual([
      conversationId,
    ]);

    // Another widget (another token) and a cookie shopper both get "not found".
    const stranger = await connected(s, await newToken(s));
    expect((await request(stranger, 'chat:resume', { conversationId })).error?.code).toBe('not-found');
    const cookieShopper = await s.shopper();
    expect((await cookieShopper.request('chat:resume', { conversationId })).ok).toBe(false);
  });

  it('refuses a socket whose token was never issued, even with a valid session cookie beside it', async () => {
    const s = await start();
    const cookie = (await s.shopper()).cookie;
    expect(await tokenSocket(s, { token: 'A'.repeat(43) })).toBe('no-session');
    expect(await tokenSocket(s, { token: 'not a token' }, { cookie })).toBe('no-session');
    expect(await tokenSocket(s, { token: 42 })).toBe('no-session');
  });

  it('answers an unknown bearer token with 401 and sets no cookie, so the widget asks for a new token', async () => {
    const s = await start();
    for (const header of [`Bearer ${'B'.repeat(43)}`, 'Bearer short', 'Basic abc']) {
      const res = await fetch(`${s.url}/api/session`, { headers: { authorization: header } });
      expect(res.status, header).toBe(401);
      expect(res.headers.get('set-cookie'), header).toBeNull();
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
  });

  it('issues no token to a page on another site (the reply would be a session it could use)', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/api/session/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('counts every token issued against the new-session limit per address', async () => {
    const s = await start({ limits: { sessionsPerAddressPerMinute: 2 } });
    await newToken(s);
    await newToken(s);
    const third = await fetch(`${s.url}/api/session/token`, { method: 'POST' });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

function cspDirectives(res: Response): Map<string, string> {
  return new Map(
    (res.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name ?? '', values.join(' ')]),
  );
}

describe('who may frame Aisle', () => {
  it('lets only the configured shops frame the panel, and no page at all frame anything else', async () => {
    const s = await start({ widget: { allowedOrigins: [SHOP, 'https://www.shop.example/'] } });
    const embed = await fetch(`${s.url}/embed?locale=en`);
    expect(cspDirectives(embed).get('frame-ancestors')).toBe("'self' https://shop.example https://www.shop.example");
    expect(embed.headers.get('x-frame-options')).toBeNull();

    for (const path of ['/', '/agent', '/api/health', '/embedded', '/api/widget']) {
      const res = await fetch(`${s.url}${path}`);
      expect(cspDirectives(res).get('frame-ancestors'), path).toBe("'none'");
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it('follows a hot reload of widget.allowedOrigins', async () => {
    const s = await start();
    expect(cspDirectives(await fetch(`${s.url}/embed`)).get('frame-ancestors')).toBe("'self'");
    s.reconfigure({ widget: { allowedOrigins: [SHOP] } });
    expect(cspDirectives(await fetch(`${s.url}/embed`)).get('frame-ancestors')).toBe(`'self' ${SHOP}`);
    const settings = (await (await fetch(`${s.url}/api/widget`)).json()) as { data: { allowedOrigins: string[] } };
    expect(settings.data.allowedOrigins).toEqual([SHOP]);
  });

  it('answers 403 when a page that is not an allowed shop loads the panel in a frame', async () => {
    const s = await start({ widget: { allowedOrigins: [SHOP] } });
    const framedBy = (referer: string) =>
      fetch(`${s.url}/embed`, { headers: { 'sec-fetch-dest': 'iframe', referer } }).then((r) => r.status);
    expect(await framedBy('https://evil.example/product/1')).toBe(403);
    expect(await framedBy('http://shop.example/')).toBe(403); // the scheme is part of the origin
    // The allowed shop gets past the guard (no client is built here, so the page itself is a 404).
    expect(await framedBy('https://shop.example/products/jacket')).not.toBe(403);
  });
});

describe('page context from the widget', () => {
  it('gives the model the product the shopper is looking at, from the database, and stores it with the conversation', async () => {
    const s = await start({ widget: { allowedOrigins: [SHOP] } });
    const socket = await connected(s, await newToken(s));
    const kept = await request(socket, 'chat:context', { productId: 'JKT-300', url: `${SHOP}/products/stormline` });
    expect(kept).toEqual({ ok: true, data: { productId: 'JKT-300', url: `${SHOP}/products/stormline` } });

    double!.enqueueChat({ chunks: text('Yes, it comes in blue.') });
    const sent = await request(socket, 'chat:send', { clientMessageId: 'client-msg-0002', text: 'Does this come in blue?' });
    expect(sent.ok).toBe(true);
    await nextEvent(socket, 'chat:completed');
    const seen = JSON.stringify(double!.chatRequests().at(-1)?.messages ?? []);
    expect(seen).toContain('The shopper is looking at this product');
    expect(seen).toContain('Stormline 2.5L Rain Jacket');

    const conversationId = (sent.data as { conversationId: string }).conversationId;
    const row = await s.app.db.kysely
      .selectFrom('conversations')
      .select(['context_product_id', 'context_url'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ context_product_id: 'JKT-300', context_url: `${SHOP}/products/stormline` });
    // Agents see it beside the transcript.
    const detail = await s.app.agentConsole.transcripts.detail(conversationId);
    expect(detail?.viewing).toMatchObject({ productId: 'JKT-300', url: `${SHOP}/products/stormline` });
  });

  it('ignores a product that does not exist and a URL on a site that is not an allowed shop', async () => {
    const s = await start({ widget: { allowedOrigins: [SHOP] } });
    const socket = await connected(s, await newToken(s));
    for (const [productId, url] of [
      ['NO-SUCH-SKU', 'https://evil.example/x'],
      ['JKT-300 ', 'javascript:alert(1)'],
    ]) {
      const kept = await request(socket, 'chat:context', { productId, url });
      expect(kept.data, String(productId)).toEqual({ productId: productId === 'JKT-300 ' ? 'JKT-300' : null, url: null });
    }
    expect((await request(socket, 'chat:context', { productId: 'x', extra: true })).error?.code).toBe('bad-request');
  });

  it('refuses to set the context of another shopper’s conversation', async () => {
    const s = await start({ widget: { allowedOrigins: [SHOP] } });
    const owner = await connected(s, await newToken(s));
    double!.enqueueChat({ chunks: text('Hello.') });
    const sent = await request(owner, 'chat:send', { clientMessageId: 'client-msg-0003', text: 'Hi' });
    await nextEvent(owner, 'chat:completed');
    const conversationId = (sent.data as { conversationId: string }).conversationId;

    const other = await connected(s, await newToken(s));
    const res = await request(other, 'chat:context', { conversationId, productId: 'GRD-400' });
    expect(res.error?.code).toBe('not-found');
    const row = await s.app.db.kysely
      .selectFrom('conversations')
      .select('context_product_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(row.context_product_id).toBeNull();
  });
});
