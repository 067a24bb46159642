import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OLLAMA_ERRORS, startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { answerEnd, ask, clientMessageId, conversationRows, deltasReceived, laterId, openTab } from '../helpers/chatFlows';
import { collectDeltas, startTestServer, type TestServer } from '../helpers/testServer';

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

const LONG_ANSWER = Array.from({ length: 80 }, (_, i) => `token${i}`).join(' ');

describe('reloading the page mid-answer', () => {
  it('resumes with the text so far and continues exactly where it left off', async () => {
    double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 20 });
    const shopper = await server.shopper();
    const answerId = laterId();
    const someText = deltasReceived(shopper.socket, answerId.get, 5);
    const sent = await shopper.request('chat:send', { clientMessageId: clientMessageId(), text: 'Tell me a long story' });
    if (!sent.ok) throw new Error(sent.error.code);
    answerId.set(sent.data.assistantMessageId);
    const { conversationId, assistantMessageId: messageId } = sent.data;
    await someText;

    // The reloaded tab: same cookie, new socket. It listens before asking, like the client does.
    const tab = await openTab(server, shopper.cookie);
    const tabDeltas = collectDeltas(tab.socket);
    const ended = answerEnd(tab.socket, answerId.get);
    const snapshot = await tab.request('chat:resume', { conversationId });

    expect(snapshot.ok).toBe(true);
    if (!snapshot.ok) return;
    expect(snapshot.data.messages.map((m) => [m.role, m.content])).toEqual([['user', 'Tell me a long story']]);
    const live = snapshot.data.live;
    expect(live).toMatchObject({ messageId, phase: 'writing' });
    expect(live?.content.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(live?.content ?? '-')).toBe(true);

    const { message } = await ended;
    expect(message.content).toBe(LONG_ANSWER);
    const events = tabDeltas.events(message.id);
    let offset = live?.content.length ?? 0;
    for (const e of events) {
      expect(e.offset).toBe(offset);
      offset += e.text.length;
    }
    expect((live?.content ?? '') + tabDeltas.text(message.id)).toBe(message.content);
  });

  it('returns the whole conversation with statuses, cards and errors once answers have ended', async () => {
    double.enqueueChat(
      { chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale.') },
      { status: 500, error: OLLAMA_ERRORS.runner },
    );
    const shopper = await server.shopper();
    const first = await ask(shopper, 'Rain jacket?');
    await ask(shopper, 'And boots?', first.conversationId);

    const tab = await openTab(server, shopper.cookie);
    const snapshot = await tab.request('chat:resume', { conversationId: first.conversationId });

    expect(snapshot.ok).toBe(true);
    if (!snapshot.ok) return;
    expect(snapshot.data.live).toBeNull();
    const [question, answer, question2, failed] = snapshot.data.messages;
    expect(snapshot.data.messages).toHaveLength(4);
    expect(question).toMatchObject({ role: 'user', content: 'Rain jacket?', status: 'complete' });
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'complete',
      content: 'The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale.',
      error: null,
    });
    expect(answer?.products.map((p) => [p.id, p.salePrice?.amountMinor])).toEqual([['JKT-300', 11900]]);
    expect(question2).toMatchObject({ role: 'user', content: 'And boots?' });
    expect(failed).toMatchObject({ role: 'assistant', status: 'error', error: { code: 'model-error' } });
  });

  it('does not show a conversation to another shopper', async () => {
    const owner = await server.shopper();
    const { conversationId } = await ask(owner, 'Rain jacket?');
    const stranger = await server.shopper();

    const snapshot = await stranger.request('chat:resume', { conversationId });

    expect(snapshot.ok).toBe(false);
    if (!snapshot.ok) expect(snapshot.error.code).toBe('not-found');
  });
});

describe('resending a message after a network drop', () => {
  it('stores a resent message once and answers it once', async () => {
    const shopper = await server.shopper();
    const first = await ask(shopper, 'Rain jacket?');
    const payload = { conversationId: first.conversationId, clientMessageId: clientMessageId(), text: 'Warm gloves?' };
    const answerId = laterId();
    const ended = answerEnd(shopper.socket, answerId.get);
    const sent = await shopper.request('chat:send', payload);
    if (!sent.ok) throw new Error(sent.error.code);
    answerId.set(sent.data.assistantMessageId);
    await ended;
    const requestsBefore = double.chatRequests().length;

    const resent = await shopper.request('chat:send', payload);

    expect(resent).toEqual(sent);
    const rows = await conversationRows(server, first.conversationId);
    expect(rows.filter((r) => r.content === 'Warm gloves?')).toHaveLength(1);
    expect(rows).toHaveLength(4);
    expect(double.chatRequests()).toHaveLength(requestsBefore);
  });

  it('acknowledges a resend that arrives while its answer is still being written', async () => {
    const shopper = await server.shopper();
    const first = await ask(shopper, 'Rain jacket?');
    double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 20 });
    const payload = { conversationId: first.conversationId, clientMessageId: clientMessageId(), text: 'Tell me more' };
    const sent = await shopper.request('chat:send', payload);
    if (!sent.ok) throw new Error(sent.error.code);

    const resent = await shopper.request('chat:send', payload);

    expect(resent).toEqual(sent);
    const rows = await conversationRows(server, first.conversationId);
    expect(rows.filter((r) => r.content === 'Tell me more')).toHaveLength(1);
  });

  it('does not start a second chat when the first message of a chat is resent', async () => {
    const shopper = await server.shopper();
    const payload = { clientMessageId: clientMessageId(), text: 'Rain jacket?' };
    const answerId = laterId();
    const ended = answerEnd(shopper.socket, answerId.get);
    const sent = await shopper.request('chat:send', payload);
    if (!sent.ok) throw new Error(sent.error.code);
    answerId.set(sent.data.assistantMessageId);
    await ended;

    // The browser never got the acknowledgement, so it does not know the conversation id either.
    const resent = await shopper.request('chat:send', payload);

    expect(resent.ok && resent.data.conversationId).toBe(sent.data.conversationId);
    const stored = await server.app.db.kysely
      .selectFrom('messages')
      .select('conversation_id')
      .where('client_message_id', '=', payload.clientMessageId)
      .execute();
    expect(stored).toHaveLength(1);
  });
});
