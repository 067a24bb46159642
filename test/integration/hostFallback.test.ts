import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { nextEvent, startTestServer, type TestServer } from '../helpers/testServer';

let gpu: OllamaDouble;
let fallback: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server.close();
  await gpu.close();
  await fallback.close();
});

describe('several Ollama hosts', () => {
  it('serves from the next host when the preferred one is down, and the trace says so', async () => {
    gpu = await startOllamaDouble();
    fallback = await startOllamaDouble();
    server = await startTestServer({
      ollamaUrl: gpu.url,
      config: {
        ollama: {
          hosts: [
            { name: 'gpu', url: gpu.url },
            { name: 'fallback', url: fallback.url },
          ],
        },
      },
    });
    await gpu.setDown(true);
    fallback.enqueueChat({ chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) keeps you dry.') });
    const shopper = await server.shopper();
    const completed = nextEvent(shopper.socket, 'chat:completed');
    await shopper.request('chat:send', { clientMessageId: 'fallback-msg-1', text: 'rain jacket' });
    const { message } = await completed;
    expect(message.status).toBe('complete');
    expect(message.products.map((p) => p.id)).toEqual(['JKT-300']);
    expect(fallback.chatRequests()).toHaveLength(1);
    const row = await server.app.db.kysely
      .selectFrom('messages')
      .select('served_by')
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.served_by ?? 'null')).toMatchObject({ hostName: 'fallback', isFallback: true });
  });
});
