import type { Health, HealthReply, ProductCard } from '@aisle/shared';
import { createAgentAccount, signIn } from '../helpers/agentClient';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server?.close();
  await double?.close();
});

type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; hint?: string } };

/** No reply may leak how the server is built. */
function expectNoStackTrace(body: string): void {
  expect(body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|\.js:\d+|SyntaxError|TypeError|URIError/);
}

async function getJson<T>(
  pathAndQuery: string,
  init?: RequestInit,
): Promise<{ status: number; body: Envelope<T>; headers: Headers }> {
  const res = await fetch(`${server.url}${pathAndQuery}`, init);
  const raw = await res.text();
  expectNoStackTrace(raw);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: JSON.parse(raw) as Envelope<T>, headers: res.headers };
}

async function search(params: Record<string, string>): Promise<ProductCard[]> {
  const { status, body } = await getJson<{ products: ProductCard[]; count: number }>(
    `/api/products?${new URLSearchParams(params)}`,
  );
  expect(status, JSON.stringify(params)).toBe(200);
  if (!body.ok) throw new Error(body.error.message);
  expect(body.data.count).toBe(body.data.products.length);
  return body.data.products;
}

/** Variant groups (or single products) in a result, so variants of one shoe count once. */
const groupsOf = (cards: ProductCard[]) =>
  cards.map((c) => FIXTURE_PRODUCTS.find((p) => p.id === c.id)?.itemGroupId ?? c.id).sort();

describe('GET /api/products', () => {
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
  });

  it('finds products by words, one card per variant group, with price and currency from the database', async () => {
    const cards = await search({ q: 'trail shoe' });
    expect(groupsOf(cards)).toEqual(['TRL-100', 'TRL-200']);
    const ridgeback = cards.find((c) => c.id.startsWith('TRL-100'));
    expect(ridgeback).toMatchObject({
      title: 'Ridgeback Waterproof Trail Shoe',
      brand: 'Northpeak',
      price: { amountMinor: 10999, currency: 'USD' },
      salePrice: null,
    });
    expect(ridgeback?.sizes.sort()).toEqual(['42', '44', '46']);
    expect(cards.find((c) => c.id.startsWith('TRL-200'))?.price).toEqual({ amountMinor: 18900, currency: 'USD' });
  });

  it('applies category, price, brand, stock, size and colour filters', async () => {
    expect(groupsOf(await search({ category: 'Shoes', maxPrice: '120' }))).toEqual(['TRL-100']);
    expect(groupsOf(await search({ brand: 'northpeak' }))).toEqual(['JKT-300', 'TRL-100']);
    // The jacket's sale price (119.00) is what counts against a price filter.
    expect(groupsOf(await search({ minPrice: '130' }))).toEqual(['TRL-200']);
    const [jacket, ...rest] = await search({ category: 'outerwear', maxPrice: '120' });
    expect(rest).toEqual([]);
    expect(jacket).toMatchObject({
      id: 'JKT-300',
      price: { amountMinor: 14900, currency: 'USD' },
      salePrice: { amountMinor: 11900, currency: 'USD' },
    });
    expect(groupsOf(await search({ inStock: 'true' }))).toEqual(['JKT-300', 'TRL-100', 'TRL-200']);
    expect(await search({ q: 'grinder', inStock: 'true' })).toEqual([]);
    expect(await search({ q: 'grinder' })).toMatchObject([
      { id: 'GRD-400', availability: 'backorder', price: { amountMinor: 12900, currency: 'USD' } },
    ]);
    expect(await search({ size: '46' })).toMatchObject([{ id: 'TRL-100-46', availability: 'out_of_stock' }]);
    expect(await search({ size: '46', inStock: '1' })).toEqual([]);
    const orange = await search({ color: 'orange' });
    expect(orange).toHaveLength(1);
    expect(orange[0]).toMatchObject({ title: 'Summit Pro GTX Trail Shoe', colors: ['Orange'] });
    expect(orange[0]?.sizes.sort()).toEqual(['43', '44']);
    expect(await search({ q: 'trail shoe', brand: 'Alpenfold', maxPrice: '150' })).toEqual([]);
  });

  it('refuses invalid parameters with 400 and a message naming the parameter', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ maxPrice: 'abc' }, 'maxPrice'],
      [{ minPrice: '-5' }, 'minPrice'],
      [{ inStock: 'maybe' }, 'inStock'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '1000' }, 'limit'],
      [{ q: 'x'.repeat(201) }, 'q'],
    ];
    for (const [params, name] of cases) {
      const { status, body } = await getJson(`/api/products?${new URLSearchParams(params)}`);
      expect(status, JSON.stringify(params)).toBe(400);
      expect(body).toMatchObject({ ok: false, error: { code: 'bad-request' } });
      if (!body.ok) expect(body.error.message).toMatch(new RegExp(`^${name}: `));
    }
    // The same parameter twice is refused, not half-applied.
    const twice = await getJson('/api/products?maxPrice=100&maxPrice=200');
    expect(twice.status).toBe(400);
  });

  it('does not read an empty price field (a cleared form input) as 0', async () => {
    // Ignored or refused are both fine; silently returning no products is not.
    for (const name of ['maxPrice', 'minPrice']) {
      const { status, body } = await getJson<{ products: ProductCard[] }>(`/api/products?q=trail+shoe&${name}=`);
      if (status === 200 && body.ok) expect(groupsOf(body.data.products), `${name}=`).toEqual(['TRL-100', 'TRL-200']);
      else expect(status, `${name}=`).toBe(400);
    }
  });

  it('treats search operators and quotes in the query as plain words', async () => {
    const awkward = [
      '"',
      '*',
      'OR',
      'AND',
      'NOT',
      'NEAR(',
      'NEAR(trail shoe, 2)',
      '-',
      '-shoe',
      'trail"',
      '"trail',
      'shoe*',
      'trail OR',
      'title:trail',
      '^trail',
      '(',
      ')',
      "'",
      '\\',
      '%',
      '_',
      ';--',
      '{title brand}: x',
      '+-*/',
      'шоу 👟',
    ];
    for (const q of awkward) {
      const { status, body } = await getJson(`/api/products?${new URLSearchParams({ q })}`);
      expect(status, q).toBe(200);
      expect(body.ok, q).toBe(true);
    }
    expect(groupsOf(await search({ q: '"trail" OR "shoe*"' }))).toEqual(['TRL-100', 'TRL-200']);
    expect(groupsOf(await search({ q: 'NEAR(grinder' }))).toEqual(['GRD-400']);
  });
});

describe('GET /api/products/:id and unknown routes', () => {
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
  });

  it('returns the product card with its description', async () => {
    const { status, body } = await getJson<ProductCard & { description: string }>('/api/products/TRL-100-44');
    expect(status).toBe(200);
    if (!body.ok) throw new Error(body.error.message);
    expect(body.data).toMatchObject({
      id: 'TRL-100-44',
      title: 'Ridgeback Waterproof Trail Shoe',
      price: { amountMinor: 10999, currency: 'USD' },
      availability: 'in_stock',
      description: 'Waterproof membrane trail running shoe with a lugged outsole for mud and rock.',
    });
    expect(body.data.sizes.sort()).toEqual(['42', '44', '46']);
  });

  it('answers an unknown product with 404 JSON', async () => {
    for (const id of ['NOPE-1', encodeURIComponent('TRL-100-44" OR 1=1'), '%E0%A4%A']) {
      const { status, body } = await getJson(`/api/products/${id}`);
      expect([400, 404], id).toContain(status);
      expect(body.ok).toBe(false);
    }
    const { status, body } = await getJson('/api/products/NOPE-1');
    expect(status).toBe(404);
    expect(body).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('answers an unknown API route or method with 404 JSON', async () => {
    for (const [method, url] of [
      ['GET', '/api/nope'],
      ['GET', '/api/products/TRL-100-44/reviews'],
      ['POST', '/api/products'],
      ['DELETE', '/api/session'],
      ['PUT', '/api/health'],
    ] as const) {
      const { status, body } = await getJson(url, { method });
      expect(status, `${method} ${url}`).toBe(404);
      expect(body).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }
  });
});

describe('GET /api/health', () => {
  it('reports Ollama reachable and the model available when both are', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
    const { status, body } = await getJson<Health>('/api/health');
    expect(status).toBe(200);
    if (!body.ok) throw new Error(body.error.message);
    expect(body.data).toMatchObject({
      ok: true,
      ollama: { host: double.url, reachable: true, error: null },
      model: { name: 'qwen3:4b', available: true, pullCommand: 'ollama pull qwen3:4b' },
      catalogue: { products: 7 },
    });
    expect(body.data.ollama.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names the missing model and the command that pulls it', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { chat: { model: 'qwen3:14b' } } });
    const { body } = await getJson<Health>('/api/health');
    if (!body.ok) throw new Error(body.error.message);
    expect(body.data).toMatchObject({
      ok: false,
      ollama: { reachable: true },
      model: { name: 'qwen3:14b', available: false, pullCommand: 'ollama pull qwen3:14b' },
    });
  });

  it('names the Ollama host it cannot reach and the pull command', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
    await double.setDown(true);
    const { status, body } = await getJson<Health>('/api/health');
    expect(status).toBe(200);
    if (!body.ok) throw new Error(body.error.message);
    expect(body.data).toMatchObject({
      ok: false,
      ollama: { host: double.url, reachable: false, version: null },
      model: { name: 'qwen3:4b', pullCommand: 'ollama pull qwen3:4b' },
    });
    const error = body.data.ollama.error ?? '';
    expect(error).toContain(double.url);
    // Any command shown to the person must be complete enough to copy and run.
    for (const [, model] of error.matchAll(/ollama pull ([^\s"]*)/g)) expect(model).toBe('qwen3:4b');
  });
});

describe('GET /api/health for someone who is not on this machine', () => {
  // A shopper out there reaches the server through a proxy: any forwarding header says so.
  const viaProxy = { headers: { 'x-forwarded-for': '203.0.113.5' } };
  const behindProxy = { server: { trustProxy: 'loopback' } };

  /** Nothing in a reply a shopper gets may name a host, a command or an upstream error. */
  function expectShopperSafe(raw: unknown): void {
    const text = JSON.stringify(raw);
    expect(text).not.toContain(double.url);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|ollama pull|ollama serve|OLLAMA_HOST|qwen3|fetch failed|ECONNREFUSED/i);
  }

  it('tells an anonymous caller only what is wrong, in shopper words, and an agent everything', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: behindProxy });
    await double.setDown(true);

    const anonymous = await getJson<HealthReply>('/api/health', viaProxy);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    expect(anonymous.body).toEqual({
      ok: true,
      data: {
        ok: false,
        issue: { code: 'ollama-unreachable', message: expect.any(String) },
        ollama: { reachable: false },
        model: { available: null },
        catalogue: { products: 7 },
      },
    });
    expectShopperSafe(anonymous.body);

    const ann = await createAgentAccount(server, { email: 'ann@shop.example' });
    const cookie = await signIn(server, ann);
    const agent = await getJson<HealthReply>('/api/health', { headers: { ...viaProxy.headers, cookie } });
    expect(agent.body).toMatchObject({
      ok: true,
      data: {
        ok: false,
        issue: { code: 'ollama-unreachable' },
        ollama: { host: double.url, reachable: false, version: null },
        model: { name: 'qwen3:4b', pullCommand: 'ollama pull qwen3:4b' },
      },
    });
    if (agent.body.ok) expect(agent.body.data.ollama.error).toContain(double.url);
  });

  it('says a missing model is not ready without naming it or the command', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: { ...behindProxy, chat: { model: 'qwen3:14b' } } });
    const { body } = await getJson<HealthReply>('/api/health', viaProxy);
    expect(body).toMatchObject({
      ok: true,
      data: { ok: false, issue: { code: 'model-not-pulled' }, ollama: { reachable: true }, model: { available: false } },
    });
    expectShopperSafe(body);
    expect(JSON.stringify(body)).not.toContain('14b');
  });

  it('answers /api/health/models with ok only, unless an agent asks', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, config: behindProxy });
    const anonymous = await getJson<unknown>('/api/health/models', viaProxy);
    expect(anonymous.body).toEqual({ ok: true, data: { ok: expect.any(Boolean) } });

    const ann = await createAgentAccount(server, { email: 'ann@shop.example' });
    const cookie = await signIn(server, ann);
    const agent = await getJson<{ hosts: Array<{ url: string }> }>('/api/health/models', {
      headers: { ...viaProxy.headers, cookie },
    });
    expect(agent.body.ok && agent.body.data.hosts.map((h) => h.url)).toEqual([double.url]);
  });

  it('keeps the details for the developer on this machine (a loopback-bound server asked over loopback)', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
    const local = await getJson<HealthReply>('/api/health');
    expect(local.body.ok && local.body.data.ollama.host).toBe(double.url);
    const models = await getJson<{ hosts: unknown[] }>('/api/health/models');
    expect(models.body.ok && models.body.data.hosts).toHaveLength(1);
  });
});

describe('HTTP hardening', () => {
  beforeEach(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url });
  });

  it('sends a strict Content-Security-Policy and no X-Powered-By on every kind of response', async () => {
    for (const url of ['/', '/api/health', '/api/products?q=shoe', '/api/nope', '/api/products?maxPrice=abc']) {
      const res = await fetch(`${server.url}${url}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values.join(' ')]),
      );
      expect(directives.get('script-src'), url).toBe("'self'");
      expect(directives.get('img-src'), url).toBe("'self' data:");
      expect(directives.get('default-src'), url).toBe("'self'");
      expect(directives.get('object-src'), url).toBe("'none'");
      expect(directives.get('frame-ancestors'), url).toBe("'none'");
      expect(res.headers.get('x-powered-by'), url).toBeNull();
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
  });

  it('refuses a JSON body over 64 KB with 413 JSON', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(70 * 1024) });
    for (const url of ['/api/session', '/api/products', '/api/nope']) {
      const { status, body } = await getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(status, url).toBe(413);
      expect(body).toMatchObject({ ok: false, error: { code: 'bad-request', message: 'The request body is too large.' } });
    }
    // The server is still up and answering.
    expect((await getJson('/api/products?q=grinder')).status).toBe(200);
  });

  it('refuses malformed JSON with 400 JSON and no stack trace', async () => {
    for (const payload of ['{"text": ', '{text: 1}', "{'a': 1}", '[1,2,', '\u0000']) {
      const { status, body } = await getJson('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      expect(status, payload).toBe(400);
      expect(body).toMatchObject({ ok: false, error: { code: 'bad-request', message: 'The request body is not valid JSON.' } });
    }
    // Well-formed JSON to a route that does not exist is a plain 404.
    const { status } = await getJson('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(status).toBe(404);
  });
});
