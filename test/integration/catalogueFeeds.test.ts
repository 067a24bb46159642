import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { CatalogueStatus, ProductCard } from '@aisle/shared';
import { createToolRunner } from '@aisle/server/assistant/tools';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { startTestServer, type TestServer } from '../helpers/testServer';

/** A tab-separated Merchant feed of these ids (price 10 + index unless given). */
function feedOf(ids: string[], price = (i: number) => `${10 + i}.00 USD`): string {
  return (
    ['id\ttitle\tprice\tavailability', ...ids.map((id, i) => `${id}\tFeedwear Alpine Shirt ${id}\t${price(i)}\tin stock`)].join(
      '\n',
    ) + '\n'
  );
}

/** What the feed server answers next, and what it was asked. */
interface FeedServer {
  url: string;
  requests: http.IncomingHttpHeaders[];
  respond: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  close(): Promise<void>;
}

/** A local HTTP server standing in for the shop's feed URL; each test says how it answers. */
async function startFeedServer(): Promise<FeedServer> {
  const server: FeedServer = {
    url: '',
    requests: [],
    respond: (_req, res) => res.writeHead(404).end(),
    close: async () => undefined,
  };
  const httpServer = http.createServer((req, res) => {
    server.requests.push(req.headers);
    server.respond(req, res);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const address = httpServer.address();
  server.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/feed.tsv`;
  server.close = () =>
    new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    });
  return server;
}

/** Answers with the feed text and an ETag; a request carrying that ETag gets 304. */
function serveFeed(feed: FeedServer, body: string, etag: string): void {
  feed.respond = (req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/tab-separated-values', etag, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

const ids = (n: number, prefix = 'F') => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

let double: OllamaDouble;
let feed: FeedServer;
let server: TestServer;
let dataDir: string;

async function boot(feedConfig: Record<string, unknown> = {}, catalogue: 'demo' | 'empty' = 'empty'): Promise<TestServer> {
  server = await startTestServer({
    ollamaUrl: double.url,
    catalogue,
    dataDir,
    config: { catalogue: { feeds: [{ name: 'shop', url: feed.url, intervalMinutes: 60, ...feedConfig }] } },
    // Never fired: the tests sync on demand, so no timer races them.
    catalogueTimers: { setTimeout: () => 0, clearTimeout: () => undefined },
  });
  return server;
}

async function syncNow(name = 'shop') {
  const outcome = server.app.catalogue.syncNow(name);
  if (outcome.kind !== 'started') throw new Error(`sync did not start: ${outcome.kind}`);
  return outcome.result;
}

async function searchIds(q: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/products?${new URLSearchParams({ q, limit: '50' })}`);
  const body = (await res.json()) as { data: { products: ProductCard[] } };
  return body.data.products.map((p) => p.id).sort();
}

async function liveIds(): Promise<string[]> {
  const rows = await server.app.db.kysely
    .selectFrom('products')
    .select('id')
    .where('gone_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

beforeEach(async () => {
  double = await startOllamaDouble();
  feed = await startFeedServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-feeds-'));
});
afterEach(async () => {
  await server?.close();
  await feed.close();
  await double.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a full feed sync', () => {
  it('adds and updates products, marks the ones the feed dropped gone: never found again, but an old card still opens', async () => {
    await boot();
    serveFeed(feed, feedOf(['A-1', 'A-2', 'A-3']), '"v1"');
    expect(await syncNow()).toMatchObject({ status: 'ok', added: 3, updated: 0, gone: 0 });
    expect(await searchIds('alpine shirt')).toEqual(['A-1', 'A-2', 'A-3']);

    // A-2 changes price, A-3 leaves the feed, A-4 is new.
    serveFeed(
      feed,
      feedOf(['A-1', 'A-2', 'A-4'], (i) => (i === 1 ? '99.00 USD' : `${10 + i}.00 USD`)),
      '"v2"',
    );
    expect(await syncNow()).toMatchObject({ status: 'ok', added: 1, updated: 1, gone: 1 });
    expect(await searchIds('alpine shirt')).toEqual(['A-1', 'A-2', 'A-4']);
    expect(await server.app.products.count()).toBe(3);

    // The model's tools do not find it either, by search or by id.
    const tools = createToolRunner(server.app.products, server.app.search.catalogue, () => undefined);
    const search = await tools.run({ id: null, name: 'search_products', arguments: { query: 'alpine shirt' } });
    expect(search.rows.map((r) => r.id).sort()).toEqual(['A-1', 'A-2', 'A-4']);
    const byId = await tools.run({ id: null, name: 'get_product', arguments: { id: 'A-3' } });
    expect(byId.trace.error).toBe('no product with id A-3');
    expect(await server.app.products.getCards(['A-3'])).toEqual([]);

    // A card in an old conversation links to /api/products/A-3: it still opens, marked gone.
    const old = await fetch(`${server.url}/api/products/A-3`);
    expect(old.status).toBe(200);
    expect(((await old.json()) as { data: ProductCard }).data).toMatchObject({ id: 'A-3', isGone: true });

    // It comes back when the feed lists it again.
    serveFeed(
      feed,
      feedOf(['A-1', 'A-2', 'A-3', 'A-4'], (i) => (i === 1 ? '99.00 USD' : `${10 + i}.00 USD`)),
      '"v3"',
    );
    expect(await syncNow()).toMatchObject({ status: 'ok', added: 0, gone: 0 });
    expect(await liveIds()).toEqual(['A-1', 'A-2', 'A-3', 'A-4']);
  });

  it('sends If-None-Match the second time; a 304 changes nothing and is recorded as unchanged', async () => {
    await boot();
    serveFeed(feed, feedOf(['A-1', 'A-2']), '"etag-1"');
    await syncNow();
    const before = await server.app.db.kysely.selectFrom('products').selectAll().orderBy('id').execute();
    expect(await syncNow()).toMatchObject({ status: 'unchanged', added: 0, updated: 0, gone: 0 });
    expect(feed.requests[1]?.['if-none-match']).toBe('"etag-1"');
    expect(await server.app.db.kysely.selectFrom('products').selectAll().orderBy('id').execute()).toEqual(before);
    const history = await server.app.db.kysely.selectFrom('catalogue_syncs').select('status').orderBy('id').execute();
    expect(history.map((h) => h.status)).toEqual(['ok', 'unchanged']);
  });

  it('refuses a download cut off before its Content-Length, and changes nothing', async () => {
    await boot();
    serveFeed(feed, feedOf(ids(10)), '"v1"');
    await syncNow();
    const full = feedOf(ids(3));
    feed.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/tab-separated-values', 'content-length': Buffer.byteLength(full) });
      // Half the body, then the connection drops: what a dying proxy or a full disk upstream looks like.
      res.write(full.slice(0, Math.floor(full.length / 2)), () => res.socket?.destroy());
    };
    const result = await syncNow();
    expect(result.status).toBe('refused');
    expect(result.error).toMatch(/cut off/);
    expect(await liveIds()).toEqual(ids(10).sort());
  });

  it('refuses a file that ends inside a quoted field (a cut-off CSV without Content-Length)', async () => {
    await boot();
    serveFeed(feed, feedOf(ids(4)), '"v1"');
    await syncNow();
    feed.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end('id,title,price,availability\nF-1,Shirt,10.00 USD,in stock\nF-2,"Shirt with a quote, cut');
    };
    const result = await syncNow();
    expect(result).toMatchObject({ status: 'refused', error: expect.stringMatching(/cut off/) });
    expect(await liveIds()).toEqual(ids(4).sort());
  });

  it('refuses a feed that would remove 60% of the products, saying why', async () => {
    await boot();
    serveFeed(feed, feedOf(ids(10)), '"v1"');
    await syncNow();
    serveFeed(feed, feedOf(ids(4)), '"v2"');
    const result = await syncNow();
    expect(result.status).toBe('refused');
    expect(result.error).toContain('would remove 6 of 10 products (60%), more than the limit of 50%');
    expect(await liveIds()).toEqual(ids(10).sort());
    // The refused download's validators are not kept: the next sync downloads it again.
    expect(feed.requests[1]?.['if-none-match']).toBe('"v1"');
  });

  it('records a failed sync when the feed server answers 500, and changes nothing', async () => {
    await boot();
    serveFeed(feed, feedOf(ids(3)), '"v1"');
    await syncNow();
    feed.respond = (_req, res) => res.writeHead(500).end('boom');
    const result = await syncNow();
    expect(result).toMatchObject({ status: 'failed', error: 'the feed server answered HTTP 500 Internal Server Error' });
    expect(await liveIds()).toEqual(ids(3).sort());
  });

  it('refuses a feed without one valid product', async () => {
    await boot();
    serveFeed(feed, feedOf(ids(3)), '"v1"');
    await syncNow();
    serveFeed(feed, 'id\ttitle\tprice\tavailability\nX\tShirt\tninety\tin stock\n', '"v2"');
    expect(await syncNow()).toMatchObject({ status: 'refused', error: expect.stringMatching(/no valid products/) });
    expect(await liveIds()).toEqual(ids(3).sort());
  });
});

describe('an incremental feed', () => {
  it('adds and updates, never marks products gone', async () => {
    await boot({ mode: 'incremental' });
    serveFeed(feed, feedOf(['A-1', 'A-2', 'A-3']), '"v1"');
    await syncNow();
    serveFeed(feed, feedOf(['A-4']), '"v2"');
    expect(await syncNow()).toMatchObject({ status: 'ok', added: 1, gone: 0 });
    expect(await liveIds()).toEqual(['A-1', 'A-2', 'A-3', 'A-4']);
  });
});

describe('the demo catalogue', () => {
  it('is removed by the first real sync and not loaded again after a restart', async () => {
    await boot({}, 'demo');
    const demoCount = await server.app.products.count();
    expect(demoCount).toBeGreaterThan(2000);
    serveFeed(feed, feedOf(['A-1']), '"v1"');
    expect(await syncNow()).toMatchObject({ status: 'ok', demoRemoved: demoCount });
    expect(await liveIds()).toEqual(['A-1']);
    await server.close();

    // Restart on the same data with the demo switched on and the real product gone too.
    await boot({}, 'demo');
    expect(await liveIds()).toEqual(['A-1']);
    await server.app.db.kysely.deleteFrom('products').execute();
    await server.close();
    await boot({}, 'demo');
    expect(await server.app.products.count()).toBe(0);
  }, 60_000);
});

describe('the console catalogue panel API', () => {
  it('shows admins the sources and the history; agents may neither see it nor start a sync', async () => {
    await boot();
    serveFeed(feed, feedOf(['A-1', 'A-2']) + 'B-1\tBad\tninety\tin stock\n', '"v1"');
    const admin = await createAgentAccount(server, { email: 'root@shop.example', role: 'admin' });
    const agent = await createAgentAccount(server, { email: 'ann@shop.example' });
    const adminCookie = await signIn(server, admin);
    const agentCookie = await signIn(server, agent);

    expect((await api(server, 'POST', '/api/agent/catalogue/sync/shop', { cookie: agentCookie })).status).toBe(403);
    expect((await api(server, 'GET', '/api/agent/catalogue', { cookie: agentCookie })).status).toBe(403);
    expect((await api(server, 'POST', '/api/agent/catalogue/sync/shop')).status).toBe(401);
    expect(feed.requests).toEqual([]);

    const started = await api(server, 'POST', '/api/agent/catalogue/sync/shop', { cookie: adminCookie });
    expect(started.status).toBe(202);
    expect((await api(server, 'POST', '/api/agent/catalogue/sync/nope', { cookie: adminCookie })).status).toBe(404);

    const status = await vi.waitFor(async () => {
      const res = await api<CatalogueStatus>(server, 'GET', '/api/agent/catalogue', { cookie: adminCookie });
      if (!res.body.ok || res.body.data.syncs[0]?.status !== 'ok') throw new Error('not synced yet');
      return res.body.data;
    });
    expect(status.sources).toContainEqual(
      expect.objectContaining({ name: 'shop', kind: 'feed', liveProducts: 2, goneProducts: 0, lastStatus: 'ok', isFeed: true }),
    );
    expect(status.syncs[0]).toMatchObject({
      source: 'shop',
      added: 2,
      skipped: 1,
      skipReasons: { problems: [{ line: 4, reason: expect.stringContaining('ninety') }] },
    });
    // The feed's address (which may carry a token) is not part of what the console gets.
    expect(JSON.stringify(status)).not.toContain(feed.url);
  });
});

describe('the scheduler', () => {
  it('syncs each feed on its timer and picks up a hot-reloaded feed list', async () => {
    const timers: Array<{ fn: () => void; ms: number; isCleared: boolean }> = [];
    server = await startTestServer({
      ollamaUrl: double.url,
      catalogue: 'empty',
      dataDir,
      config: { catalogue: { feeds: [{ name: 'shop', url: feed.url, intervalMinutes: 30 }] } },
      random: () => 0.5,
      catalogueTimers: {
        setTimeout: (fn, ms) => timers.push({ fn, ms, isCleared: false }) - 1,
        clearTimeout: (handle) => {
          const timer = timers[Number(handle)];
          if (timer) timer.isCleared = true;
        },
      },
    });
    serveFeed(feed, feedOf(['A-1']), '"v1"');
    // The first run is spread within min(interval, 5 minutes): half of 5 minutes with random() = 0.5.
    expect(timers).toHaveLength(1);
    expect(timers[0]?.ms).toBe(150_000);
    timers[0]?.fn();
    await vi.waitFor(async () => expect(await liveIds()).toEqual(['A-1']));
    expect(timers[1]?.ms).toBe(30 * 60_000);

    server.reconfigure({ catalogue: { feeds: [{ name: 'other', url: feed.url, intervalMinutes: 10 }] } });
    expect(timers[1]?.isCleared).toBe(true);
    // A new feed starts within its own first interval, spread the same way.
    expect(timers[2]?.ms).toBe(150_000);
    expect(timers.slice(1).filter((t) => !t.isCleared)).toHaveLength(1);
  });
});
