import type { Comparison } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OLLAMA_ERRORS, startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { ask, openTab } from '../helpers/chatFlows';
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

type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

async function compare(ids: string | null): Promise<{ status: number; body: Envelope<Comparison> }> {
  const res = await fetch(`${server.url}/api/products/compare${ids === null ? '' : `?ids=${encodeURIComponent(ids)}`}`);
  const raw = await res.text();
  expect(raw).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  return { status: res.status, body: JSON.parse(raw) as Envelope<Comparison> };
}

const usd = (amountMinor: number) => ({ type: 'money', money: { amountMinor, currency: 'USD' } });

describe('GET /api/products/compare', () => {
  it('puts the fixture catalogue’s values side by side, in the order asked, with differing rows marked', async () => {
    const { status, body } = await compare('TRL-200-43,TRL-100-42,JKT-300');
    expect(status).toBe(200);
    if (!body.ok) throw new Error(body.error.message);
    expect(body.data.products).toEqual([
      { id: 'TRL-200-43', title: 'Summit Pro GTX Trail Shoe', brand: 'Alpenfold' },
      { id: 'TRL-100-42', title: 'Ridgeback Waterproof Trail Shoe', brand: 'Northpeak' },
      { id: 'JKT-300', title: 'Stormline 2.5L Rain Jacket', brand: 'Northpeak' },
    ]);
    const rows = new Map(body.data.rows.map((r) => [r.field, r]));
    expect(rows.get('price')).toEqual({ field: 'price', values: [usd(18900), usd(10999), usd(14900)], differs: true });
    expect(rows.get('salePrice')?.values).toEqual([{ type: 'none' }, { type: 'none' }, usd(11900)]);
    expect(rows.get('rating')?.values).toEqual([
      { type: 'rating', rating: 4.8 },
      { type: 'rating', rating: 4.6 },
      { type: 'rating', rating: 4.3 },
    ]);
    expect(rows.get('reviewCount')?.values).toEqual([
      { type: 'count', count: 98 },
      { type: 'count', count: 212 },
      { type: 'count', count: 57 },
    ]);
    // Sizes in stock across each group: the Ridgeback's 46 is sold out.
    expect(rows.get('sizes')?.values).toEqual([
      { type: 'list', items: ['43', '44'] },
      { type: 'list', items: ['42', '44'] },
      { type: 'none' },
    ]);
    expect(rows.get('availability')).toMatchObject({ differs: false });
  });

  it.each([
    [null, /ids is required/],
    ['TRL-100-42', /at least 2/],
    ['TRL-100-42,TRL-100-42', /only once/],
    ['TRL-100-42,TRL-200-43,JKT-300,GRD-400,TRL-100-44', /at most 4/],
  ])('refuses ids=%s with a clear 400', async (ids, message) => {
    const { status, body } = await compare(ids);
    expect(status).toBe(400);
    expect(body).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(message) } });
  });

  it('refuses an unknown product and one the shop no longer sells, by name', async () => {
    const unknown = await compare('TRL-100-42,NOPE-1');
    expect(unknown).toMatchObject({
      status: 404,
      body: { ok: false, error: { code: 'not-found', message: 'No product with id NOPE-1.' } },
    });
    await server.app.db.run(`UPDATE products SET gone_at = '2026-01-01T00:00:00.000Z' WHERE id = 'JKT-300'`);
    const gone = await compare('TRL-100-42,JKT-300');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: `"Stormline 2.5L Rain Jacket" is no longer available, so it can't be compared.` },
    });
  });
});

describe('an answer’s suggestions and comparison', () => {
  it('carries suggestions from its results, kept for a reload, and answers "compare these" with the table', async () => {
    double.enqueueChat({
      chunks: text('The [Ridgeback](product:TRL-100-44) and the [Summit Pro](product:TRL-200-44) both come in 44.'),
    });
    const shopper = await server.shopper();
    const first = await ask(shopper, 'Trail shoes in size 44?');
    expect(first.event).toBe('chat:completed');
    expect(first.message.suggestions).toEqual([
      { kind: 'price-under', amount: { amountMinor: 18000, currency: 'USD' } },
      { kind: 'feature', feature: 'waterproof' },
      { kind: 'size', size: '44' },
      { kind: 'compare', productIds: ['TRL-100-44', 'TRL-200-44'] },
    ]);
    expect(first.message.comparison).toBeUndefined();

    double.enqueueChat({ chunks: text('Here they are side by side.') });
    const second = await ask(shopper, 'Compare these two', first.conversationId);
    expect(second.message.comparison?.products.map((p) => p.id)).toEqual(['TRL-100-44', 'TRL-200-44']);
    const price = second.message.comparison?.rows.find((r) => r.field === 'price');
    expect(price).toEqual({ field: 'price', values: [usd(10999), usd(18900)], differs: true });
    // The model was handed both products from the database before it wrote its summary.
    const toolResults = (double.chatRequests().at(-1)?.messages ?? []).filter((m) => m.role === 'tool').map((m) => m.content);
    const compared = toolResults.filter((c) => c.startsWith('The shopper asked to compare this product'));
    expect(compared).toHaveLength(2);
    expect(compared[0]).toContain('Ridgeback Waterproof Trail Shoe');
    expect(compared[1]).toContain('Summit Pro GTX Trail Shoe');

    // A reload shows both again, as stored.
    const tab = await openTab(server, shopper.cookie);
    const snapshot = await tab.request('chat:resume', { conversationId: first.conversationId });
    if (!snapshot.ok) throw new Error(snapshot.error.message);
    const answers = snapshot.data.messages.filter((m) => m.role === 'assistant');
    expect(answers[0]?.suggestions).toEqual(first.message.suggestions);
    expect(answers[1]?.comparison).toEqual(second.message.comparison);
  });

  it('offers nothing under a failed answer', async () => {
    double.enqueueChat({ chunks: text('We have'), end: { error: OLLAMA_ERRORS.runner } });
    const shopper = await server.shopper();
    const answer = await ask(shopper, 'Trail shoes?');
    expect(answer.event).toBe('chat:failed');
    expect(answer.message.suggestions).toBeUndefined();
  });
});
