import type { ChatMessage } from '@aisle/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type ChatRequestBody, type OllamaDouble, type ScriptedChatSpec } from '../ollama-double';
import { ask, messageRow } from '../helpers/chatFlows';
import { nextEvent, startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server.close();
  await double.close();
});

async function start() {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
}

/** A model that links every product of the last tool result it was given. */
function recommendLastToolResult(request: ChatRequestBody): ScriptedChatSpec {
  const last = (request.messages ?? []).filter((m) => m.role === 'tool').at(-1)?.content ?? '{}';
  const results = (JSON.parse(last) as { results?: Array<{ id: string; title: string }> }).results ?? [];
  return { chunks: text(results.map((p) => `- [${p.title}](product:${p.id})`).join('\n') || 'Nothing matched.') };
}

/** The constraints line the server put in the model's context. */
function constraintsLine(request: ChatRequestBody | undefined): Record<string, unknown> {
  const line = (request?.messages ?? []).find((m) => m.role === 'system' && m.content.startsWith('What the shopper asked for'));
  return JSON.parse(line?.content.slice(line.content.indexOf('{')) ?? '{}') as Record<string, unknown>;
}

const cardIds = (message: ChatMessage) => message.products.map((p) => p.id.replace(/-\d+$/, ''));

describe('constraints the shopper sees and edits', () => {
  it('sends the understood constraints with the answer, and an edit re-searches the cards and reaches the next model turn', async () => {
    await start();
    double.enqueueChat(recommendLastToolResult);
    const shopper = await server.shopper();
    const first = await ask(shopper, 'waterproof trail shoes under $120');

    expect(first.message.constraints).toMatchObject({
      category: 'Shoes',
      priceMax: 120,
      features: ['waterproof'],
      currency: 'USD',
    });
    // The $189 Summit Pro is over the budget: the first answer only shows the $109.99 Ridgeback.
    expect(cardIds(first.message)).toEqual(['TRL-100']);

    // Every tab of the conversation hears about the edit.
    const refinedEvent = nextEvent(shopper.socket, 'chat:refined', (e) => e.message.id === first.message.id);
    const edited = await shopper.request('chat:refine', {
      conversationId: first.conversationId,
      messageId: first.message.id,
      constraints: { category: 'Shoes', features: ['waterproof'] },
    });
    expect(edited.ok).toBe(true);
    if (!edited.ok) return;
    // Without the price chip the cards are searched again at once (no model call) and include the Summit Pro.
    expect(cardIds(edited.data)).toEqual(expect.arrayContaining(['TRL-100', 'TRL-200']));
    expect(edited.data.constraints?.priceMax).toBeUndefined();
    expect(double.chatRequests()).toHaveLength(1);
    expect(cardIds((await refinedEvent).message)).toEqual(cardIds(edited.data));
    // Stored: a reload shows the edited chips and cards.
    const row = await messageRow(server, first.message.id);
    expect(JSON.parse(row.constraints ?? '{}')).toMatchObject({ category: 'Shoes', features: ['waterproof'] });
    expect(JSON.parse(row.products ?? '[]')).toHaveLength(edited.data.products.length);

    // The next turn starts from the edited constraints: no budget in the model's context or its search.
    double.enqueueChat(recommendLastToolResult);
    const second = await ask(shopper, 'do you have those in size 44?', first.conversationId);
    const request = double.chatRequests().at(-1);
    expect(constraintsLine(request)).toMatchObject({ category: 'Shoes', size: '44', features: ['waterproof'] });
    expect(constraintsLine(request)).not.toHaveProperty('priceMax');
    const prefetch = request?.messages?.find((m) => m.role === 'assistant' && m.tool_calls)?.tool_calls?.[0]?.function.arguments;
    expect(prefetch).toMatchObject({ category: 'Shoes', size: '44' });
    expect(prefetch).not.toHaveProperty('max_price');
    expect(second.message.constraints).toMatchObject({ category: 'Shoes', size: '44' });
    shopper.close();
  });

  it('resets the constraints when the subject changes, so a grinder after shoes gets no false category note', async () => {
    await start();
    double.enqueueChat(recommendLastToolResult);
    const shopper = await server.shopper();
    const first = await ask(shopper, 'trail shoes under $200');
    double.enqueueChat({ chunks: text('For espresso, the [Quietburr Conical Coffee Grinder](product:GRD-400) is $129.00.') });
    const second = await ask(shopper, 'an espresso grinder and a tent', first.conversationId);

    expect(second.message.constraints?.category).toBeUndefined();
    expect(second.message.constraints?.priceMax).toBeUndefined();
    expect(second.message.corrections ?? []).toEqual([]);
    shopper.close();
  });

  it('adds what the model’s search arguments agree on to the constraints the shopper sees', async () => {
    await start();
    double.enqueueChat(
      {
        toolCalls: [{ name: 'search_products', arguments: { query: 'trail shoes', color: 'orange' } }],
      },
      recommendLastToolResult,
    );
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'trail shoes please');
    // The category comes from the shopper's words, the colour from the model's search.
    expect(message.constraints).toMatchObject({ category: 'Shoes', colour: 'Orange' });
    expect(cardIds(message)).toEqual(['TRL-200']);
    shopper.close();
  });

  it('refuses an edit that is not valid, or of a conversation that is not the shopper’s', async () => {
    await start();
    double.enqueueChat(recommendLastToolResult);
    const shopper = await server.shopper();
    const first = await ask(shopper, 'trail shoes under $200');
    const backwards = await shopper.request('chat:refine', {
      conversationId: first.conversationId,
      messageId: first.message.id,
      constraints: { priceMin: 90, priceMax: 10, features: [] },
    });
    expect(backwards).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const stranger = await server.shopper();
    const foreign = await stranger.request('chat:refine', {
      conversationId: first.conversationId,
      messageId: first.message.id,
      constraints: { features: [] },
    });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'not-found' } });
    shopper.close();
    stranger.close();
  });
});
