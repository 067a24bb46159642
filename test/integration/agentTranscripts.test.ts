import type { Dashboard, TranscriptDetail, TranscriptRow } from '@aisle/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { nextEvent, startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

type Page = { transcripts: TranscriptRow[]; total: number; page: number; pageSize: number };

let double: OllamaDouble;
let server: TestServer;
let cookie: string;
let shoes: { conversationId: string; answerId: string };
let grinder: { conversationId: string; failedId: string; retriedId: string };
let bobShopper: Shopper;
const SHOES_TEXT = 'Waterproof trail shoes under $120, size 44. Mail me at jane.doe@example.com or call +44 7700 900123';

let counter = 0;
async function send(
  shopper: Shopper,
  words: string,
  conversationId?: string,
): Promise<{ conversationId: string; answerId: string; status: string }> {
  const finished = Promise.race([nextEvent(shopper.socket, 'chat:completed'), nextEvent(shopper.socket, 'chat:failed')]);
  const sent = await shopper.request('chat:send', {
    clientMessageId: `transcripts-${++counter}-xyz`,
    text: words,
    ...(conversationId ? { conversationId } : {}),
  });
  if (!sent.ok) throw new Error(sent.error.message);
  const done = await finished;
  return { conversationId: sent.data.conversationId, answerId: sent.data.assistantMessageId, status: done.message.status };
}

async function list(query: Record<string, string> = {}): Promise<Page> {
  const res = await api<Page>(server, 'GET', `/api/agent/transcripts?${new URLSearchParams(query)}`, { cookie });
  if (!res.body.ok) throw new Error(`${res.status} ${res.body.error.message}`);
  return res.body.data;
}
const ids = (page: Page) => page.transcripts.map((t) => t.id);

async function detail(id: string): Promise<TranscriptDetail> {
  const res = await api<TranscriptDetail>(server, 'GET', `/api/agent/transcripts/${id}`, { cookie });
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.data;
}

const today = () => new Date().toISOString().slice(0, 10);
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
  cookie = await signIn(server, await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' }));

  // Conversation 1: a grounded answer after a model tool call, thumbs down, then a request for a person.
  const alice = await server.shopper();
  double.enqueueChat(
    { toolCalls: [{ name: 'search_products', arguments: { query: 'trail shoe', max_price: 120 } }] },
    { chunks: text('Try the Ridgeback Waterproof Trail Shoe at $109.99.') },
  );
  const first = await send(alice, SHOES_TEXT);
  shoes = { conversationId: first.conversationId, answerId: first.answerId };
  const fb = await alice.request('chat:feedback', {
    conversationId: shoes.conversationId,
    messageId: shoes.answerId,
    rating: 'down',
    comment: 'Too pricey',
  });
  if (!fb.ok) throw new Error(fb.error.message);

  // Conversation 2: an answer that fails, then a retry that searches for something the shop lacks.
  const bob = await server.shopper();
  bobShopper = bob;
  double.enqueueChat({ status: 500, error: 'model runner crashed' });
  const failed = await send(bob, 'a quiet coffee grinder <b>please</b>');
  expect(failed.status).toBe('error');
  double.enqueueChat(
    { toolCalls: [{ name: 'search_products', arguments: { query: 'unicorn saddle' } }] },
    { chunks: text('We do not sell unicorn saddles, but the Quietburr grinder is quiet.') },
  );
  const retried = nextEvent(bob.socket, 'chat:completed');
  const retry = await bob.request('chat:retry', { conversationId: failed.conversationId, messageId: failed.answerId });
  if (!retry.ok) throw new Error(retry.error.message);
  await retried;
  grinder = { conversationId: failed.conversationId, failedId: failed.answerId, retriedId: retry.data.assistantMessageId };
});
afterAll(async () => {
  await server.close();
  await double.close();
});

describe('transcript list', () => {
  it('lists every conversation, latest activity first, with the row facts and the first message masked', async () => {
    const page = await list();
    expect(page).toMatchObject({ total: 2, page: 1, pageSize: 25 });
    expect(ids(page)).toEqual([grinder.conversationId, shoes.conversationId]);
    const row = page.transcripts.find((t) => t.id === shoes.conversationId);
    expect(row).toEqual({
      id: shoes.conversationId,
      firstMessage: 'Waterproof trail shoes under $120, size 44. Mail me at j***@example.com or call +44 *** *** 0123',
      messageCount: 2,
      model: server.config.config.chat.model,
      status: 'active',
      lastActivity: expect.any(String),
      createdAt: expect.any(String),
      feedback: { up: 0, down: 1 },
      labels: [],
      flagged: false,
      hasError: false,
      highlight: null,
    });
    expect(page.transcripts.find((t) => t.id === grinder.conversationId)).toMatchObject({
      hasError: true,
      messageCount: 2,
      feedback: { up: 0, down: 0 },
    });
  });

  it('pages through the list', async () => {
    const second = await list({ pageSize: '1', page: '2' });
    expect(second).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(ids(second)).toEqual([shoes.conversationId]);
    expect(ids(await list({ pageSize: '1', page: '3' }))).toEqual([]);
  });

  it('filters by feedback, error, model and date range', async () => {
    expect(ids(await list({ feedback: 'down' }))).toEqual([shoes.conversationId]);
    expect(ids(await list({ feedback: 'up' }))).toEqual([]);
    expect(ids(await list({ feedback: 'none' }))).toEqual([grinder.conversationId]);
    expect(ids(await list({ hadError: 'true' }))).toEqual([grinder.conversationId]);
    expect(ids(await list({ hadError: 'false' }))).toEqual([shoes.conversationId]);
    expect(ids(await list({ model: server.config.config.chat.model }))).toHaveLength(2);
    expect(ids(await list({ model: 'llama3.2:1b' }))).toEqual([]);
    expect(ids(await list({ from: today(), to: today() }))).toHaveLength(2);
    expect(ids(await list({ from: dayOffset(1) }))).toEqual([]);
    expect(ids(await list({ to: dayOffset(-1) }))).toEqual([]);
  });

  it('refuses filters it cannot read', async () => {
    const queries: Array<Record<string, string>> = [
      { from: 'last tuesday' },
      { status: 'sleeping' },
      { pageSize: '1000' },
      { flagged: 'maybe' },
    ];
    for (const query of queries) {
      const res = await api(server, 'GET', `/api/agent/transcripts?${new URLSearchParams(query)}`, { cookie });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });

  it('searches message text and highlights hits, escaped, with personal data still masked', async () => {
    const ridgeback = await list({ q: 'ridgeback' });
    expect(ids(ridgeback)).toEqual([shoes.conversationId]);
    expect(ridgeback.transcripts[0]?.highlight).toBe('Try the <mark>Ridgeback</mark> Waterproof Trail Shoe at $109.99.');

    const quiet = await list({ q: 'please' });
    expect(ids(quiet)).toEqual([grinder.conversationId]);
    expect(quiet.transcripts[0]?.highlight).toBe('a quiet coffee grinder &lt;b&gt;<mark>please</mark>&lt;/b&gt;');

    // Stemming and prefixes: "saddle" finds "saddles"; "unic" finds "unicorn".
    expect(ids(await list({ q: 'saddle' }))).toEqual([grinder.conversationId]);
    expect(ids(await list({ q: 'unic' }))).toEqual([grinder.conversationId]);

    const byEmail = await list({ q: 'jane' });
    expect(ids(byEmail)).toEqual([shoes.conversationId]);
    expect(byEmail.transcripts[0]?.highlight).toContain('<mark>j***@example.com</mark>');
    expect(JSON.stringify(byEmail)).not.toContain('jane');

    // FTS syntax in the search box is just text.
    expect(ids(await list({ q: '" OR * NEAR( AND' }))).toEqual([]);
    expect(ids(await list({ q: 'ridgeback', hadError: 'true' }))).toEqual([]);
  });
});

describe('transcript detail', () => {
  it('shows every message with the answer’s grounding trace and the shopper’s feedback', async () => {
    const t = await detail(shoes.conversationId);
    expect(t).toMatchObject({
      id: shoes.conversationId,
      status: 'active',
      flagged: false,
      labels: [],
      takenOverBy: null,
      notes: [],
    });
    expect(t.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    const [question, answer] = t.messages;
    expect(question).toMatchObject({ isMasked: true, trace: null, completedAt: expect.any(String) });
    expect(question?.content).not.toContain('jane');
    expect(answer).toMatchObject({
      content: 'Try the Ridgeback Waterproof Trail Shoe at $109.99.',
      status: 'complete',
      isMasked: false,
      feedback: { rating: 'down', comment: 'Too pricey' },
    });
    const trace = answer?.trace;
    expect(trace).toMatchObject({
      model: server.config.config.chat.model,
      configVersion: server.config.version,
      doneReason: 'stop',
      firstTokenMs: expect.any(Number),
      totalMs: expect.any(Number),
      promptTokens: expect.any(Number),
      completionTokens: expect.any(Number),
    });
    const modelCall = trace?.toolCalls.find((c) => c.origin === 'model');
    expect(modelCall).toMatchObject({ name: 'search_products', arguments: { query: 'trail shoe', max_price: 120 }, error: null });
    const ridgeback = modelCall?.products.find((p) => p.id.startsWith('TRL-100-'));
    expect(ridgeback).toEqual({
      id: expect.stringMatching(/^TRL-100-4[24]$/),
      title: 'Ridgeback Waterproof Trail Shoe',
      priceMinor: 10999,
      salePriceMinor: null,
      currency: 'USD',
      availability: 'in_stock',
      stock: 10,
    });
  });

  it('keeps an answer that a retry replaced, with its error', async () => {
    const t = await detail(grinder.conversationId);
    expect(t.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'error'],
      ['assistant', 'complete'],
    ]);
    expect(t.messages[1]).toMatchObject({ id: grinder.failedId, error: { code: expect.any(String) } });
    expect(t.messages[2]?.id).toBe(grinder.retriedId);
    expect(t.messages[2]?.trace?.toolCalls.find((c) => c.origin === 'model')).toMatchObject({
      arguments: { query: 'unicorn saddle' },
      products: [],
    });
  });

  it('answers 404 for a conversation that does not exist', async () => {
    const res = await api(server, 'GET', '/api/agent/transcripts/00000000-0000-4000-8000-000000000000', { cookie });
    expect(res.status).toBe(404);
  });
});

describe('notes, labels, flags', () => {
  it('adds notes and labels, flags for review, and the list filters on them', async () => {
    const id = shoes.conversationId;
    const note = await api<{ id: string; body: string; agentName: string }>(
      server,
      'POST',
      `/api/agent/transcripts/${id}/notes`,
      { cookie, body: { body: 'Recommended a shoe over budget?' } },
    );
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ ok: true, data: { body: 'Recommended a shoe over budget?', agentName: 'Ann' } });
    expect((await api(server, 'POST', `/api/agent/transcripts/${id}/notes`, { cookie, body: { body: '   ' } })).status).toBe(400);

    for (const label of ['wrong price', 'ignored budget']) {
      expect((await api(server, 'POST', `/api/agent/transcripts/${id}/labels`, { cookie, body: { label } })).status).toBe(200);
    }
    const removed = await api<{ labels: string[] }>(
      server,
      'DELETE',
      `/api/agent/transcripts/${id}/labels/${encodeURIComponent('wrong price')}`,
      { cookie },
    );
    expect(removed.body).toEqual({ ok: true, data: { labels: ['ignored budget'] } });
    expect((await api(server, 'POST', `/api/agent/transcripts/${id}/flag`, { cookie, body: { flagged: true } })).body).toEqual({
      ok: true,
      data: { flagged: true },
    });

    const t = await detail(id);
    expect(t).toMatchObject({
      flagged: true,
      labels: ['ignored budget'],
      notes: [{ body: 'Recommended a shoe over budget?', agentName: 'Ann', createdAt: expect.any(String) }],
    });
    expect(ids(await list({ label: 'ignored budget' }))).toEqual([id]);
    expect(ids(await list({ label: 'wrong price' }))).toEqual([]);
    expect(ids(await list({ flagged: 'true' }))).toEqual([id]);
    expect(ids(await list({ flagged: 'false' }))).toEqual([grinder.conversationId]);

    expect((await api(server, 'POST', `/api/agent/transcripts/${id}/flag`, { cookie, body: { flagged: false } })).status).toBe(
      200,
    );
    expect(ids(await list({ flagged: 'true' }))).toEqual([]);
    expect((await api(server, 'POST', '/api/agent/transcripts/nope/labels', { cookie, body: { label: 'x' } })).status).toBe(404);
  });

  it('filters by hand-off status', async () => {
    expect(ids(await list({ status: 'active' }))).toHaveLength(2);
    expect(ids(await list({ status: 'waiting' }))).toEqual([]);
    const asked = await bobShopper.request('chat:request-human', { conversationId: grinder.conversationId });
    expect(asked.ok).toBe(true);
    expect(ids(await list({ status: 'waiting' }))).toEqual([grinder.conversationId]);
    expect(ids(await list({ status: 'active' }))).toEqual([shoes.conversationId]);
    expect(ids(await list({ status: 'taken_over' }))).toEqual([]);
    expect(ids(await list({ status: 'ended' }))).toEqual([]);
    expect((await detail(grinder.conversationId)).status).toBe('waiting');
  });
});

describe('export', () => {
  it('downloads a masked transcript as JSON and as readable Markdown', async () => {
    const json = await fetch(`${server.url}/api/agent/transcripts/${shoes.conversationId}/export?format=json`, {
      headers: { cookie },
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="?transcript-${shoes.conversationId}\\.json"?$`),
    );
    const body = await json.text();
    expect(body).not.toContain('jane.doe');
    expect(body).not.toContain('7700 900123');
    expect((JSON.parse(body) as TranscriptDetail).messages).toHaveLength(2);

    const md = await fetch(`${server.url}/api/agent/transcripts/${shoes.conversationId}/export?format=md`, {
      headers: { cookie },
    });
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="?transcript-${shoes.conversationId}\\.md"?$`),
    );
    const text = await md.text();
    expect(text).toContain(`# Transcript ${shoes.conversationId}`);
    expect(text).toContain('### Shopper');
    expect(text).toContain('> Waterproof trail shoes under $120, size 44. Mail me at j***@example.com');
    expect(text).toContain('`search_products` {"query":"trail shoe","max_price":120}');
    expect(text).toMatch(/TRL-100-4[24]: Ridgeback Waterproof Trail Shoe, \$109\.99, in_stock, stock 10/);
    expect(text).toContain('Shopper feedback: thumbs down: "Too pricey"');
    expect(text).not.toContain('jane.doe');

    expect(
      (await api(server, 'GET', `/api/agent/transcripts/${shoes.conversationId}/export?format=pdf`, { cookie })).status,
    ).toBe(400);
  });
});

describe('revealing a masked message', () => {
  it('returns the original text and records who saw it, while the transcript stays masked', async () => {
    const question = (await detail(shoes.conversationId)).messages[0];
    if (!question) throw new Error('no message');
    const res = await api<{ messageId: string; content: string }>(server, 'POST', `/api/agent/messages/${question.id}/reveal`, {
      cookie,
    });
    expect(res.body).toEqual({ ok: true, data: { messageId: question.id, content: SHOES_TEXT } });

    const audit = await server.app.db.kysely
      .selectFrom('message_reveals')
      .selectAll()
      .where('message_id', '=', question.id)
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({
        agent_email: 'ann@shop.example',
        conversation_id: shoes.conversationId,
        revealed_at: expect.any(String),
      }),
    ]);
    expect((await detail(shoes.conversationId)).messages[0]?.content).not.toContain('jane');
    expect((await api(server, 'POST', '/api/agent/messages/nope/reveal', { cookie })).status).toBe(404);
  });
});

describe('dashboard', () => {
  it('charts conversations, answers, feedback, first-token times, errors and searches that found nothing', async () => {
    const res = await api<Dashboard>(server, 'GET', `/api/agent/dashboard?from=${dayOffset(-6)}&to=${today()}`, { cookie });
    if (!res.body.ok) throw new Error(res.body.error.message);
    const d = res.body.data;
    const model = server.config.config.chat.model;
    expect(d.from).toBe(dayOffset(-6));
    expect(d.to).toBe(today());
    expect(d.conversationsPerDay).toHaveLength(7);
    expect(d.conversationsPerDay.at(-1)).toEqual({ day: today(), count: 2 });
    expect(d.conversationsPerDay[0]).toEqual({ day: dayOffset(-6), count: 0 });
    expect(d.answersPerModel).toEqual([{ model, count: 3 }]);
    expect(d.thumbsUpRatePerModel).toEqual([{ model, up: 0, down: 1, rate: 0 }]);
    expect(d.firstTokenMsPerModel).toEqual([{ model, p50: expect.any(Number), p95: expect.any(Number) }]);
    expect(d.errorRatePerDay.at(-1)).toEqual({ day: today(), answers: 3, errors: 1, rate: 1 / 3 });
    expect(d.zeroResultSearches).toEqual([{ query: 'unicorn saddle', count: 1 }]);

    const bad = await api(server, 'GET', `/api/agent/dashboard?from=${today()}&to=${dayOffset(-3)}`, { cookie });
    expect(bad.status).toBe(400);
  });
});

describe('retention', () => {
  it('deletes conversations idle for longer than the retention period, with their messages and index', async () => {
    const local = await startTestServer({ ollamaUrl: double.url });
    try {
      const localCookie = await signIn(local, await createAgentAccount(local, { email: 'ann@shop.example' }));
      const shopper = await local.shopper();
      double.enqueueChat({ chunks: text('Old answer about galoshes.') });
      const old = await send(shopper, 'galoshes from long ago');
      double.enqueueChat({ chunks: text('New answer about galoshes.') });
      const recent = await send(shopper, 'galoshes today');
      const longAgo = new Date(Date.now() - 40 * 86_400_000).toISOString();
      await local.app.db.kysely
        .updateTable('conversations')
        .set({ updated_at: longAgo, created_at: longAgo })
        .where('id', '=', old.conversationId)
        .execute();

      const purged = await local.app.agentConsole.purgeOlderThan(30);
      expect(purged.conversations).toBe(1);
      const page = await api<Page>(local, 'GET', '/api/agent/transcripts?q=galoshes', { cookie: localCookie });
      expect(page.body.ok && page.body.data.transcripts.map((t) => t.id)).toEqual([recent.conversationId]);
      expect((await api(local, 'GET', `/api/agent/transcripts/${old.conversationId}`, { cookie: localCookie })).status).toBe(404);
      const leftovers = await local.app.db.kysely
        .selectFrom('messages')
        .select('id')
        .where('conversation_id', '=', old.conversationId)
        .execute();
      expect(leftovers).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
