import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { collectDeltas, nextEvent, startTestServer, type TestServer } from '../helpers/testServer';

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

describe('shopper chat: streaming a grounded answer', () => {
  it('streams the answer and ends with cards built from the database', async () => {
    const shopper = await server.shopper();
    const deltas = collectDeltas(shopper.socket);
    const completed = nextEvent(shopper.socket, 'chat:completed');
    const reply = await shopper.request('chat:send', {
      clientMessageId: 'client-msg-0001',
      text: 'Waterproof trail shoes under $120, size 44',
    });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.data.userMessage.content).toBe('Waterproof trail shoes under $120, size 44');

    const { message } = await completed;
    expect(message.status).toBe('complete');
    // The demo brain answers from the server's catalogue search and links the products it recommends.
    expect(message.content).toContain('(product:TRL-100-44)');
    expect(deltas.text(message.id)).toBe(message.content);
    const card = message.products.find((p) => p.id === 'TRL-100-44');
    expect(card).toMatchObject({
      title: 'Ridgeback Waterproof Trail Shoe',
      price: { amountMinor: 10999, currency: 'USD' },
      availability: 'in_stock',
    });
    expect(card?.sizes).toEqual(expect.arrayContaining(['42', '44', '46']));
    // The over-budget shoe was never put in front of the model.
    expect(message.products.some((p) => p.id.startsWith('TRL-200'))).toBe(false);
  });

  it('sends deltas with contiguous offsets and the same num_ctx on every request', async () => {
    double.enqueueChat(
      { toolCalls: [{ name: 'search_products', arguments: { query: 'rain jacket' } }] },
      { chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale.') },
    );
    const shopper = await server.shopper();
    const deltas = collectDeltas(shopper.socket);
    const completed = nextEvent(shopper.socket, 'chat:completed');
    await shopper.request('chat:send', { clientMessageId: 'client-msg-0002', text: 'rain jacket?' });
    const { message } = await completed;
    let length = 0;
    for (const e of deltas.events(message.id)) {
      expect(e.offset).toBe(length);
      length += e.text.length;
    }
    expect(length).toBe(message.content.length);
    expect(message.products.map((p) => p.id)).toEqual(['JKT-300']);
    expect(message.products[0]?.salePrice).toEqual({ amountMinor: 11900, currency: 'USD' });
    const numCtx = double.chatRequests().map((r) => (r.options as { num_ctx?: number } | undefined)?.num_ctx);
    expect(numCtx.length).toBe(2);
    expect(new Set(numCtx)).toEqual(new Set([8192]));
  });

  it('checks every answer against the catalogue and shows corrections for invented products and wrong prices', async () => {
    double.enqueueChat({
      chunks: text(
        'The [Ridgeback Waterproof Trail Shoe](product:TRL-100-44) costs $79.99 today, and the [Moonwalker 3000](product:FAKE-9) is $20.',
      ),
    });
    const shopper = await server.shopper();
    const completed = nextEvent(shopper.socket, 'chat:completed');
    await shopper.request('chat:send', { clientMessageId: 'client-msg-0003', text: 'trail shoes' });
    const { message } = await completed;
    // The card keeps the database price; the answer's wrong price and invented product are corrected.
    expect(message.products.map((p) => p.id)).toEqual(['TRL-100-44']);
    expect(message.products[0]?.price.amountMinor).toBe(10999);
    expect(message.corrections?.join(' ')).toMatch(/\$109\.99/);
    expect(message.corrections?.join(' ')).toMatch(/Moonwalker 3000/);
    const row = await server.app.db.kysely
      .selectFrom('messages')
      .select('grounding')
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    const kinds = (JSON.parse(row.grounding ?? '[]') as Array<{ kind: string }>).map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['wrong-price', 'invented-product']));
  });
});
