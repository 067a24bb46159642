import { afterEach, describe, expect, it, vi } from 'vitest';
import { OLLAMA_ERRORS, startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import {
  answerEnd,
  ask,
  clientMessageId,
  conversationRows,
  deltasReceived,
  laterId,
  messageRow,
  openTab,
} from '../helpers/chatFlows';
import { collectDeltas, startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

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

/** A long answer, streamed slowly enough to stop or drop it half way. */
const LONG_ANSWER = Array.from({ length: 160 }, (_, i) => `word${i}`).join(' ');
const slowAnswer = () => ({ chunks: text(LONG_ANSWER), tokenDelayMs: 25 });

/** Sends a message whose answer streams slowly; resolves once the shopper has seen a few deltas. */
async function startSlowAnswer(shopper: Shopper, conversationId?: string) {
  double.enqueueChat(slowAnswer());
  const deltas = collectDeltas(shopper.socket);
  const answerId = laterId();
  const someText = deltasReceived(shopper.socket, answerId.get, 5);
  const reply = await shopper.request('chat:send', {
    clientMessageId: clientMessageId(),
    text: 'Tell me everything',
    ...(conversationId ? { conversationId } : {}),
  });
  if (!reply.ok) throw new Error(reply.error.code);
  answerId.set(reply.data.assistantMessageId);
  await someText;
  return { conversationId: reply.data.conversationId, messageId: reply.data.assistantMessageId, deltas };
}

describe('stopping an answer', () => {
  it('stops on chat:stop: the answer ends as stopped with its partial text, stored, and Ollama stops generating', async () => {
    await start();
    const shopper = await server.shopper();
    const { conversationId, messageId, deltas } = await startSlowAnswer(shopper);
    const ended = answerEnd(shopper.socket, () => messageId);

    const ack = await shopper.request('chat:stop', { conversationId });

    expect(ack).toEqual({ ok: true, data: { messageId } });
    const { event, message } = await ended;
    expect(event).toBe('chat:completed');
    expect(message.status).toBe('stopped');
    expect(message.content.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(message.content)).toBe(true);
    expect(message.content.length).toBeLessThan(LONG_ANSWER.length);
    expect(deltas.text(messageId)).toBe(message.content);
    const row = await messageRow(server, messageId);
    expect(row.status).toBe('stopped');
    expect(row.content).toBe(message.content);
    await double.waitForAborted(1);
    expect(double.stats.completed).toBe(0);
  });

  it('says there is nothing to stop when no answer is being generated', async () => {
    await start();
    const shopper = await server.shopper();
    const { conversationId } = await ask(shopper, 'Hello');

    const ack = await shopper.request('chat:stop', { conversationId });

    expect(ack.ok).toBe(false);
    if (!ack.ok) expect(ack.error.code).toBe('nothing-to-stop');
  });
});

describe('the shopper goes away', () => {
  it('stops the answer after the grace period when the only tab disconnects, keeping the text so far', async () => {
    await start({ chat: { disconnectGraceMs: 300 } });
    const shopper = await server.shopper();
    const { messageId, deltas } = await startSlowAnswer(shopper);
    const seen = deltas.text(messageId);

    shopper.close();

    await double.waitForAborted(1);
    await vi.waitFor(async () => expect((await messageRow(server, messageId)).status).not.toBe('streaming'), {
      timeout: 5000,
      interval: 20,
    });
    const row = await messageRow(server, messageId);
    expect(row.status).toBe('stopped');
    expect(row.content.startsWith(seen)).toBe(true);
    expect(row.content.length).toBeLessThan(LONG_ANSWER.length);
  });

  it('keeps the answer going when the shopper reconnects within the grace period', async () => {
    // The answer outlasts the grace period by far: it only completes if the reconnect cancelled the stop.
    await start({ chat: { disconnectGraceMs: 1500 } });
    const shopper = await server.shopper();
    const { conversationId, messageId } = await startSlowAnswer(shopper);
    shopper.close();
    await vi.waitFor(() => expect(server.app.io.sockets.sockets.size).toBe(0), { timeout: 5000, interval: 5 });

    const tab = await openTab(server, shopper.cookie);
    const ended = answerEnd(tab.socket, () => messageId);
    const snapshot = await tab.request('chat:resume', { conversationId });
    expect(snapshot.ok && snapshot.data.live?.messageId).toBe(messageId);

    const { event, message } = await ended;
    expect(event).toBe('chat:completed');
    expect(message).toMatchObject({ status: 'complete', content: LONG_ANSWER });
    expect((await messageRow(server, messageId)).status).toBe('complete');
    expect(double.stats).toMatchObject({ aborted: 0, completed: 1 });
  });
});

describe('one answer per conversation at a time', () => {
  it('refuses a second message while an answer is generating, and does not store it', async () => {
    await start();
    const shopper = await server.shopper();
    const { conversationId, messageId } = await startSlowAnswer(shopper);

    const second = await shopper.request('chat:send', {
      conversationId,
      clientMessageId: clientMessageId(),
      text: 'And another thing',
    });

    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.code).toBe('answer-in-progress');
    const ended = answerEnd(shopper.socket, () => messageId);
    await shopper.request('chat:stop', { conversationId });
    await ended;
    const rows = await conversationRows(server, conversationId);
    expect(rows.map((r) => [r.role, r.content === 'And another thing'])).toEqual([
      ['user', false],
      ['assistant', false],
    ]);
  });

  it('starts only one new answer when Retry is clicked twice', async () => {
    await start();
    double.enqueueChat({ status: 500, error: OLLAMA_ERRORS.runner });
    const shopper = await server.shopper();
    const failed = await ask(shopper, 'Rain jacket?');
    double.enqueueChat(slowAnswer(), slowAnswer());

    const payload = { conversationId: failed.conversationId, messageId: failed.message.id };
    const [first, second] = await Promise.all([shopper.request('chat:retry', payload), shopper.request('chat:retry', payload)]);

    const oks = [first, second].filter((r) => r.ok);
    expect(oks).toHaveLength(1);
    const refused = [first, second].find((r) => !r.ok);
    expect(refused && !refused.ok && refused.error.code).toBe('answer-in-progress');
    const answers = (await conversationRows(server, failed.conversationId)).filter((r) => r.role === 'assistant');
    expect(answers).toHaveLength(2);
  });
});

describe('retrying an answer', () => {
  it('replaces a failed answer with a new one; the conversation then shows only the new answer', async () => {
    await start();
    double.enqueueChat({ status: 500, error: OLLAMA_ERRORS.runner });
    const shopper = await server.shopper();
    const failed = await ask(shopper, 'Rain jacket?');
    expect(failed.event).toBe('chat:failed');

    double.enqueueChat({ chunks: text('The [Stormline](product:JKT-300) is on sale.') });
    const newAnswer = laterId();
    const ended = answerEnd(shopper.socket, newAnswer.get);
    const retry = await shopper.request('chat:retry', { conversationId: failed.conversationId, messageId: failed.message.id });
    expect(retry.ok).toBe(true);
    if (!retry.ok) return;
    const newId = retry.data.assistantMessageId;
    newAnswer.set(newId);
    const { message } = await ended;
    expect(message).toMatchObject({ id: newId, status: 'complete', content: 'The [Stormline](product:JKT-300) is on sale.' });
    expect(message.products.map((p) => p.id)).toEqual(['JKT-300']);

    const snapshot = await shopper.request('chat:resume', { conversationId: failed.conversationId });
    expect(snapshot.ok).toBe(true);
    if (!snapshot.ok) return;
    expect(snapshot.data.messages.map((m) => [m.role, m.id, m.status])).toEqual([
      ['user', failed.userMessage.id, 'complete'],
      ['assistant', newId, 'complete'],
    ]);
    const old = await messageRow(server, failed.message.id);
    expect(old).toMatchObject({ status: 'error', replaced_by: newId });
  });

  it('replaces a stopped answer, and the model is asked the question again without the stopped text', async () => {
    await start();
    const shopper = await server.shopper();
    const { conversationId, messageId } = await startSlowAnswer(shopper);
    const stoppedEnd = answerEnd(shopper.socket, () => messageId);
    await shopper.request('chat:stop', { conversationId });
    const stopped = (await stoppedEnd).message;
    expect(stopped.status).toBe('stopped');

    double.enqueueChat({ chunks: text('Short answer.') });
    const newAnswer = laterId();
    const ended = answerEnd(shopper.socket, newAnswer.get);
    const retry = await shopper.request('chat:retry', { conversationId, messageId });
    if (!retry.ok) throw new Error(retry.error.code);
    const newId = retry.data.assistantMessageId;
    newAnswer.set(newId);
    expect((await ended).message).toMatchObject({ status: 'complete', content: 'Short answer.' });

    const retried = double.chatRequests().at(-1)?.messages ?? [];
    expect(retried.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['Tell me everything']);
    expect(retried.some((m) => m.content.includes(stopped.content))).toBe(false);
    const snapshot = await shopper.request('chat:resume', { conversationId });
    expect(snapshot.ok && snapshot.data.messages.map((m) => m.id).at(-1)).toBe(newId);
    expect(snapshot.ok && snapshot.data.messages.some((m) => m.id === messageId)).toBe(false);
    expect((await messageRow(server, messageId)).replaced_by).toBe(newId);
  });
});
