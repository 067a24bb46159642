import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../../../test/ollama-double';
import { LOADED_MODELS_TTL_MS, OllamaGateway } from './ollamaClient';
import type { LlmEvent } from './types';

let double: OllamaDouble;
let clock: number;
let gateway: OllamaGateway;

beforeEach(async () => {
  double = await startOllamaDouble();
  clock = 0;
  gateway = new OllamaGateway(double.url, () => clock);
});

afterEach(async () => {
  await double.close();
});

const psRequests = () => double.requests.filter((r) => r.path === '/api/ps').length;

async function answer(model: string): Promise<LlmEvent[]> {
  const events: LlmEvent[] = [];
  for await (const ev of gateway.streamChat({
    model,
    messages: [{ role: 'user', content: 'Boots?' }],
    think: false,
    keepAlive: '5m',
    options: {},
    signal: new AbortController().signal,
    firstTokenTimeoutMs: 5000,
    idleTimeoutMs: 5000,
  }))
    events.push(ev);
  return events;
}

describe('which models Ollama has loaded (/api/ps), asked once per few seconds per host', () => {
  it('answers concurrent and repeated questions from one request until it is a few seconds old', async () => {
    const [a, b] = await Promise.all([gateway.loadedModels(), gateway.loadedModels()]);
    expect(a).toEqual([]);
    expect(b).toEqual([]);
    clock += LOADED_MODELS_TTL_MS - 1;
    expect(await gateway.loadedModels()).toEqual([]);
    expect(psRequests()).toBe(1);

    clock += 1;
    await gateway.loadedModels();
    expect(psRequests()).toBe(2);
  });

  it('counts a model as loaded once it streams, so the next answer does not say "Loading the model"', async () => {
    expect(await gateway.loadedModels()).toEqual([]);
    double.enqueueChat({ chunks: text('Ready.') });
    await answer('qwen3:4b');

    const loaded = await gateway.loadedModels();
    expect(loaded?.some((m) => m.startsWith('qwen3:4b'))).toBe(true);
    expect(psRequests()).toBe(1);
  });

  it('asks again at once after Ollama did not answer, instead of remembering the failure', async () => {
    await double.setDown(true);
    expect(await gateway.loadedModels(200)).toBeNull();
    await double.setDown(false);
    expect(await gateway.loadedModels()).toEqual([]);
  });
});
