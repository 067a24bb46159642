import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type ChatRequestBody, type OllamaDouble, type ScriptedChatSpec } from '../ollama-double';
import { agentRequest, connectAgent, createAgentAccount, signIn } from '../helpers/agentClient';
import { ask, clientMessageId } from '../helpers/chatFlows';
import { nextEvent, startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

async function start() {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
}
afterEach(async () => {
  await server.close();
  await double.close();
});

const systemPromptOf = (request: ChatRequestBody | undefined) =>
  request?.messages?.find((m) => m.role === 'system')?.content ?? '';

/** The ids in the last tool result a request carries (what the model was just shown). */
function lastToolResultIds(request: ChatRequestBody | undefined): string[] {
  const last = request?.messages?.findLast((m) => m.role === 'tool');
  if (last === undefined) return [];
  const parsed = JSON.parse(last.content) as { results?: Array<{ id: string }> };
  return (parsed.results ?? []).map((r) => r.id);
}

/** A model that answers in German, linking every product of the search it was just shown. */
function answerInGerman(request: ChatRequestBody): ScriptedChatSpec {
  const ids = lastToolResultIds(request);
  const lines = ids.map((id) => `- [Produkt](product:${id})`);
  return { chunks: text(lines.length > 0 ? `Hier ist eine leise Mühle:\n${lines.join('\n')}` : 'Leider nichts gefunden.') };
}

describe('answering in the shopper’s language', () => {
  it('reaches products for a German question through the model’s own search, with cards from that search', async () => {
    await start();
    // The catalogue is English: the server's search on the German words finds nothing, so the model
    // (told to answer in German) searches again in the catalogue's language, as the prompt asks.
    double.enqueueChat(
      { toolCalls: [{ name: 'search_products', arguments: { query: 'quiet coffee grinder' } }] },
      answerInGerman,
    );
    const shopper = await server.shopper();
    const { message } = await ask(shopper, 'Ich suche eine Kaffeemühle, die leise mahlt', undefined, { locale: 'de' });

    const [first, second] = double.chatRequests();
    const prompt = systemPromptOf(first);
    expect(prompt).toContain('Write your answer in German');
    expect(prompt).toContain('German (Deutsch)');
    // The pre-answer search found nothing for the German words and did not stop the model searching.
    expect(lastToolResultIds(first)).toEqual([]);
    expect((first?.tools ?? []).map((t) => t.function.name)).toContain('search_products');
    expect(lastToolResultIds(second)).toEqual(['GRD-400']);

    expect(message.status).toBe('complete');
    expect(message.content).toMatch(/^Hier ist eine leise Mühle/);
    // The card is the catalogue's row (English title, database price), not the model's "Produkt".
    expect(message.products.map((p) => [p.id, p.title])).toEqual([['GRD-400', 'Quietburr Conical Coffee Grinder']]);
  });

  it('tells the model each supported language by name, and falls back to the question’s language without one', async () => {
    await start();
    for (let i = 0; i < 4; i += 1) double.enqueueChat({ chunks: text('ok') });
    const shopper = await server.shopper();
    await ask(shopper, 'Busco una chaqueta', undefined, { locale: 'es' });
    await ask(shopper, '我想要一件雨衣', undefined, { locale: 'zh-CN' });
    await ask(shopper, 'Rain jacket?');

    const prompts = double.chatRequests().map(systemPromptOf);
    expect(prompts[0]).toContain('Write your answer in Spanish');
    expect(prompts[1]).toContain('Write your answer in Simplified Chinese');
    expect(prompts[2]).toContain("Reply in the shopper's language (the language of their last message)");
    expect(prompts[2]).not.toContain('Write your answer in');
  });

  it('uses the language sent with a retry for the new answer', async () => {
    await start();
    double.enqueueChat({ chunks: text('first') }, { chunks: text('zweite') });
    const shopper = await server.shopper();
    const { conversationId, message } = await ask(shopper, 'Regenjacke?', undefined, { locale: 'de' });
    const ended = new Promise<void>((resolve) => shopper.socket.once('chat:completed', () => resolve()));
    const retried = await shopper.request('chat:retry', { conversationId, messageId: message.id, locale: 'de' });
    expect(retried.ok).toBe(true);
    await ended;
    expect(systemPromptOf(double.chatRequests()[1])).toContain('Write your answer in German');
  });

  it('answers the question left during a take-over in the language the shopper last sent', async () => {
    await start();
    const account = await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' });
    const agent = await connectAgent(server, { cookie: await signIn(server, account) });
    try {
      double.enqueueChat({ chunks: text('Die Jacke gibt es in Rot.') });
      const shopper = await server.shopper();
      const { conversationId } = await ask(shopper, 'Erzähl mir von der Jacke', undefined, { locale: 'de' });
      expect(await agentRequest(agent, 'agent:takeover', { conversationId })).toEqual({ ok: true, data: null });
      const during = await shopper.request('chat:send', {
        conversationId,
        clientMessageId: clientMessageId(),
        text: 'Gibt es sie auch in Blau?',
        locale: 'de',
      });
      expect(during.ok).toBe(true);

      double.enqueueChat({ chunks: text('Ja, auch in Marineblau.') });
      const completed = nextEvent(shopper.socket, 'chat:completed');
      expect(await agentRequest(agent, 'agent:handback', { conversationId })).toEqual({ ok: true, data: null });
      await completed;
      expect(systemPromptOf(double.chatRequests().at(-1))).toContain('Write your answer in German');
    } finally {
      agent.close();
    }
  });

  it('refuses a language the shop does not ship with a clear error, and stores nothing', async () => {
    await start();
    const shopper = await server.shopper();
    const reply = await shopper.request('chat:send', {
      clientMessageId: clientMessageId(),
      text: 'Bonjour',
      locale: 'fr',
    } as never);
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(reply.ok ? '' : reply.error.message).toMatch(/locale/);
    expect(double.chatRequests()).toHaveLength(0);
    const rows = await server.app.db.kysely.selectFrom('messages').select('id').execute();
    expect(rows).toHaveLength(0);
  });
});
