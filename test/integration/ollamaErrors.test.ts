import type { ChatMessage } from '@aisle/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS, OLLAMA_ERRORS, startOllamaDouble, text, type FakeModel, type OllamaDouble } from '../ollama-double';
import { ask, messageRow, recordEvents } from '../helpers/chatFlows';
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

function defaultModel(name: string): FakeModel {
  const model = DEFAULT_MODELS.find((m) => m.name === name);
  if (!model) throw new Error(`no default model ${name}`);
  return model;
}

/**
 * The answer failed with this code, in shopper words plus operator detail (the test client is the
 * developer on this machine), and is stored as failed with the same text.
 */
async function expectFailed(end: { event: string; message: ChatMessage }, code: string): Promise<ChatMessage> {
  expect(end.event).toBe('chat:failed');
  const { message } = end;
  expect(message.status).toBe('error');
  expect(message.error?.code).toBe(code);
  expect(message.error?.developer).toEqual(expect.stringMatching(/\S/));
  const row = await messageRow(server, message.id);
  expect(row).toMatchObject({ status: 'error', error_code: code, content: message.content });
  return message;
}

/** A new message in the same conversation gets a normal answer. */
async function expectRecovery(shopper: Shopper, conversationId: string): Promise<void> {
  double.enqueueChat({ chunks: text('All good now.') });
  const next = await ask(shopper, 'Try again please', conversationId);
  expect(next.event).toBe('chat:completed');
  expect(next.message).toMatchObject({ status: 'complete', content: 'All good now.', error: null });
}

describe('Ollama failures the shopper can act on', () => {
  it('says the model is not pulled and how to pull it', async () => {
    await start({ chat: { model: 'qwen3:4b' } });
    double.removeModel('qwen3:4b');
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'model-not-pulled');
    expect(message.error?.developer).toContain('ollama pull qwen3:4b');

    double.addModel(defaultModel('qwen3:4b'));
    await expectRecovery(shopper, end.conversationId);
  });

  it('says Ollama cannot be reached, naming the host, when it is down', async () => {
    await start();
    await double.setDown(true);
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'ollama-unreachable');
    expect(message.error?.developer).toContain(double.url);

    await double.setDown(false);
    await expectRecovery(shopper, end.conversationId);
  });

  it('retries once Ollama is busy, showing that it retries, and then answers', async () => {
    await start();
    double.enqueueChat({ status: 503, error: OLLAMA_ERRORS.busy }, { chunks: text('Here you go.') });
    const shopper = await server.shopper();
    const events = recordEvents(shopper.socket);
    const end = await ask(shopper, 'Rain jacket?');

    expect(end.event).toBe('chat:completed');
    expect(end.message).toMatchObject({ status: 'complete', content: 'Here you go.' });
    const phases = events.flatMap((e) => (e.event === 'chat:status' ? [e.payload.phase] : []));
    expect(phases).toContain('retrying');
    expect(phases.indexOf('retrying')).toBeLessThan(phases.indexOf('writing'));
    expect(double.chatRequests()).toHaveLength(2);
  });

  it('gives up with ollama-busy after the configured retries', async () => {
    await start({ ollama: { busyRetries: 2 } });
    double.enqueueChat(...Array.from({ length: 3 }, () => ({ status: 503, error: OLLAMA_ERRORS.busy })));
    const shopper = await server.shopper();
    const events = recordEvents(shopper.socket);
    const end = await ask(shopper, 'Rain jacket?');

    await expectFailed(end, 'ollama-busy');
    // The first try and two retries.
    expect(double.chatRequests()).toHaveLength(3);
    expect(events.filter((e) => e.event === 'chat:status' && e.payload.phase === 'retrying')).toHaveLength(2);

    await expectRecovery(shopper, end.conversationId);
  });

  it('reports a model error when Ollama fails before streaming', async () => {
    await start();
    double.enqueueChat({ status: 500, error: OLLAMA_ERRORS.runner });
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'model-error');
    expect(message.content).toBe('');
    expect(double.chatRequests()).toHaveLength(1);

    await expectRecovery(shopper, end.conversationId);
  });

  it('reports an unsupported model when the chat model has no tool support', async () => {
    await start({ chat: { model: 'tiny:1b' } });
    double.addModel({ name: 'tiny:1b', capabilities: ['completion'] });
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'model-unsupported');
    expect(message.error?.developer).toContain('does not support tools');

    double.addModel({ name: 'tiny:1b', capabilities: ['completion', 'tools'] });
    await expectRecovery(shopper, end.conversationId);
  });

  it('reports an unsupported model when thinking is on for a model that cannot think', async () => {
    await start({ chat: { model: 'plain:1b', think: true } });
    double.addModel({ name: 'plain:1b', capabilities: ['completion', 'tools'] });
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'model-unsupported');
    expect(message.error?.developer).toContain('does not support thinking');

    double.addModel({ name: 'plain:1b', capabilities: ['completion', 'tools', 'thinking'] });
    await expectRecovery(shopper, end.conversationId);
  });

  it('keeps the partial text when the model fails in the middle of the answer', async () => {
    await start();
    double.enqueueChat({ chunks: text('We have a few'), end: { error: OLLAMA_ERRORS.runner } });
    const shopper = await server.shopper();
    const deltas = collectDeltas(shopper.socket);
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'generation-failed');
    expect(message.content).toBe('We have a few');
    expect(deltas.text(message.id)).toBe('We have a few');

    await expectRecovery(shopper, end.conversationId);
  });

  it('keeps the partial text when the stream ends without its final chunk', async () => {
    await start();
    double.enqueueChat({ chunks: text('Half an answer'), end: 'eof' });
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    const message = await expectFailed(end, 'generation-interrupted');
    expect(message.content).toBe('Half an answer');

    await expectRecovery(shopper, end.conversationId);
  });

  it('times out when the first token is too slow, and Ollama stops working on it', async () => {
    await start({ ollama: { firstTokenTimeoutMs: 500 } });
    double.enqueueChat({ chunks: text('Too late.'), headersDelayMs: 5000 });
    const shopper = await server.shopper();
    const end = await ask(shopper, 'Rain jacket?');

    await expectFailed(end, 'ollama-timeout');
    await double.waitForAborted(1);
    expect(double.stats.completed).toBe(0);

    await expectRecovery(shopper, end.conversationId);
  });
});

describe('streaming details the shopper sees', () => {
  it('keeps multibyte characters intact when their bytes are split across TCP writes', async () => {
    await start();
    const answer = 'Prix 12 € à 20 °C — 日本 の 靴 🎉👟 ok';
    double.enqueueChat({ chunks: text(answer), splitUtf8: true });
    const shopper = await server.shopper();
    const deltas = collectDeltas(shopper.socket);
    const end = await ask(shopper, 'Des chaussures ?');

    expect(end.message.content).toBe(answer);
    expect(deltas.text(end.message.id)).toBe(answer);
    expect((await messageRow(server, end.message.id)).content).toBe(answer);
  });

  it('shows that the model is loading before the first token of a cold start, and not once it is warm', async () => {
    await start();
    double.enqueueChat({ chunks: text('Ready.'), headersDelayMs: 600 });
    const shopper = await server.shopper();
    const events = recordEvents(shopper.socket);
    const cold = await ask(shopper, 'Rain jacket?');

    const loading = events.findIndex((e) => e.event === 'chat:status' && e.payload.phase === 'loading-model');
    const firstDelta = events.findIndex((e) => e.event === 'chat:delta');
    expect(loading).toBeGreaterThanOrEqual(0);
    expect(loading).toBeLessThan(firstDelta);
    expect(cold.message.content).toBe('Ready.');

    events.length = 0;
    double.enqueueChat({ chunks: text('Warm.'), headersDelayMs: 100 });
    const warm = await ask(shopper, 'Boots?', cold.conversationId);
    expect(warm.message.content).toBe('Warm.');
    expect(events.some((e) => e.event === 'chat:status' && e.payload.phase === 'loading-model')).toBe(false);
  });
});
