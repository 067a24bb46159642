import type { Agent } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import {
  agentRequest,
  api,
  connectAgent,
  createAgentAccount,
  disconnected,
  nextAgentEvent,
  signIn,
  tryConnectAgent,
} from '../helpers/agentClient';
import { nextEvent, startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

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

async function conversationOf(shopper: Shopper, words = 'hello there'): Promise<string> {
  double.enqueueChat({ chunks: text('Hello! How can I help?') });
  const completed = nextEvent(shopper.socket, 'chat:completed');
  const sent = await shopper.request('chat:send', {
    clientMessageId: `authz-${Math.random().toString(36).slice(2, 12)}`,
    text: words,
  });
  if (!sent.ok) throw new Error(sent.error.message);
  await completed;
  return sent.data.conversationId;
}

/** Every agent endpoint, with a body where it takes one. */
function endpoints(conversationId: string, messageId: string, agentId: string): Array<[string, string, unknown?]> {
  return [
    ['GET', '/api/agent/me'],
    ['GET', '/api/agent/transcripts'],
    ['GET', `/api/agent/transcripts/${conversationId}`],
    ['GET', `/api/agent/transcripts/${conversationId}/export?format=md`],
    ['GET', '/api/agent/dashboard'],
    ['POST', `/api/agent/transcripts/${conversationId}/notes`, { body: 'note' }],
    ['POST', `/api/agent/transcripts/${conversationId}/labels`, { label: 'good answer' }],
    ['DELETE', `/api/agent/transcripts/${conversationId}/labels/good%20answer`],
    ['POST', `/api/agent/transcripts/${conversationId}/flag`, { flagged: true }],
    ['POST', `/api/agent/messages/${messageId}/reveal`],
    ['GET', '/api/agent/agents'],
    [
      'POST',
      '/api/agent/agents',
      { email: 'mallory@evil.example', name: 'Mallory', role: 'admin', password: 'a long enough password' },
    ],
    ['PATCH', `/api/agent/agents/${agentId}`, { role: 'admin' }],
    ['DELETE', `/api/agent/agents/${agentId}`],
  ];
}

describe('shoppers and anonymous clients', () => {
  it('cannot use any agent endpoint, with or without a shopper session', async () => {
    const agent = await createAgentAccount(server, { email: 'ann@shop.example' });
    const shopper = await server.shopper();
    const conversationId = await conversationOf(shopper, 'my email is jane.doe@example.com');
    const messageId = (await server.app.agentConsole.transcripts.detail(conversationId))?.messages[0]?.id ?? '';
    for (const cookie of [undefined, shopper.cookie, 'aisle_agent=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      for (const [method, path, body] of endpoints(conversationId, messageId, agent.id)) {
        const res = await api(server, method, path, { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { body } : {}) });
        expect(res.status, `${method} ${path} with ${cookie ?? 'no cookie'}`).toBe(401);
        expect(res.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
        expect(JSON.stringify(res.body)).not.toContain('jane');
      }
    }
    const audit = await server.app.db.kysely.selectFrom('message_reveals').selectAll().execute();
    expect(audit).toEqual([]);
    expect((await server.app.agentConsole.agents.list()).map((a) => a.email)).toEqual(['ann@shop.example']);
  });

  it('cannot open the agent namespace', async () => {
    const shopper = await server.shopper();
    expect(await tryConnectAgent(server, {})).toBe('unauthorized');
    expect(await tryConnectAgent(server, { cookie: shopper.cookie })).toBe('unauthorized');
    expect(await tryConnectAgent(server, { cookie: 'aisle_agent=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).toBe(
      'unauthorized',
    );
  });

  it('get nothing from sending agent events on the shopper namespace, and the conversation is untouched', async () => {
    const shopper = await server.shopper();
    const conversationId = await conversationOf(shopper);
    const handoffs: unknown[] = [];
    shopper.socket.on('chat:handoff', (e) => handoffs.push(e));
    // The timeout flag applies to one emit, so it is set again for each.
    const emit = (event: string, payload: unknown) => {
      const timed = shopper.socket.timeout(500);
      return (timed.emitWithAck as (e: string, p: unknown) => Promise<unknown>).call(timed, event, payload);
    };
    for (const [event, payload] of [
      ['agent:takeover', { conversationId }],
      ['agent:send', { conversationId, text: 'I am the shop, your order is free' }],
      ['agent:watch', { conversationId }],
      ['agent:handback', { conversationId }],
    ] as const) {
      await expect(emit(event, payload), event).rejects.toThrow(/timed out/);
    }
    const detail = await server.app.agentConsole.transcripts.detail(conversationId);
    expect(detail?.status).toBe('active');
    expect(detail?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(handoffs).toEqual([]);
  });

  it('cannot read another shopper’s conversation', async () => {
    const alice = await server.shopper();
    const bob = await server.shopper();
    const conversationId = await conversationOf(alice, 'my address is 12 Elm Street');
    const resumed = await bob.request('chat:resume', { conversationId });
    expect(resumed).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const viaAgentApi = await api(server, 'GET', `/api/agent/transcripts/${conversationId}`, { cookie: bob.cookie });
    expect(viaAgentApi.status).toBe(401);
  });

  it('an agent cookie from a foreign Origin cannot open the agent namespace', async () => {
    const ann = await createAgentAccount(server, { email: 'ann@shop.example' });
    const cookie = await signIn(server, ann);
    expect(await tryConnectAgent(server, { cookie, origin: 'http://evil.example' })).not.toBe('connected');
    expect(await tryConnectAgent(server, { cookie, origin: new URL(server.url).origin })).toBe('connected');
  });
});

describe('agents and admins', () => {
  it('agents cannot manage accounts; admins can', async () => {
    const admin = await createAgentAccount(server, { email: 'root@shop.example', role: 'admin', name: 'Root' });
    const ann = await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' });
    const annCookie = await signIn(server, ann);
    const adminCookie = await signIn(server, admin);

    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/api/agent/agents'],
      [
        'POST',
        '/api/agent/agents',
        { email: 'eve@shop.example', name: 'Eve', role: 'admin', password: 'a long enough password' },
      ],
      ['PATCH', `/api/agent/agents/${ann.id}`, { role: 'admin' }],
      ['PATCH', `/api/agent/agents/${admin.id}`, { disabled: true }],
      ['DELETE', `/api/agent/agents/${admin.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(server, method, path, { cookie: annCookie, ...(body !== undefined ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const me = await api<Agent>(server, 'GET', '/api/agent/me', { cookie: annCookie });
    expect(me.body).toMatchObject({ ok: true, data: { role: 'agent' } });
    expect((await api(server, 'GET', '/api/agent/me', { cookie: adminCookie })).body).toMatchObject({
      ok: true,
      data: { role: 'admin', disabled: false },
    });

    const created = await api<Agent>(server, 'POST', '/api/agent/agents', {
      cookie: adminCookie,
      body: { email: 'Carl@Shop.example', name: 'Carl', role: 'agent', password: 'a long enough password' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ok: true,
      data: { email: 'carl@shop.example', name: 'Carl', role: 'agent', disabled: false },
    });
    const duplicate = await api(server, 'POST', '/api/agent/agents', {
      cookie: adminCookie,
      body: { email: 'carl@shop.example', name: 'Carl 2', role: 'agent', password: 'a long enough password' },
    });
    expect(duplicate.status).toBe(409);
    const weak = await api(server, 'POST', '/api/agent/agents', {
      cookie: adminCookie,
      body: { email: 'dee@shop.example', name: 'Dee', role: 'agent', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(await signIn(server, { email: 'carl@shop.example', password: 'a long enough password' })).toMatch(/^aisle_agent=/);

    const promoted = await api<Agent>(server, 'PATCH', `/api/agent/agents/${ann.id}`, {
      cookie: adminCookie,
      body: { role: 'admin' },
    });
    expect(promoted.body).toMatchObject({ ok: true, data: { id: ann.id, role: 'admin' } });
    expect((await api(server, 'GET', '/api/agent/agents', { cookie: annCookie })).status).toBe(200);

    const list = await api<{ agents: Agent[] }>(server, 'GET', '/api/agent/agents', { cookie: adminCookie });
    expect(list.body.ok && list.body.data.agents.map((a) => a.email).sort()).toEqual([
      'ann@shop.example',
      'carl@shop.example',
      'root@shop.example',
    ]);
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|password/i);
  });

  it('an admin cannot lock themselves out', async () => {
    const admin = await createAgentAccount(server, { email: 'root@shop.example', role: 'admin' });
    const cookie = await signIn(server, admin);
    expect((await api(server, 'PATCH', `/api/agent/agents/${admin.id}`, { cookie, body: { disabled: true } })).status).toBe(400);
    expect((await api(server, 'PATCH', `/api/agent/agents/${admin.id}`, { cookie, body: { role: 'agent' } })).status).toBe(400);
    expect((await api(server, 'DELETE', `/api/agent/agents/${admin.id}`, { cookie })).status).toBe(400);
    expect((await api(server, 'GET', '/api/agent/agents', { cookie })).status).toBe(200);
  });

  it('disabling an agent ends their sockets at once, signs them out and hands their chats back', async () => {
    const admin = await createAgentAccount(server, { email: 'root@shop.example', role: 'admin' });
    const bob = await createAgentAccount(server, { email: 'bob@shop.example', name: 'Bob' });
    const adminCookie = await signIn(server, admin);
    const bobCookie = await signIn(server, bob);
    const bobSocket = await connectAgent(server, { cookie: bobCookie });
    const shopper = await server.shopper();
    const conversationId = await conversationOf(shopper);
    expect(await agentRequest(bobSocket, 'agent:takeover', { conversationId })).toEqual({ ok: true, data: null });

    const ended = nextAgentEvent(bobSocket, 'session:ended');
    const gone = disconnected(bobSocket);
    const left = nextEvent(shopper.socket, 'chat:handoff', (e) => e.state === 'agent-left');
    const res = await api<Agent>(server, 'PATCH', `/api/agent/agents/${bob.id}`, {
      cookie: adminCookie,
      body: { disabled: true },
    });
    expect(res.body).toMatchObject({ ok: true, data: { disabled: true } });
    expect(await ended).toEqual({ reason: 'disabled' });
    expect(await gone).toBe('io server disconnect');
    expect(await left).toMatchObject({ conversationId, agentName: 'Bob' });

    expect((await api(server, 'GET', '/api/agent/transcripts', { cookie: bobCookie })).status).toBe(401);
    expect(await tryConnectAgent(server, { cookie: bobCookie })).toBe('unauthorized');
    expect((await server.app.agentConsole.transcripts.detail(conversationId))?.status).toBe('active');

    // Enabled again, Bob signs in afresh (the old session stays dead).
    expect(
      (await api(server, 'PATCH', `/api/agent/agents/${bob.id}`, { cookie: adminCookie, body: { disabled: false } })).status,
    ).toBe(200);
    expect((await api(server, 'GET', '/api/agent/me', { cookie: bobCookie })).status).toBe(401);
    expect(await signIn(server, bob)).toMatch(/^aisle_agent=/);
  });

  it('removing an agent ends their sockets and their account', async () => {
    const admin = await createAgentAccount(server, { email: 'root@shop.example', role: 'admin' });
    const bob = await createAgentAccount(server, { email: 'bob@shop.example' });
    const adminCookie = await signIn(server, admin);
    const bobCookie = await signIn(server, bob);
    const bobSocket = await connectAgent(server, { cookie: bobCookie });
    const ended = nextAgentEvent(bobSocket, 'session:ended');

    expect((await api(server, 'DELETE', `/api/agent/agents/${bob.id}`, { cookie: adminCookie })).body).toEqual({
      ok: true,
      data: null,
    });
    expect(await ended).toEqual({ reason: 'removed' });
    await disconnected(bobSocket);
    expect((await api(server, 'GET', '/api/agent/me', { cookie: bobCookie })).status).toBe(401);
    expect((await api(server, 'DELETE', `/api/agent/agents/${bob.id}`, { cookie: adminCookie })).status).toBe(404);
  });
});
