import http from 'node:http';
import { ConfigError, parseConfig } from '@aisle/server/config/loadConfig';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { createAgentAccount, login } from '../helpers/agentClient';
import { startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble | undefined;
let server: TestServer | undefined;

afterEach(async () => {
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

describe('server.trustProxy', () => {
  it('refuses `true` (any client could pick its own address) and says what to write instead', () => {
    let error: unknown;
    try {
      parseConfig({ server: { trustProxy: true } }, {}, 'test');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = String((error as ConfigError).message);
    expect(message).toContain('server.trustProxy');
    expect(message).toMatch(/number of proxies/);
    expect(message).toMatch(/loopback/);
  });

  it('accepts a hop count, "loopback", and addresses or CIDR ranges, and refuses what is not an address', () => {
    for (const trustProxy of [false, 0, 1, 2, 'loopback', '10.0.0.5', '10.0.0.0/8, fd00::/8', ['loopback', '192.168.1.2']]) {
      expect(() => parseConfig({ server: { trustProxy } }, {}, 'test'), JSON.stringify(trustProxy)).not.toThrow();
    }
    for (const trustProxy of ['true', 'proxy.example', '10.0.0.0/33', -1, []]) {
      expect(() => parseConfig({ server: { trustProxy } }, {}, 'test'), JSON.stringify(trustProxy)).toThrow(ConfigError);
    }
  });

  it('with a hop count, forged X-Forwarded-For entries do not pick the sign-in limiter key', async () => {
    const local = await start({ server: { trustProxy: 1 } });
    // The client forges the left part; the one proxy in front (played by the test) appends what it saw.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await login(local, `guess${i}@shop.example`, 'wrong password!', {
        headers: { 'x-forwarded-for': `10.9.${i}.1, 198.51.100.7` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(new Set(statuses.slice(20))).toEqual(new Set([429]));

    // Another client behind the same proxy is not affected.
    const ann = await createAgentAccount(local, { email: 'ann@shop.example' });
    const other = await login(local, ann.email, ann.password, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(other.status).toBe(200);
  }, 60_000);

  it('counts IPv6 clients by their /56, so rotating addresses inside it does not reset the sign-in limit', async () => {
    const local = await start({ server: { trustProxy: 'loopback' } });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await login(local, `guess${i}@shop.example`, 'wrong password!', {
        headers: { 'x-forwarded-for': `2001:db8:0:${i}::${i + 1}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(new Set(statuses.slice(20))).toEqual(new Set([429]));
  }, 60_000);
});

/** A request with any Host header (fetch will not send a made-up one). */
function request(
  base: string,
  options: { method?: string; path: string; host: string; headers?: Record<string, string>; body?: unknown },
): Promise<{ status: number; type: string; body: string }> {
  const url = new URL(options.path, base);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...options.headers,
          host: options.host,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Opens a shopper socket with the given Host and Origin; resolves with "connected" or the refusal. */
async function handshake(local: TestServer, host: string, origin: string): Promise<string> {
  const res = await fetch(`${local.url}/api/session`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const socket = connect(local.url, {
    transports: ['websocket'],
    extraHeaders: { cookie, host, origin },
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
  } finally {
    socket.close();
  }
}

describe('Host check (DNS rebinding)', () => {
  it('answers a foreign Host with 421 JSON on every route, the page included, and refuses its sockets', async () => {
    const local = await start();
    const port = new URL(local.url).port;
    const attacker = `attacker.example:${port}`;
    for (const path of ['/', '/api/health', '/api/products?q=shoe', '/api/session', '/agent']) {
      const res = await request(local.url, { path, host: attacker });
      expect(res.status, path).toBe(421);
      expect(res.type, path).toMatch(/^application\/json/);
      expect(JSON.parse(res.body), path).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const signIn = await request(local.url, {
      method: 'POST',
      path: '/api/agent/login',
      host: attacker,
      headers: { origin: `http://${attacker}` },
      body: { email: 'ann@shop.example', password: 'a long enough password' },
    });
    expect(signIn.status).toBe(421);

    expect(await handshake(local, attacker, `http://${attacker}`)).toMatch(/^refused/);
    expect(await handshake(local, `127.0.0.1:${port}`, `http://127.0.0.1:${port}`)).toBe('connected');
  });

  it('accepts loopback names on any port, IP addresses, server.publicUrl and server.allowedHosts', async () => {
    const local = await start({ server: { publicUrl: 'https://shop.example', allowedHosts: ['aisle.internal:8080'] } });
    for (const host of [
      'localhost:5173',
      'LOCALHOST',
      '127.0.0.1:3000',
      '[::1]:3000',
      '192.168.1.20:3000',
      'shop.example',
      'aisle.internal:8080',
    ]) {
      expect((await request(local.url, { path: '/api/health', host })).status, host).toBe(200);
    }
    for (const host of ['shop.example.attacker.example', 'aisle.internal:9999', 'localhost.attacker.example']) {
      expect((await request(local.url, { path: '/api/health', host })).status, host).toBe(421);
    }
    // The public origin may open sockets although the proxy in front sends another Host.
    expect(await handshake(local, 'shop.example', 'https://shop.example')).toBe('connected');
    expect(await handshake(local, 'evil.example', 'http://evil.example')).toMatch(/^refused/);
  });
});
