import type { Agent } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import {
  api,
  connectAgent,
  createAgentAccount,
  disconnected,
  login,
  nextAgentEvent,
  signIn,
  TEST_PASSWORD,
} from '../helpers/agentClient';
import { startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

beforeEach(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url, config: { server: { trustProxy: 'loopback' } } });
});
afterEach(async () => {
  await server.close();
  await double.close();
});

describe('sign-in', () => {
  it('sets an httpOnly, SameSite=Lax session cookie over http and shows who is signed in', async () => {
    const ann = await createAgentAccount(server, { email: 'Ann@Shop.example', name: 'Ann', role: 'admin' });
    const res = await login(server, 'ann@shop.example', TEST_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      data: { id: ann.id, email: 'ann@shop.example', name: 'Ann', role: 'admin', disabled: false, createdAt: expect.any(String) },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);

    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('aisle_agent='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Lax/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).not.toMatch(/; Secure/i);

    const me = await api<Agent>(server, 'GET', '/api/agent/me', { cookie: res.cookie ?? '' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ ok: true, data: { email: 'ann@shop.example', role: 'admin' } });
    expect(me.headers.get('cache-control')).toBe('no-store');
  });

  it('behind https the cookie is Secure with the __Host- prefix, and that cookie works', async () => {
    await createAgentAccount(server, { email: 'ann@shop.example' });
    const res = await login(server, 'ann@shop.example', TEST_PASSWORD, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-aisle_agent='));
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).not.toMatch(/; Domain=/i);
    expect(res.cookie?.startsWith('__Host-aisle_agent=')).toBe(true);
    const me = await api(server, 'GET', '/api/agent/me', { cookie: res.cookie ?? '', headers: { 'x-forwarded-proto': 'https' } });
    expect(me.status).toBe(200);
  });

  it('answers a wrong password and an unknown email exactly alike', async () => {
    await createAgentAccount(server, { email: 'ann@shop.example' });
    const wrongPassword = await login(server, 'ann@shop.example', 'not the password at all');
    const unknownEmail = await login(server, 'nobody@shop.example', 'not the password at all');
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
    expect(wrongPassword.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(wrongPassword.cookie).toBeNull();
    expect(unknownEmail.cookie).toBeNull();
  });

  it('refuses a disabled account with the right password exactly as it refuses a wrong one', async () => {
    const bob = await createAgentAccount(server, { email: 'bob@shop.example' });
    await server.app.agentConsole.agents.update(bob.id, { disabled: true });
    const right = await login(server, bob.email, TEST_PASSWORD);
    const wrong = await login(server, bob.email, 'not the password at all');
    expect(right.status).toBe(401);
    expect(right.cookie).toBeNull();
    // An attacker must not learn that the password was right, nor that the account exists but is disabled.
    expect(right.body).toEqual(wrong.body);
    expect(right.status).toBe(wrong.status);
  });

  it('gives a new session id at every sign-in and ends the one the browser had', async () => {
    const ann = await createAgentAccount(server, { email: 'ann@shop.example' });
    const first = await signIn(server, ann);
    const second = await login(server, ann.email, ann.password, { cookie: first });
    expect(second.status).toBe(200);
    expect(second.cookie).not.toBeNull();
    expect(second.cookie).not.toBe(first);
    expect((await api(server, 'GET', '/api/agent/me', { cookie: first })).status).toBe(401);
    expect((await api(server, 'GET', '/api/agent/me', { cookie: second.cookie ?? '' })).status).toBe(200);
  });

  it('validates the sign-in body', async () => {
    const res = await api(server, 'POST', '/api/agent/login', { body: { email: 'not an email', password: '' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });
});

/** A clock the test moves on by hand: lock windows pass without waiting. */
function testClock(): { now(): number; advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

describe('login rate limit', () => {
  it('answers 429 after repeated wrong passwords, even to the right one, and lets it in after the window', async () => {
    const clock = testClock();
    const windowSeconds = 60;
    const local = await startTestServer({
      ollamaUrl: double.url,
      config: { agents: { loginWindowSeconds: windowSeconds } },
      clock,
    });
    try {
      const ann = await createAgentAccount(local, { email: 'ann@shop.example' });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await login(local, ann.email, `wrong password ${i}`)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(statuses.slice(5))).toEqual(new Set([429]));

      const locked = await login(local, ann.email, ann.password);
      expect(locked.status).toBe(429);
      expect(locked.cookie).toBeNull();
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(windowSeconds);
      expect(locked.body).toMatchObject({ ok: false, error: { code: 'rate-limited' } });

      // Tries while locked do not extend the lock: the right password gets in once the window ends.
      clock.advance((windowSeconds - 5) * 1000);
      expect((await login(local, ann.email, ann.password)).status).toBe(429);
      clock.advance(5 * 1000);
      const later = await login(local, ann.email, ann.password);
      expect(later.status).toBe(200);
      expect(later.cookie).not.toBeNull();
    } finally {
      await local.close();
    }
  });

  it('verifies at most a handful of parallel guesses: the right password hidden among 50 does not get in', async () => {
    const ann = await createAgentAccount(server, { email: 'ann@shop.example' });
    const guesses = Array.from({ length: 50 }, (_, i) => (i === 49 ? ann.password : `wrong password ${i}`));
    const results = await Promise.all(guesses.map((password) => login(server, ann.email, password)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(45);
    expect(results[49]?.status).toBe(429);
    expect(results.every((r) => r.cookie === null)).toBe(true);
  }, 60_000);

  it('does not lock the real agent out of their own address when others guess, and never locks for the whole window', async () => {
    const clock = testClock();
    const local = await startTestServer({
      ollamaUrl: double.url,
      config: { server: { trustProxy: 'loopback' } },
      clock,
    });
    // The proxy on loopback appends the address it saw: the test plays the proxy for several clients.
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    try {
      const ann = await createAgentAccount(local, { email: 'ann@shop.example' });
      const home = from('203.0.113.10');
      expect((await login(local, ann.email, ann.password, home)).status).toBe(200);

      // One address guessing: refused after 5 failures, for that address only.
      const attacker = from('198.51.100.1');
      const one: number[] = [];
      for (let i = 0; i < 8; i++) one.push((await login(local, ann.email, `wrong password ${i}`, attacker)).status);
      expect(one.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(one.slice(5))).toEqual(new Set([429]));
      expect((await login(local, ann.email, ann.password, home)).status).toBe(200);

      // Many addresses, one guess each: the account slows down (short Retry-After), it does not lock.
      const distributed: Array<{ status: number; retryAfter: number }> = [];
      for (let i = 0; i < 30; i++) {
        const res = await login(local, ann.email, `wrong password ${i}`, from(`192.0.2.${i + 1}`));
        distributed.push({ status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 0) });
      }
      const refused = distributed.filter((d) => d.status === 429);
      expect(refused.length).toBeGreaterThan(20);
      expect(Math.max(...refused.map((d) => d.retryAfter))).toBeLessThanOrEqual(60);
      expect(Math.min(...refused.map((d) => d.retryAfter))).toBeGreaterThan(0);

      // The real agent, from the address they signed in from before, gets in at once.
      expect((await login(local, ann.email, ann.password, home)).status).toBe(200);

      // After the announced wait a guess is checked again (401, not 429): slowed down, not locked out.
      clock.advance(60_000);
      expect((await login(local, ann.email, 'wrong password again', from('192.0.2.200'))).status).toBe(401);
      expect((await login(local, ann.email, 'wrong password again', from('192.0.2.201'))).status).toBe(429);
    } finally {
      await local.close();
    }
  }, 60_000);

  it('limits an address that tries many accounts, even for an account it never got wrong', async () => {
    const real = await createAgentAccount(server, { email: 'real@shop.example' });
    for (let account = 0; account < 4; account++) {
      for (let i = 0; i < 5; i++)
        expect((await login(server, `guess${account}@shop.example`, 'wrong password!')).status).toBe(401);
    }
    const res = await login(server, real.email, real.password);
    expect(res.status).toBe(429);
  }, 60_000);
});

describe('sign-out', () => {
  it('ends the session and closes that session’s sockets at once, leaving other sessions alone', async () => {
    const ann = await createAgentAccount(server, { email: 'ann@shop.example' });
    const laptop = await signIn(server, ann);
    const phone = await signIn(server, ann);
    const laptopSocket = await connectAgent(server, { cookie: laptop });
    const phoneSocket = await connectAgent(server, { cookie: phone });
    const ended = nextAgentEvent(laptopSocket, 'session:ended');
    const gone = disconnected(laptopSocket);

    const res = await api(server, 'POST', '/api/agent/logout', { cookie: laptop });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => /^aisle_agent=;/.test(c))).toBe(true);
    expect(await ended).toEqual({ reason: 'signed-out' });
    expect(await gone).toBe('io server disconnect');
    expect((await api(server, 'GET', '/api/agent/me', { cookie: laptop })).status).toBe(401);

    expect(phoneSocket.connected).toBe(true);
    expect((await api(server, 'GET', '/api/agent/me', { cookie: phone })).status).toBe(200);
    phoneSocket.close();
  });
});

describe('cross-site requests', () => {
  it('refuses state changes from a foreign Origin or marked cross-site, and accepts the server’s own origin', async () => {
    const ann = await createAgentAccount(server, { email: 'ann@shop.example', role: 'admin' });
    const cookie = await signIn(server, ann);
    const own = new URL(server.url).origin;

    const foreignLogin = await login(server, ann.email, ann.password, { headers: { origin: 'http://evil.example' } });
    expect(foreignLogin.status).toBe(403);
    expect(foreignLogin.cookie).toBeNull();
    const crossSiteLogin = await login(server, ann.email, ann.password, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSiteLogin.status).toBe(403);

    const newAgent = { email: 'carl@shop.example', name: 'Carl', role: 'agent', password: 'a long enough password' };
    const foreign = await api(server, 'POST', '/api/agent/agents', {
      cookie,
      body: newAgent,
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const crossSite = await api(server, 'POST', '/api/agent/agents', {
      cookie,
      body: newAgent,
      headers: { 'sec-fetch-site': 'cross-site', origin: own },
    });
    expect(crossSite.status).toBe(403);
    const crossSiteLogout = await api(server, 'POST', '/api/agent/logout', {
      cookie,
      headers: { origin: 'http://evil.example' },
    });
    expect(crossSiteLogout.status).toBe(403);
    expect((await api(server, 'GET', '/api/agent/me', { cookie })).status).toBe(200);

    const list = await api<{ agents: Agent[] }>(server, 'GET', '/api/agent/agents', { cookie });
    expect(list.body.ok && list.body.data.agents.map((a) => a.email)).toEqual(['ann@shop.example']);

    const sameOrigin = await api(server, 'POST', '/api/agent/agents', {
      cookie,
      body: newAgent,
      headers: { origin: own, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(201);
  });
});
