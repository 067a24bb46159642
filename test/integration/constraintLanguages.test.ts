import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type ChatRequestBody, type OllamaDouble } from '../ollama-double';
import { ask } from '../helpers/chatFlows';
import { startTestServer, type TestServer } from '../helpers/testServer';

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

/** The constraints line the server put in the model's context. */
function constraintsLine(request: ChatRequestBody | undefined): Record<string, unknown> {
  const line = (request?.messages ?? []).find((m) => m.role === 'system' && m.content.startsWith('What the shopper asked for'));
  return JSON.parse(line?.content.slice(line.content.indexOf('{')) ?? '{}') as Record<string, unknown>;
}

/** The server's own search before the model's first call: its arguments and what it told the model. */
function prefetch(request: ChatRequestBody | undefined): { args: unknown; result: Record<string, unknown> } {
  const messages = request?.messages ?? [];
  const call = messages.find((m) => m.role === 'assistant' && m.tool_calls)?.tool_calls?.[0]?.function.arguments;
  const result = messages.find((m) => m.role === 'tool')?.content ?? '{}';
  return { args: call, result: JSON.parse(result) as Record<string, unknown> };
}

describe('constraints and search in every shopper language', () => {
  it.each([
    ['de', 'Wasserdichte Wanderschuhe unter 120 Dollar, Größe 44', { priceMax: 120, size: '44' }],
    ['es', 'zapatillas impermeables de menos de 100 dólares, talla 42', { priceMax: 100, size: '42' }],
    ['zh-CN', '80美元以下的耳机', { priceMax: 80 }],
  ] as const)(
    '%s: the budget and size reach the chips, the model’s context and the pre-answer search',
    async (locale, question, expected) => {
      await start();
      double.enqueueChat({ chunks: text('ok') });
      const shopper = await server.shopper();
      const { message } = await ask(shopper, question, undefined, { locale });

      // The chips the shopper sees.
      expect(message.constraints).toMatchObject(expected);
      const request = double.chatRequests()[0];
      // The line the model reads, and the filters of the search before its first call.
      expect(constraintsLine(request)).toMatchObject(expected);
      const { args } = prefetch(request);
      expect(args).toMatchObject({
        max_price: expected.priceMax,
        ...('size' in expected ? { size: expected.size } : {}),
      });
      shopper.close();
    },
  );

  it('does not "correct" a German question into unrelated English catalogue words', async () => {
    await start();
    double.enqueueChat({ chunks: text('ok') }, { chunks: text('ok') });
    const shopper = await server.shopper();
    await ask(shopper, 'Schuhe zum Wandern', undefined, { locale: 'de' });
    const german = prefetch(double.chatRequests()[0]).result;
    expect(german).not.toHaveProperty('showing_results_for');
    expect(JSON.stringify(german)).not.toMatch(/lantern/i);

    // An English shopper's typo is still corrected, and the model is told so.
    await ask(shopper, 'waterprof jaket', undefined, { locale: 'en' });
    expect(prefetch(double.chatRequests()[1]).result).toMatchObject({ showing_results_for: 'waterproof jacket' });
    shopper.close();
  });
});
