import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  startOllamaDouble,
  text,
  thoughts,
  type ChatRequestBody,
  type OllamaDouble,
  type ScriptedChatSpec,
} from '../ollama-double';
import { ask, messageRow, recordEvents } from '../helpers/chatFlows';
import { collectDeltas, startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

async function start(config: Parameters<typeof startTestServer>[0]['config'] = {}) {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url, config });
}
afterEach(async () => {
  await server.close();
  await double.close();
});

/** A tool result as the model receives it. */
const toolResultSchema = z.object({
  note: z.string(),
  results: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        price: z.string(),
        availability: z.string(),
        size: z.string().nullable().optional(),
      }),
    )
    .optional(),
  count: z.number().optional(),
  product: z.object({ id: z.string(), title: z.string() }).optional(),
  error: z.string().optional(),
});
type ToolResult = z.infer<typeof toolResultSchema>;

/** The tool results (role "tool") in one request to the model, in order. */
function toolResults(request: ChatRequestBody | undefined): Array<{ toolName: string | undefined; result: ToolResult }> {
  return (request?.messages ?? [])
    .filter((m) => m.role === 'tool')
    .map((m) => ({ toolName: m.tool_name, result: toolResultSchema.parse(JSON.parse(m.content)) }));
}

function dollars(price: string): number {
  return Number(price.replace(/[^0-9.]/g, ''));
}

/** A model that recommends, as product links, every product in the last tool result it was given. */
function recommendLastToolResult(request: ChatRequestBody): ScriptedChatSpec {
  const last = toolResults(request).at(-1)?.result;
  const products = last?.results ?? (last?.product ? [last.product] : []);
  const lines = products.map((p) => `- [${p.title}](product:${p.id})`);
  return { chunks: text(lines.length > 0 ? `Here you go:\n${lines.join('\n')}` : 'Nothing matched, sorry.') };
}

describe('tool loop: the model searches the catalogue', () => {
  it('runs the search with budget, size and stock filters, hands the model only matching products marked as data, and shows those as cards', async () => {
    await start();
    double.enqueueChat(
      {
        toolCalls: [{ name: 'search_products', arguments: { query: 'trail shoe', max_price: 150, size: '44', in_stock: true } }],
      },
      recommendLastToolResult,
    );
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'I need shoes for the mountains');

    const requests = double.chatRequests();
    expect(requests).toHaveLength(2);
    const modelSearch = toolResults(requests[1]).at(-1);
    expect(modelSearch?.toolName).toBe('search_products');
    const results = modelSearch?.result.results ?? [];
    // Without filters the search also finds the $189 Summit Pro and the out-of-stock size 46.
    expect(results.map((r) => r.id)).toEqual(['TRL-100-44']);
    for (const r of results) {
      expect(dollars(r.price)).toBeLessThanOrEqual(150);
      expect(r.size).toBe('44');
      expect(r.availability).toBe('in_stock');
    }
    expect(results[0]?.price).toBe('$109.99');
    expect(modelSearch?.result.note).toMatch(/not an instruction/i);

    expect(message.status).toBe('complete');
    expect(message.products.map((p) => p.id)).toEqual(['TRL-100-44']);
  });

  it('executes tool calls that arrive in the final done chunk', async () => {
    await start();
    double.enqueueChat(
      { toolCalls: [{ name: 'search_products', arguments: { query: 'rain jacket' } }], toolCallPlacement: 'in-done' },
      recommendLastToolResult,
    );
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Something for wet weather?');

    const requests = double.chatRequests();
    expect(requests).toHaveLength(2);
    expect(
      toolResults(requests[1])
        .at(-1)
        ?.result.results?.map((r) => r.id),
    ).toEqual(['JKT-300']);
    expect(message.products.map((p) => p.id)).toEqual(['JKT-300']);
  });

  it('executes every tool call when several are spread across chunks', async () => {
    await start();
    double.enqueueChat(
      {
        toolCalls: [
          { name: 'search_products', arguments: { query: 'coffee grinder' } },
          { name: 'get_product', arguments: { id: 'JKT-300' } },
        ],
        toolCallPlacement: 'spread',
      },
      { chunks: text('The [Quietburr](product:GRD-400) grinds quietly and the [Stormline](product:JKT-300) keeps you dry.') },
    );
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'A grinder and a jacket please');

    const second = double.chatRequests()[1];
    const assistantTurn = second?.messages?.findLast((m) => m.role === 'assistant');
    expect(assistantTurn?.tool_calls?.map((c) => c.function.name)).toEqual(['search_products', 'get_product']);
    const [, search, details] = toolResults(second);
    expect(search?.toolName).toBe('search_products');
    expect(search?.result.results?.map((r) => r.id)).toContain('GRD-400');
    expect(details?.toolName).toBe('get_product');
    expect(details?.result.product?.id).toBe('JKT-300');
    expect(message.products.map((p) => p.id)).toEqual(['GRD-400', 'JKT-300']);
  });

  it('answers get_product for an unknown id with an error to the model, and the answer still completes', async () => {
    await start();
    double.enqueueChat(
      { toolCalls: [{ name: 'get_product', arguments: { id: 'NOPE-1' } }] },
      { chunks: text('I could not find that product.') },
    );
    const shopper = await server.shopper();
    const { event, message } = await ask(shopper, 'Tell me about NOPE-1');

    const result = toolResults(double.chatRequests()[1]).at(-1)?.result;
    expect(result?.error).toMatch(/no product with id NOPE-1/);
    expect(result?.product).toBeUndefined();
    expect(event).toBe('chat:completed');
    expect(message).toMatchObject({ status: 'complete', content: 'I could not find that product.', products: [] });
  });

  it('offers no tools on the last round, so a model that keeps searching still has to answer', async () => {
    await start({ chat: { maxToolRounds: 3 } });
    const keepSearching = (request: ChatRequestBody): ScriptedChatSpec =>
      (request.tools?.length ?? 0) > 0
        ? { toolCalls: [{ name: 'search_products', arguments: { query: 'shoes' } }] }
        : { chunks: text('The Ridgeback Waterproof Trail Shoe is the best fit.') };
    double.enqueueChat(keepSearching, keepSearching, keepSearching, keepSearching);
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Shoes?');

    const requests = double.chatRequests();
    expect(requests.map((r) => (r.tools?.length ?? 0) > 0)).toEqual([true, true, false]);
    expect(message.status).toBe('complete');
    expect(message.content).toBe('The Ridgeback Waterproof Trail Shoe is the best fit.');
  });

  it('ends the answer when the model calls a tool on the last round anyway, without running it', async () => {
    await start({ chat: { maxToolRounds: 2 } });
    const stubborn: ScriptedChatSpec = {
      chunks: text('Let me look.'),
      toolCalls: [{ name: 'search_products', arguments: { query: 'x' } }],
    };
    double.enqueueChat(stubborn, stubborn, stubborn);
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Shoes?');

    expect(double.chatRequests()).toHaveLength(2);
    expect(message.status).toBe('complete');
    expect(message.content).toContain('Let me look.');
  });

  it('puts a catalogue search for the shopper\u2019s words in front of the model before its first call', async () => {
    await start();
    double.enqueueChat({ chunks: text('The Ridgeback Waterproof Trail Shoe fits your budget.') });
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Waterproof trail shoes under $150, size 44');

    const requests = double.chatRequests();
    expect(requests).toHaveLength(1);
    const first = requests[0]?.messages ?? [];
    const searchCall = first.find((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0)?.tool_calls?.[0]?.function;
    expect(searchCall).toMatchObject({
      name: 'search_products',
      arguments: { query: 'Waterproof trail shoes under $150, size 44', max_price: 150, size: '44' },
    });
    const prefetch = toolResults(requests[0]);
    expect(prefetch).toHaveLength(1);
    expect(prefetch[0]?.toolName).toBe('search_products');
    expect(prefetch[0]?.result.note).toMatch(/not an instruction/i);
    expect(prefetch[0]?.result.results?.map((r) => r.id)).toEqual(['TRL-100-44']);
    // The answer names the product without a link; it is one of this turn's results, so it gets a card.
    expect(message.products.map((p) => p.id)).toEqual(['TRL-100-44']);
  });

  it('shows no card for a product id the model invented', async () => {
    await start();
    double.enqueueChat({
      chunks: text('Take the [Free TV](product:FAKE-1) or the [Stormline 2.5L Rain Jacket](product:JKT-300).'),
    });
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Anything free?');

    expect(message.products.map((p) => p.id)).toEqual(['JKT-300']);
    const stored = await messageRow(server, message.id);
    expect(stored.products).not.toContain('FAKE-1');
  });

  it('keeps the text the model wrote before calling a tool', async () => {
    await start();
    double.enqueueChat(
      {
        chunks: text('Let me check the catalogue.'),
        toolCalls: [{ name: 'search_products', arguments: { query: 'rain jacket' } }],
      },
      { chunks: text('The [Stormline](product:JKT-300) is waterproof.') },
    );
    const shopper = await server.shopper();
    const deltas = collectDeltas(shopper.socket);
    const { message } = await ask(shopper, 'Rain jacket?');

    expect(message.content).toMatch(/^Let me check the catalogue\.\s+The \[Stormline\]\(product:JKT-300\) is waterproof\.$/);
    expect(deltas.text(message.id)).toBe(message.content);
    expect(double.chatRequests()[1]?.messages?.findLast((m) => m.role === 'assistant')?.content).toBe(
      'Let me check the catalogue.',
    );
  });

  it('stores thinking on the server and never shows it to the shopper, splitting a mixed chunk correctly', async () => {
    await start();
    double.enqueueChat({
      chunks: [
        ...thoughts('The shopper wants a jacket.'),
        { thinking: ' Stormline fits.', content: 'The' },
        ...text(' Stormline is great.'),
      ],
    });
    const shopper = await server.shopper();
    const events = recordEvents(shopper.socket);
    const deltas = collectDeltas(shopper.socket);
    const { conversationId, message } = await ask(shopper, 'Jacket?');

    expect(message.content).toBe('The Stormline is great.');
    expect(deltas.text(message.id)).toBe('The Stormline is great.');
    const stored = await messageRow(server, message.id);
    expect(stored.thinking).toBe('The shopper wants a jacket. Stormline fits.');
    expect(stored.content).toBe('The Stormline is great.');

    const snapshot = await shopper.request('chat:resume', { conversationId });
    const seenByShopper = JSON.stringify([events, snapshot]);
    expect(seenByShopper).not.toContain('wants a jacket');
    expect(seenByShopper).not.toContain('Stormline fits');
  });

  it('stores token counts, timings, model and config version of the answer on its row', async () => {
    await start();
    double.enqueueChat(
      { toolCalls: [{ name: 'search_products', arguments: { query: 'rain jacket' } }], evalCount: 7, promptEvalCount: 300 },
      { chunks: text('The Stormline is on sale.'), evalCount: 42, promptEvalCount: 321 },
    );
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Rain jacket?');

    const row = await messageRow(server, message.id);
    // Both model calls of the answer count.
    expect(row).toMatchObject({
      eval_count: 49,
      prompt_eval_count: 621,
      model: 'qwen3:4b',
      config_version: server.config.version,
      done_reason: 'stop',
    });
    expect(row.first_token_ms).toEqual(expect.any(Number));
    expect(row.first_token_ms).toBeGreaterThanOrEqual(0);
    expect(row.total_ms).toBeGreaterThanOrEqual(row.first_token_ms ?? 0);
    expect(row.eval_duration_ns).toBeGreaterThan(0);
    expect(row.total_duration_ns).toBeGreaterThan(0);
  });

  it('shows the shopper that the catalogue is being searched, even for the first message of a chat', async () => {
    await start();
    double.enqueueChat({ chunks: text('Here is the Stormline.') });
    const shopper = await server.shopper();
    const events = recordEvents(shopper.socket);
    const { message } = await ask(shopper, 'Rain jacket?');

    const mine = events.filter((e) => e.event !== 'chat:delta' && 'messageId' in e.payload && e.payload.messageId === message.id);
    expect(mine[0]?.event).toBe('chat:started');
    const phases = events.flatMap((e) => (e.event === 'chat:status' ? [e.payload.phase] : []));
    expect(phases).toContain('searching');
    expect(phases.indexOf('searching')).toBeLessThan(phases.indexOf('writing'));
  });
});
