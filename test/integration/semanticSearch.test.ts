import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@aisle/server';
import type { ProductRecord } from '@aisle/server/catalogue/productRecord';
import { configVersion, parseConfig } from '@aisle/server/config/loadConfig';
import type { ProductCard } from '@aisle/shared';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { ask } from '../helpers/chatFlows';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { startTestServer, testDatabase, type TestServer } from '../helpers/testServer';

/*
 * The Ollama double is NOT multilingual: its "embeddings" hash words and character trigrams, so two
 * texts are close only when they share letters. These tests check the mechanics (indexing, hashing,
 * fusion, fallbacks) with queries that share trigrams but no whole word with a product, which is what
 * lexical search misses: German compounds ("Wanderschuhe" for "Schuhe zum Wandern") and Chinese
 * runs without spaces ("防水登山鞋" inside "轻量防水登山鞋"). That a real model matches "hiking boots" to
 * "Wanderschuhe" is the model's job, measured with `pnpm eval`, not here. For the same reason the
 * query instruction is off (queryInstruction: ''): to a bag of trigrams, Qwen3's "Instruct: …" line is
 * only shared noise; the default instruction is covered by the unit tests of `queryText`.
 */

const MODEL = 'qwen3-embedding:0.6b';
const GERMAN_QUESTION = 'Schuhe zum Wandern in den Bergen';

const foreign: ProductRecord[] = [
  {
    ...(FIXTURE_PRODUCTS[0] as ProductRecord),
    id: 'DE-100',
    title: 'Alpenpfad Wanderschuhe',
    description: 'Wasserdichte Wanderschuhe mit Profilsohle für Bergtouren und nasse Wege.',
    brand: 'Bergwerk',
    category: 'Outdoor',
    productType: null,
    itemGroupId: null,
    color: null,
    size: null,
    priceMinor: 12900,
  },
  {
    ...(FIXTURE_PRODUCTS[0] as ProductRecord),
    id: 'ZH-200',
    title: '轻量防水登山鞋',
    description: '适合山路和雨天。',
    brand: '山行',
    category: 'Outdoor',
    productType: null,
    itemGroupId: null,
    color: null,
    size: null,
    priceMinor: 8900,
  },
];

let double: OllamaDouble;
let server: TestServer;

/** Servers started by the current test (one that starts its own app has none). */
const started: TestServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  await double?.close();
});

async function start(options: { embedding?: Record<string, unknown>; models?: Parameters<typeof startOllamaDouble>[0] } = {}) {
  double = await startOllamaDouble(options.models ?? {});
  server = await startTestServer({
    ollamaUrl: double.url,
    config: { embedding: { model: MODEL, queryInstruction: '', ...options.embedding } },
  });
  started.push(server);
  await server.app.products.upsertMany(foreign);
}

/** Has the background index notice the imports made since start, and waits for the job to finish. */
async function indexed() {
  const index = server.app.search.index;
  // What the index's timer does every few seconds: compares the catalogue version with its last pass.
  index.tick();
  const status = await index.idle();
  expect(status.state).toBe('ready');
  expect(status.embedded).toBe(status.total);
  return status;
}

async function products(query: Record<string, string>): Promise<ProductCard[]> {
  const res = await fetch(`${server.url}/api/products?${new URLSearchParams(query)}`);
  const body = (await res.json()) as { ok: true; data: { products: ProductCard[] } };
  return body.data.products;
}

/** Texts sent to /api/embed since `from` (the probe of each pass included). */
function embeddedTexts(from = 0): string[] {
  return double.requests
    .slice(from)
    .filter((r) => r.path === '/api/embed')
    .flatMap((r) => (r.body as { input: string[] }).input);
}

// Vectors live in sqlite-vec; on PostgreSQL search is lexical (test/integration/postgres/semanticSearch.test.ts).
describe.skipIf(testDatabase() === 'postgres')('semantic search', () => {
  it('embeds the catalogue in the background and tells agents how far it got', async () => {
    await start();
    const status = await indexed();
    const total = FIXTURE_PRODUCTS.length + foreign.length;
    expect(status).toMatchObject({ model: MODEL, dimensions: 1024, embedded: total, total });
    expect(status.summary).toBe(`embeddings: ${total} / ${total}, model ${MODEL}`);

    // The developer on this machine (like a signed-in agent) gets the details.
    const res = await fetch(`${server.url}/api/health/models`);
    const body = (await res.json()) as { data: { semanticSearch: { summary: string; state: string } } };
    expect(body.data.semanticSearch).toMatchObject({ state: 'ready', summary: status.summary });
  });

  it('finds a German compound the word search misses, in GET /api/products, with the filters applied', async () => {
    await start();
    await indexed();
    // The lexical search alone: no product contains "Schuhe", "Wandern" or "Bergen" as a word.
    expect(await server.app.products.search({ q: GERMAN_QUESTION })).toEqual([]);

    const found = await products({ q: GERMAN_QUESTION });
    expect(found[0]?.id).toBe('DE-100');
    const hybrid = await server.app.search.catalogue.search({ q: GERMAN_QUESTION, origin: 'api' });
    expect(hybrid.mode).toBe('hybrid');

    // Filters hold on the semantic side: over budget, the German boot is not offered.
    expect((await products({ q: GERMAN_QUESTION, maxPrice: '100' })).map((p) => p.id)).not.toContain('DE-100');
  });

  it('finds a Chinese product by part of its name (no spaces, so no word to match)', async () => {
    await start();
    await indexed();
    expect(await server.app.products.search({ q: '防水登山鞋' })).toEqual([]);
    expect((await products({ q: '防水登山鞋' }))[0]?.id).toBe('ZH-200');
  });

  it('puts what the semantic side found in front of the model before its first call', async () => {
    await start();
    await indexed();
    double.enqueueChat({ chunks: text('Die Alpenpfad Wanderschuhe passen.') });
    const shopper = await server.shopper();
    await ask(shopper, GERMAN_QUESTION);
    const first = double.chatRequests()[0]?.messages ?? [];
    const prefetch = first.find((m) => m.role === 'tool');
    const results = (JSON.parse(prefetch?.content ?? '{}') as { results?: Array<{ id: string }> }).results ?? [];
    expect(results[0]?.id).toBe('DE-100');
  });

  it('re-embeds only the products a re-import changed, and drops the vectors of deleted ones', async () => {
    await start();
    await indexed();
    const before = double.requests.length;
    const changed = { ...(foreign[0] as ProductRecord), description: 'Leichte Trekkingschuhe für lange Hüttentouren.' };
    // The same rows again (a price-only change too): only the new description needs a vector.
    await server.app.products.upsertMany([...FIXTURE_PRODUCTS.map((p) => ({ ...p, priceMinor: p.priceMinor + 100 })), changed]);
    await indexed();
    const sent = embeddedTexts(before).filter((t) => t !== 'dimension probe');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('Trekkingschuhe');

    await server.app.db.run('DELETE FROM products WHERE id = ?', ['ZH-200']);
    const status = await server.app.search.index.syncNow();
    expect(status).toMatchObject({ state: 'ready', embedded: status.total });
    expect(await server.app.db.get(`SELECT count(*) AS n FROM product_vectors WHERE product_id = 'ZH-200'`)).toEqual({ n: 0 });
    expect((await products({ q: '防水登山鞋' })).map((p) => p.id)).not.toContain('ZH-200');
  });

  it('re-embeds everything when the embedding size changes', async () => {
    await start();
    const first = await indexed();
    const before = double.requests.length;
    server.reconfigure({ embedding: { model: MODEL, queryInstruction: '', dimensions: 256 } });
    // Until the new vectors are there, queries are not embedded at a size the index does not hold.
    expect(server.app.search.index.searchable()).toBeNull();
    const status = await indexed();
    expect(status.dimensions).toBe(256);
    expect(status.embedded).toBe(first.total);
    expect(embeddedTexts(before).filter((t) => t !== 'dimension probe')).toHaveLength(first.total);
    expect((await products({ q: GERMAN_QUESTION }))[0]?.id).toBe('DE-100');
  });

  it('falls back to lexical for a query the model cannot embed, and counts it', async () => {
    await start();
    await indexed();
    double.removeModel(MODEL);
    const result = await server.app.search.catalogue.search({ q: 'waterproof trail shoe', origin: 'api' });
    expect(result.mode).toBe('lexical');
    expect(result.hits.map((h) => h.row.id)).toContain('TRL-100-42');
    expect(await products({ q: GERMAN_QUESTION })).toEqual([]);
    expect(server.app.search.semantic.counters().fallbacks).toBe(2);
  });
});

describe('without semantic search', () => {
  it('is lexical when no embedding model is configured, and says why', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
    started.push(server);
    const status = await server.app.search.index.syncNow();
    expect(status.state).toBe('off');
    expect(status.summary).toMatch(/^semantic search off: no embedding model is configured/);
    expect((await server.app.search.catalogue.search({ q: GERMAN_QUESTION, origin: 'api' })).mode).toBe('lexical');
    expect(double.requests.filter((r) => r.path === '/api/embed')).toEqual([]);
  });

  // Needs a store that keeps vectors: on PostgreSQL the index is off before any model is asked.
  it.skipIf(testDatabase() === 'postgres')(
    'is lexical when the embedding model is not pulled, and names the command',
    async () => {
      await start({ models: { models: [{ name: 'qwen3:4b', capabilities: ['completion', 'tools', 'thinking'] }] } });
      const status = await server.app.search.index.syncNow();
      expect(status.state).toBe('unavailable');
      expect(status.summary).toContain(`ollama pull ${MODEL}`);
      expect(await products({ q: GERMAN_QUESTION })).toEqual([]);
      expect((await products({ q: 'trail shoe' })).length).toBeGreaterThan(0);
    },
  );

  it('warns once at start, not per search', async () => {
    double = await startOllamaDouble();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-semantic-'));
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = parseConfig({ dataDir, ollama: { host: double.url }, catalogue: { loadDemoWhenEmpty: false } }, {}, 'test');
    const app = await createApp({
      config: () => ({ config, version: configVersion(config), file: null, dataDir }),
      logger,
      clientDist: null,
    });
    try {
      await app.search.index.idle();
      for (const q of ['trail shoe', GERMAN_QUESTION, 'jacket']) await app.search.catalogue.search({ q, origin: 'api' });
      await app.search.index.syncNow();
      const warnings = lines.filter((l) => l.level === 40 && l.msg.includes('semantic search off'));
      expect(warnings.map((w) => w.msg)).toEqual([
        'semantic search off: no embedding model is configured (set embedding.model, e.g. qwen3-embedding:0.6b, after "ollama pull qwen3-embedding:0.6b"); search is lexical only',
      ]);
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
