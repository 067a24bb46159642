import type { Dashboard, Experiments } from '@aisle/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { ask } from '../helpers/chatFlows';
import { startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

beforeAll(async () => {
  double = await startOllamaDouble();
  // Draws alternate: the first new conversation goes to the candidate, the second stays on control.
  const draws = [0, 0.99];
  let i = 0;
  server = await startTestServer({
    ollamaUrl: double.url,
    random: () => draws[i++ % draws.length] ?? 0,
    config: { experiment: { name: 'cards-8b', candidate: 'qwen3:8b', share: 0.5 } },
  });
});
afterAll(async () => {
  await server.close();
  await double.close();
});

/** One answer showing the jacket and the grinder. */
async function answerWithCards(shopper: Shopper) {
  double.enqueueChat(
    { toolCalls: [{ name: 'get_product', arguments: { id: 'JKT-300' } }] },
    { chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) and the [grinder](product:GRD-400).') },
  );
  const answer = await ask(shopper, 'Rain jacket and a coffee grinder?');
  expect(answer.message.products.map((p) => p.id)).toEqual(['JKT-300', 'GRD-400']);
  return { conversationId: answer.conversationId, messageId: answer.message.id };
}

const storedClicks = () =>
  server.app.db.kysely.selectFrom('card_clicks').select(['message_id', 'product_id', 'kind']).orderBy('id').execute();

describe('clicks on answer cards', () => {
  let candidate: { conversationId: string; messageId: string };
  let control: { conversationId: string; messageId: string };
  let shopper: Shopper;

  it('are stored when the card is on that answer, and refused for any other product or conversation', async () => {
    shopper = await server.shopper();
    candidate = await answerWithCards(shopper);
    control = await answerWithCards(shopper);

    const view = await shopper.request('chat:card-click', { ...candidate, productId: 'JKT-300', kind: 'view' });
    expect(view).toEqual({ ok: true, data: null });

    // A real product, but not one this answer showed: a script cannot inflate the figures with it.
    const notShown = await shopper.request('chat:card-click', { ...candidate, productId: 'SHOE-100', kind: 'view' });
    expect(notShown).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    // Someone else's conversation, with a product its answer did show.
    const stranger = await server.shopper();
    const foreign = await stranger.request('chat:card-click', { ...candidate, productId: 'JKT-300', kind: 'cart' });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'not-found' } });
    stranger.close();

    // Not a kind the page sends.
    const odd = await shopper.request('chat:card-click', { ...candidate, productId: 'JKT-300', kind: 'buy' } as never);
    expect(odd).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    await shopper.request('chat:card-click', { ...control, productId: 'GRD-400', kind: 'cart' });
    expect(await storedClicks()).toEqual([
      { message_id: candidate.messageId, product_id: 'JKT-300', kind: 'view' },
      { message_id: control.messageId, product_id: 'GRD-400', kind: 'cart' },
    ]);
  });

  it('show on the dashboard per model and per experiment arm', async () => {
    // A second view on the same answer still counts that answer once.
    await shopper.request('chat:card-click', { ...candidate, productId: 'GRD-400', kind: 'view' });
    const cookie = await signIn(server, await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' }));

    const dashboard = await api<Dashboard>(server, 'GET', '/api/agent/dashboard', { cookie });
    if (!dashboard.body.ok) throw new Error(dashboard.body.error.message);
    const perModel = dashboard.body.data.cardClicksPerModel;
    expect(perModel.find((m) => m.model === 'qwen3:8b')).toEqual({
      model: 'qwen3:8b',
      answersWithCards: 1,
      productClickRate: 1,
      addToCartRate: 0,
    });
    const other = perModel.find((m) => m.model !== 'qwen3:8b');
    expect(other).toMatchObject({ answersWithCards: 1, productClickRate: 0, addToCartRate: 1 });

    const experiments = await api<Experiments>(server, 'GET', '/api/agent/experiments', { cookie });
    if (!experiments.body.ok) throw new Error(experiments.body.error.message);
    const arms = experiments.body.data.experiments.find((e) => e.name === 'cards-8b')?.arms ?? [];
    expect(arms.map((a) => [a.arm, a.answersWithCards, a.productClickRate, a.addToCartRate])).toEqual([
      ['candidate', 1, 1, 0],
      ['control', 1, 0, 1],
    ]);
    shopper.close();
  });
});
