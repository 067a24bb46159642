import { productSearchReplySchema, replyEnvelopeSchema } from '@aisle/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startOllamaDouble, text, type ChatRequestBody, type OllamaDouble } from '../ollama-double';
import { ask } from '../helpers/chatFlows';
import { startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server.close();
  await double.close();
});

/** A search tool result as the model receives it. */
const searchResultSchema = z.object({
  showing_results_for: z.string().optional(),
  results: z.array(z.object({ id: z.string(), title: z.string() })),
});

function searchResults(request: ChatRequestBody | undefined) {
  return (request?.messages ?? [])
    .filter((m) => m.role === 'tool' && m.tool_name === 'search_products')
    .map((m) => searchResultSchema.parse(JSON.parse(m.content)));
}

async function apiSearch(params: Record<string, string>) {
  const res = await fetch(`${server.url}/api/products?${new URLSearchParams(params)}`);
  const body = replyEnvelopeSchema.parse(await res.json());
  if (!body.ok) throw new Error(body.error.message);
  return productSearchReplySchema.parse(body.data);
}

describe('one catalogue search for the pre-answer search, the model tool and GET /api/products', () => {
  it('finds the same products for a misspelt word in all three, and each says what it searched for', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, catalogue: 'demo', config: { chat: { prefetchProducts: 6 } } });
    double.enqueueChat(
      { toolCalls: [{ name: 'search_products', arguments: { query: 'jaket' } }] },
      { chunks: text('Here are some jackets.') },
    );
    const shopper = await server.shopper();
    await ask(shopper, 'jaket');

    const [prefetch, tool] = searchResults(double.chatRequests()[1]);
    const api = await apiSearch({ q: 'jaket', limit: '6' });

    expect(prefetch?.results.map((r) => r.id)).toHaveLength(6);
    expect(tool?.results.map((r) => r.id)).toEqual(prefetch?.results.map((r) => r.id));
    expect(api.products.map((p) => p.id)).toEqual(prefetch?.results.map((r) => r.id));
    expect(api.products.every((p) => /jacket/i.test(p.title))).toBe(true);
    expect([prefetch?.showing_results_for, tool?.showing_results_for, api.correctedQuery]).toEqual([
      'jacket',
      'jacket',
      'jacket',
    ]);
  });

  it('applies a synonym added to the config without a restart or a reindex', async () => {
    double = await startOllamaDouble();
    server = await startTestServer({ ollamaUrl: double.url, catalogue: 'demo' });
    expect((await apiSearch({ q: 'bergen' })).products).toHaveLength(0);
    expect((await apiSearch({ q: 'rucksack' })).products.length).toBeGreaterThan(0);

    server.reconfigure({ search: { synonyms: [['bergen', 'backpack']] } });
    const found = await apiSearch({ q: 'bergen' });
    expect(found.products.length).toBeGreaterThan(0);
    expect(found.products.every((p) => /pack/i.test(p.title))).toBe(true);
    expect(found.correctedQuery).toBeUndefined();
  });
});
