import { ConfigError, parseConfig } from '@aisle/server/config/loadConfig';
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
