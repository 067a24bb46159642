import type { ProductCard, TranscriptDetail } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { ask, openTab } from '../helpers/chatFlows';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
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

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

function fixture(id: string) {
  const record = FIXTURE_PRODUCTS.find((p) => p.id === id);
  if (!record) throw new Error(`no fixture ${id}`);
  return record;
}

/** The shopper's answer about the jacket and the grinder, after the model looked the jacket up; returns the cards shown. */
async function answerWithCards(): Promise<{ cookie: string; conversationId: string; shown: ProductCard[] }> {
  double.enqueueChat(
    { toolCalls: [{ name: 'get_product', arguments: { id: 'JKT-300' } }] },
    { chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale; the [grinder](product:GRD-400) too.') },
  );
  const shopper = await server.shopper();
  const answer = await ask(shopper, 'Rain jacket and a coffee grinder?');
  // A live answer is current: no markers.
  expect(answer.message.products.map((p) => [p.id, p.change])).toEqual([
    ['JKT-300', undefined],
    ['GRD-400', undefined],
  ]);
  shopper.close();
  return { cookie: shopper.cookie, conversationId: answer.conversationId, shown: answer.message.products };
}

async function reopen(cookie: string, conversationId: string): Promise<ProductCard[]> {
  const tab = await openTab(server, cookie);
  const snapshot = await tab.request('chat:resume', { conversationId });
  tab.close();
  if (!snapshot.ok) throw new Error(snapshot.error.code);
  return snapshot.data.messages.find((m) => m.role === 'assistant')?.products ?? [];
}

describe('cards in a reopened conversation', () => {
  it("show today's price and stock with what changed, while the agent's transcript keeps what the shopper saw", async () => {
    const { cookie, conversationId, shown } = await answerWithCards();
    expect(shown.map((p) => [p.id, p.salePrice, p.availability])).toEqual([
      ['JKT-300', usd(11900), 'in_stock'],
      ['GRD-400', null, 'backorder'],
    ]);

    // The next feed import: the sale is over and the jacket sold out; the grinder left the catalogue.
    await server.app.products.upsertMany([{ ...fixture('JKT-300'), salePriceMinor: null, availability: 'out_of_stock' }]);
    await server.app.db.kysely.deleteFrom('products').where('id', '=', 'GRD-400').execute();

    const [jacket, grinder] = await reopen(cookie, conversationId);
    expect(jacket).toMatchObject({
      id: 'JKT-300',
      price: usd(14900),
      salePrice: null,
      availability: 'out_of_stock',
      change: { priceWas: usd(11900), stock: 'now-out-of-stock' },
    });
    // Gone: the card as it was, marked so the page offers nothing to follow.
    expect(grinder).toEqual({ ...shown[1], change: { stock: 'no-longer-available' } });

    const agentCookie = await signIn(server, await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' }));
    const res = await api<TranscriptDetail>(server, 'GET', `/api/agent/transcripts/${conversationId}`, { cookie: agentCookie });
    if (!res.body.ok) throw new Error(res.body.error.message);
    const answer = res.body.data.messages.find((m) => m.role === 'assistant');
    // The record of the answer: the cards and the tool's result as they were at the time.
    expect(answer?.products).toEqual(shown);
    const looked = answer?.trace?.toolCalls.find((c) => c.name === 'get_product')?.products[0];
    expect(looked).toMatchObject({ id: 'JKT-300', priceMinor: 14900, salePriceMinor: 11900 });
  });

  it('says a product is back in stock at a new price', async () => {
    await server.app.products.upsertMany([{ ...fixture('JKT-300'), availability: 'out_of_stock' }]);
    const { cookie, conversationId, shown } = await answerWithCards();
    expect(shown[0]).toMatchObject({ id: 'JKT-300', availability: 'out_of_stock' });
    await server.app.products.upsertMany([{ ...fixture('JKT-300'), salePriceMinor: 9900, availability: 'in_stock' }]);

    const [jacket, grinder] = await reopen(cookie, conversationId);
    expect(jacket).toMatchObject({
      salePrice: usd(9900),
      availability: 'in_stock',
      change: { priceWas: usd(11900), stock: 'back-in-stock' },
    });
    expect(grinder?.change).toBeUndefined();
  });
});
