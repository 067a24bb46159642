import { Ollama } from 'ollama';
import type { ChatResponse, Message, Tool } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OllamaDouble } from './index';
import { NO_RESULTS_REPLY, startOllamaDouble } from './index';

let double: OllamaDouble;
let ollama: Ollama;

beforeAll(async () => {
  double = await startOllamaDouble();
  ollama = new Ollama({ host: double.url });
});

afterAll(async () => {
  await double.close();
});

const searchTool: Tool = {
  type: 'function',
  function: {
    name: 'search_products',
    description: 'Search the catalogue',
    parameters: {
      type: 'object',
      properties: { query: { type: 'string' }, max_price: { type: 'number' } },
      required: ['query'],
    },
  },
};

async function ask(messages: Message[], options: { tools?: Tool[]; think?: boolean } = {}) {
  const stream = await ollama.chat({
    model: 'qwen3:8b',
    messages,
    stream: true,
    think: options.think ?? false,
    ...(options.tools ? { tools: options.tools } : {}),
  });
  const chunks: ChatResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return {
    chunks,
    content: chunks.map((chunk) => chunk.message.content).join(''),
    thinking: chunks.map((chunk) => chunk.message.thinking ?? '').join(''),
    toolCalls: chunks.flatMap((chunk) => chunk.message.tool_calls ?? []),
  };
}

function afterSearch(toolContent: string): Message[] {
  return [
    { role: 'user', content: 'Trail shoes please' },
    {
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { name: 'search_products', arguments: { query: 'Trail shoes please' } } }],
    },
    { role: 'tool', tool_name: 'search_products', content: toolContent },
  ];
}

describe('demo brain', () => {
  it('searches the catalogue with the shopper text and a max price taken from "under $N"', async () => {
    const answer = await ask([{ role: 'user', content: '  Waterproof   hiking boots under $120, size 42 ' }], {
      tools: [searchTool],
    });

    expect(answer.content).toBe('');
    expect(answer.toolCalls.map((call) => call.function)).toEqual([
      {
        index: 0,
        name: 'search_products',
        arguments: { query: 'Waterproof hiking boots under $120, size 42', max_price: 120 },
      },
    ]);
  });

  it('keeps the query to about 100 characters and ignores prices it was not asked to cap', async () => {
    const long = `I need a warm jacket for ${'very '.repeat(40)}cold winters`;
    const answer = await ask([{ role: 'user', content: long }], { tools: [searchTool] });
    const args = answer.toolCalls[0]?.function.arguments ?? {};

    expect(String(args.query).length).toBeLessThanOrEqual(100);
    expect(long.startsWith(String(args.query))).toBe(true);
    expect(args).not.toHaveProperty('max_price');
  });

  it('recommends up to three results as product links with the prices it was given', async () => {
    const results = {
      results: [
        {
          id: 'SKU-1',
          title: 'Trail Runner GTX',
          brand: 'Peak',
          price: '119.99 USD',
          availability: 'in_stock',
          rating: 4.5,
        },
        { id: 'SKU-2', title: 'Ridge Walker', brand: 'Peak', price: '89.00 USD', availability: 'in_stock', rating: 4 },
        { id: 'SKU-3', title: 'Mud Grip', brand: 'Terra', price: '74.50 USD', availability: 'out_of_stock' },
        { id: 'SKU-4', title: 'Fourth Shoe', price: '10.00 USD' },
      ],
      total: 4,
    };
    const answer = await ask(afterSearch(JSON.stringify(results)), { tools: [searchTool] });

    expect(answer.toolCalls).toEqual([]);
    expect(answer.chunks.length).toBeGreaterThan(10);
    expect(answer.content).toBe(
      'Here are a few options from the catalogue:\n\n' +
        '- [Trail Runner GTX](product:SKU-1) — 119.99 USD, rated 4.5.\n' +
        '- [Ridge Walker](product:SKU-2) — 89.00 USD, rated 4.\n' +
        '- [Mud Grip](product:SKU-3) — 74.50 USD.\n\n' +
        'Would you like more details on any of these?',
    );
  });

  it('finds products wherever the tool result nests them', async () => {
    const nested = {
      ok: true,
      data: { page: 1, items: [{ id: 'A-9', title: 'Kettle', price: { amountMinor: 2999, currency: 'EUR' } }] },
    };
    const answer = await ask(afterSearch(JSON.stringify(nested)));

    expect(answer.content).toContain('- [Kettle](product:A-9) — 29.99 EUR.');
  });

  it('says it found nothing when the search came back empty', async () => {
    const answer = await ask(afterSearch(JSON.stringify({ results: [], total: 0 })), { tools: [searchTool] });

    expect(answer.content).toBe(NO_RESULTS_REPLY);
  });

  it('answers a plain question without tools by echoing it', async () => {
    const answer = await ask([{ role: 'user', content: 'Do you ship to Norway?' }]);

    expect(answer.content).toBe(
      'Thanks for asking about "Do you ship to Norway". Tell me what you are looking for, and I will check the catalogue for you.',
    );
  });

  it('thinks before acting when thinking is on', async () => {
    const answer = await ask([{ role: 'user', content: 'Red socks' }], { tools: [searchTool], think: true });

    expect(answer.thinking).toBe('The shopper wants "Red socks". I\'ll search the catalogue.');
    expect(answer.chunks.findIndex((chunk) => chunk.message.tool_calls)).toBeGreaterThan(0);
  });
});
