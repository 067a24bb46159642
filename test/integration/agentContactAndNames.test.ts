import type { Agent, TranscriptDetail, TranscriptRow } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { ask } from '../helpers/chatFlows';
import { startTestServer, type TestServer } from '../helpers/testServer';

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

/** Two conversations: one where the shopper left an email for a reply, one without. */
async function conversations(): Promise<{ withEmail: string; without: string }> {
  double.enqueueChat({ chunks: text('Here are some jackets.') }, { chunks: text('Here are some boots.') });
  const jane = await server.shopper();
  const { conversationId: withEmail } = await ask(jane, 'Can a person help me with a return?');
  const left = await jane.request('chat:leave-email', {
    conversationId: withEmail,
    email: 'jane.doe@example.com',
    note: 'Order 1234',
  });
  expect(left.ok).toBe(true);
  const bob = await server.shopper();
  const { conversationId: without } = await ask(bob, 'Show me boots');
  return { withEmail, without };
}

describe('the contact email a shopper left', () => {
  it('is masked in the transcript; revealing it returns the address and records who saw what', async () => {
    const { withEmail, without } = await conversations();
    const ann = await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' });
    const cookie = await signIn(server, ann);

    const detail = await api<TranscriptDetail>(server, 'GET', `/api/agent/transcripts/${withEmail}`, { cookie });
    if (!detail.body.ok) throw new Error(detail.body.error.message);
    expect(detail.body.data.contact?.email).toBe('j***@example.com');

    // Nobody signed in learns nothing, and no audit row is written for them.
    const anonymous = await api(server, 'POST', `/api/agent/transcripts/${withEmail}/contact/reveal`);
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(anonymous.body)).not.toContain('jane.doe');

    const revealed = await api(server, 'POST', `/api/agent/transcripts/${withEmail}/contact/reveal`, { cookie });
    expect(revealed.body).toEqual({
      ok: true,
      data: { conversationId: withEmail, email: 'jane.doe@example.com', note: 'Order 1234' },
    });
    const audit = await server.app.db.kysely.selectFrom('message_reveals').selectAll().execute();
    expect(audit).toEqual([
      expect.objectContaining({ conversation_id: withEmail, agent_email: 'ann@shop.example', revealed: 'contact-email' }),
    ]);

    // No email, nothing to reveal.
    expect((await api(server, 'POST', `/api/agent/transcripts/${without}/contact/reveal`, { cookie })).status).toBe(404);
  });

  it('filters the list to conversations waiting for a reply by email', async () => {
    const { withEmail, without } = await conversations();
    const cookie = await signIn(server, await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' }));
    const list = async (query: string) => {
      const res = await api<{ transcripts: TranscriptRow[] }>(server, 'GET', `/api/agent/transcripts?${query}`, { cookie });
      if (!res.body.ok) throw new Error(res.body.error.message);
      return res.body.data.transcripts.map((t) => t.id);
    };
    expect(await list('awaitingEmail=true')).toEqual([withEmail]);
    expect(await list('awaitingEmail=false')).toEqual([without]);
    expect((await api(server, 'GET', '/api/agent/transcripts?awaitingEmail=maybe', { cookie })).status).toBe(400);
  });
});

describe('display names', () => {
  it('an admin renames an agent (1 to 60 characters); the list and their own session show the new name', async () => {
    const admin = await createAgentAccount(server, { email: 'boss@shop.example', name: 'Boss', role: 'admin' });
    const ann = await createAgentAccount(server, { email: 'ann@shop.example', name: 'ann' });
    const adminCookie = await signIn(server, admin);
    const annCookie = await signIn(server, ann);
    const rename = (name: string, cookie = adminCookie) =>
      api<Agent>(server, 'PATCH', `/api/agent/agents/${ann.id}`, { cookie, body: { name } });

    expect((await rename('   ')).status).toBe(400);
    expect((await rename('x'.repeat(61))).status).toBe(400);
    // An agent cannot rename anyone, themselves included.
    expect((await rename('Queen Ann', annCookie)).status).toBe(403);

    const renamed = await rename('  Ann from Support ');
    expect(renamed.body).toMatchObject({ ok: true, data: { id: ann.id, name: 'Ann from Support' } });
    const listed = await api<{ agents: Agent[] }>(server, 'GET', '/api/agent/agents', { cookie: adminCookie });
    if (!listed.body.ok) throw new Error(listed.body.error.message);
    expect(listed.body.data.agents.find((a) => a.id === ann.id)?.name).toBe('Ann from Support');
    const me = await api<Agent>(server, 'GET', '/api/agent/me', { cookie: annCookie });
    expect(me.body).toMatchObject({ ok: true, data: { name: 'Ann from Support' } });
  });
});
