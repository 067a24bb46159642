import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { answerEnd } from '../helpers/chatFlows';
import { startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

let double: OllamaDouble | undefined;
let server: TestServer | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await server?.close();
  await double?.close();
  server = undefined;
  double = undefined;
  for (const c of cleanups.splice(0)) await c();
});

const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample in Prometheus text: `name{labels} value`; labels must match exactly (any order). */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => found[k] === v))
      return Number(m[3]);
  }
  return undefined;
}

async function scrape(init?: RequestInit): Promise<string> {
  if (!server) throw new Error('no server');
  const res = await fetch(`${server.url}/metrics`, init);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function ask(shopper: Shopper, words: string, id: string) {
  // The answer's id is known once the send is acknowledged; its end may already be on the way.
  const sent: { messageId?: string } = {};
  const end = answerEnd(shopper.socket, () => sent.messageId);
  const reply = await shopper.request('chat:send', { clientMessageId: id, text: words });
  if (!reply.ok) throw new Error(reply.error.message);
  sent.messageId = reply.data.assistantMessageId;
  return { reply: reply.data, end: await end };
}

describe('GET /metrics', () => {
  it('counts an answer by outcome, model and host, with first-token, duration, speed and search figures', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { metrics: { enabled: true } } });
    const before = await scrape();
    expect(sample(before, 'aisle_active_streams')).toBe(0);
    expect(sample(before, 'aisle_queue_depth', { host: 'none' })).toBe(0);
    // prom-client's process metrics come along.
    expect(sample(before, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);

    double.enqueueChat({ chunks: text('The [Ridgeback Waterproof Trail Shoe](product:TRL-100-44) fits.') });
    const shopper = await server.shopper();
    const { end } = await ask(shopper, 'trail shoes size 44', 'metrics-msg-0001');
    expect(end.event).toBe('chat:completed');

    const body = await scrape();
    const model = 'qwen3:4b';
    const host = 'default';
    expect(sample(body, 'aisle_answers_total', { outcome: 'complete', model, host })).toBe(1);
    expect(sample(body, 'aisle_answer_first_token_seconds_count', { model, host })).toBe(1);
    expect(sample(body, 'aisle_answer_duration_seconds_count', { outcome: 'complete', model, host })).toBe(1);
    expect(sample(body, 'aisle_answer_tokens_per_second_count', { model, host })).toBe(1);
    expect(sample(body, 'aisle_model_tokens_total', { kind: 'completion', model, host })).toBeGreaterThan(0);
    expect(sample(body, 'aisle_search_duration_seconds_count', { origin: 'prefetch' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'aisle_active_streams')).toBe(0);
    expect(body).not.toMatch(/aisle_answer_errors_total\{/);
  });

  it('shows a running answer as an active stream, then counts it as stopped', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { metrics: { enabled: true } } });
    // The double holds its reply back, so the answer is still generating while we look.
    double.enqueueChat({ headersDelayMs: 30_000, chunks: text('never sent') });
    const shopper = await server.shopper();
    const sent = await shopper.request('chat:send', { clientMessageId: 'metrics-msg-0002', text: 'trail shoes' });
    if (!sent.ok) throw new Error(sent.error.message);
    await vi.waitFor(async () => expect(sample(await scrape(), 'aisle_active_streams')).toBe(1));

    const stopped = await shopper.request('chat:stop', { conversationId: sent.data.conversationId });
    expect(stopped.ok).toBe(true);
    const body = await scrape();
    expect(sample(body, 'aisle_active_streams')).toBe(0);
    expect(sample(body, 'aisle_answers_total', { outcome: 'stopped', model: 'qwen3:4b', host: 'none' })).toBe(1);
    // Nothing was written, so there is no first-token figure for it.
    expect(sample(body, 'aisle_answer_first_token_seconds_count', { model: 'qwen3:4b', host: 'none' })).toBeUndefined();
  });

  it('counts failed answers by the error code the shopper saw', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { metrics: { enabled: true } } });
    double.enqueueChat({ status: 404, error: 'model "qwen3:4b" not found, try pulling it first' });
    const shopper = await server.shopper();
    const { end } = await ask(shopper, 'trail shoes', 'metrics-msg-0003');
    expect(end.event).toBe('chat:failed');
    const body = await scrape();
    expect(sample(body, 'aisle_answer_errors_total', { code: 'model-not-pulled', model: 'qwen3:4b' })).toBe(1);
    expect(sample(body, 'aisle_answers_total', { outcome: 'error', model: 'qwen3:4b', host: 'none' })).toBe(1);
  });

  it('is a JSON 404 when metrics are off (the default)', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('with a token, answers 401 without it or with a wrong one, and the metrics with it', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { metrics: { enabled: true, token: TOKEN } } });
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('aisle_');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const body = await scrape({ headers: { authorization: `Bearer ${TOKEN}` } });
    expect(sample(body, 'aisle_active_streams')).toBe(0);
  });

  it('without a token, refuses requests that came through a proxy even from this machine', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({
      ollamaUrl: double.url,
      config: { metrics: { enabled: true }, server: { trustProxy: 'loopback' } },
    });
    // A reverse proxy on this machine connects from 127.0.0.1: its visitors must not read the metrics.
    const proxied: Array<Record<string, string>> = [
      { 'x-forwarded-for': '203.0.113.9' },
      { 'x-forwarded-for': '127.0.0.1' },
      { forwarded: 'for=203.0.113.9' },
    ];
    for (const headers of proxied) {
      const res = await fetch(`${server.url}/metrics`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(sample(await scrape(), 'aisle_active_streams')).toBe(0);
  });
});

describe('unknown paths', () => {
  it('answer JSON 404 under /api, for file names and for /metrics; client routes get the app shell', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-dist-'));
    cleanups.push(() => fs.rmSync(dist, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Aisle</title><div id="root"></div>');
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, clientDist: dist });

    for (const page of ['/', '/agent', '/agent/transcripts/abc', '/some/client/route']) {
      const res = await fetch(`${server.url}${page}`);
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type'), page).toMatch(/^text\/html/);
      expect(await res.text(), page).toContain('<div id="root">');
    }
    const asset = await fetch(`${server.url}/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    const notFound: Array<[string, RequestInit?]> = [
      ['/api/agent/nope'],
      ['/api/'],
      ['/api'],
      ['/api/x'],
      ['/metrics'],
      ['/anything.json'],
      ['/assets/missing.js'],
      ['/favicon.ico'],
      ['/nope', { method: 'POST' }],
      ['/agent', { method: 'DELETE' }],
    ];
    for (const [pathname, init] of notFound) {
      const res = await fetch(`${server.url}${pathname}`, init);
      const label = `${init?.method ?? 'GET'} ${pathname}`;
      expect(res.status, label).toBe(404);
      expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
      expect(await res.json(), label).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }

    // Socket.IO owns its path: an unknown transport is its own 400, never the page.
    const socketPath = await fetch(`${server.url}/socket.io/x`);
    expect(socketPath.status).toBe(400);
    expect(await socketPath.text()).not.toContain('<div id="root">');
  });

  it('answer JSON 404 when the server runs without a built client', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, clientDist: null });
    const res = await fetch(`${server.url}/agent`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** A tiny OTLP/HTTP collector: keeps the spans of every JSON export it receives. */
async function startCollector(): Promise<{ url: string; spans: OtlpSpan[]; paths: string[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const srv = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
      };
      for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    paths,
    close: () => new Promise<void>((resolve) => srv.close(() => resolve())),
  };
}

describe('OpenTelemetry traces', () => {
  it('sends the answer, search and model-call spans of one answer to the OTLP collector, nested', async () => {
    const collector = await startCollector();
    cleanups.push(() => collector.close());
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { tracing: { otlpEndpoint: collector.url } } });
    double.enqueueChat(
      { toolCalls: [{ name: 'search_products', arguments: { query: 'rain jacket' } }] },
      { chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale.') },
    );
    const shopper = await server.shopper();
    const { end } = await ask(shopper, 'rain jacket?', 'trace-msg-0001');
    expect(end.event).toBe('chat:completed');
    // Closing the app sends the spans still buffered.
    await server.close();
    server = undefined;

    await vi.waitFor(() => expect(collector.spans.map((s) => s.name)).toContain('aisle.answer'));
    expect(collector.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    const answer = collector.spans.find((s) => s.name === 'aisle.answer');
    const searches = collector.spans.filter((s) => s.name === 'aisle.search');
    const calls = collector.spans.filter((s) => s.name === 'aisle.model.call');
    // The server's own search, then the model's tool call; two model calls (tool round, then the answer).
    expect(searches).toHaveLength(2);
    expect(calls).toHaveLength(2);
    for (const child of [...searches, ...calls]) {
      expect(child.traceId).toBe(answer?.traceId);
      expect(child.parentSpanId).toBe(answer?.spanId);
    }
  });
});
