import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../../../test/ollama-double';
import { startOpenAiDouble, text as openAiText } from '../../../test/openai-double';
import type { AisleConfigInput } from '../config/configSchema';
import { configVersion, parseConfig, type LoadedConfig } from '../config/loadConfig';
import { createHostPool, type HostPool } from './hostPool';
import { LlmError } from './llmErrors';
import type { ChatStreamRequest, LlmEvent } from './types';

let gpu: OllamaDouble;
let fallback: OllamaDouble;
let pool: HostPool | undefined;

beforeEach(async () => {
  gpu = await startOllamaDouble();
  fallback = await startOllamaDouble();
});

afterEach(async () => {
  pool?.close();
  pool = undefined;
  await Promise.all([gpu.close(), fallback.close()]);
});

function loaded(input: AisleConfigInput): () => LoadedConfig {
  const config = parseConfig(input);
  const value: LoadedConfig = { config, version: configVersion(config), file: null, dataDir: '/tmp' };
  return () => value;
}

function twoHosts(models: AisleConfigInput['models'] = {}): AisleConfigInput {
  return {
    ollama: {
      hosts: [
        { name: 'gpu', url: gpu.url },
        { name: 'fallback', url: fallback.url },
      ],
    },
    models,
  };
}

function request(model: string): ChatStreamRequest {
  return {
    model,
    messages: [{ role: 'user', content: 'hello' }],
    think: false,
    keepAlive: '5m',
    options: { num_ctx: 8192 },
    signal: new AbortController().signal,
    firstTokenTimeoutMs: 5000,
    idleTimeoutMs: 5000,
  };
}

async function collect(stream: AsyncGenerator<LlmEvent>): Promise<string> {
  let out = '';
  for await (const ev of stream) if (ev.type === 'content') out += ev.text;
  return out;
}

describe('Ollama host pool', () => {
  it('serves a model from its first healthy preferred host', async () => {
    pool = createHostPool({ config: loaded(twoHosts()), logger: pino({ level: 'silent' }), autoCheck: false });
    await pool.checkNow();
    const choice = pool.pick('qwen3:4b');
    expect(choice).toMatchObject({ hostName: 'gpu', url: gpu.url, isFallback: false });
  });

  it('picks the next host once a health check finds the preferred one down, and returns when it is back', async () => {
    pool = createHostPool({ config: loaded(twoHosts()), logger: pino({ level: 'silent' }), autoCheck: false });
    await gpu.setDown(true);
    const statuses = await pool.checkNow();
    expect(statuses.find((s) => s.name === 'gpu')).toMatchObject({ healthy: false });
    expect(statuses.find((s) => s.name === 'fallback')).toMatchObject({ healthy: true, version: expect.any(String) });
    expect(pool.pick('qwen3:4b')).toMatchObject({ hostName: 'fallback', url: fallback.url, isFallback: true, preferred: 'gpu' });

    await gpu.setDown(false);
    await pool.checkNow();
    expect(pool.pick('qwen3:4b')).toMatchObject({ hostName: 'gpu', isFallback: false });
  });

  it('follows the per-model host preference', async () => {
    pool = createHostPool({
      config: loaded(twoHosts({ 'qwen3:8b': { hosts: ['fallback', 'gpu'] }, 'qwen3:4b': { hosts: ['gpu'] } })),
      logger: pino({ level: 'silent' }),
      autoCheck: false,
    });
    await pool.checkNow();
    expect(pool.pick('qwen3:8b').hostName).toBe('fallback');
    expect(pool.pick('qwen3:4b').hostName).toBe('gpu');
    expect(pool.candidates('qwen3:4b').map((c) => c.hostName)).toEqual(['gpu']);
  });

  it('hands an answer to the next host when the preferred one is unreachable at request time, and says so', async () => {
    pool = createHostPool({ config: loaded(twoHosts()), logger: pino({ level: 'silent' }), autoCheck: false });
    await pool.checkNow();
    // Goes down after the last health check: only the request finds out.
    await gpu.setDown(true);
    fallback.enqueueChat({ chunks: text('Served by the fallback box.') });
    const route = pool.route('qwen3:4b');
    expect(await collect(route.streamChat(request('qwen3:4b')))).toBe('Served by the fallback box.');
    expect(route.served()).toMatchObject({
      model: 'qwen3:4b',
      hostName: 'fallback',
      url: fallback.url,
      isFallback: true,
      skipped: [{ hostName: 'gpu', url: gpu.url, reason: expect.stringContaining("Can't reach Ollama") }],
    });
    expect(fallback.stats.completed).toBe(1);
    // The failure marked the host down, so the next answer goes straight to the fallback.
    expect(pool.status().find((s) => s.name === 'gpu')?.healthy).toBe(false);
    expect(pool.pick('qwen3:4b').hostName).toBe('fallback');
  });

  it('tries the next host when the model is not pulled on the preferred one', async () => {
    await gpu.close();
    gpu = await startOllamaDouble({ models: [{ name: 'qwen3:8b', capabilities: ['completion', 'tools', 'thinking'] }] });
    pool = createHostPool({ config: loaded(twoHosts()), logger: pino({ level: 'silent' }), autoCheck: false });
    fallback.enqueueChat({ chunks: text('From the fallback.') });
    const route = pool.route('qwen3:4b');
    expect(await collect(route.streamChat(request('qwen3:4b')))).toBe('From the fallback.');
    expect(route.served()?.skipped[0]?.reason).toContain('not installed');
    // A missing model does not make the host unhealthy.
    expect(pool.status().find((s) => s.name === 'gpu')?.healthy).not.toBe(false);
  });

  it('does not switch hosts once text has streamed, and names the failing host when none can serve', async () => {
    pool = createHostPool({ config: loaded(twoHosts()), logger: pino({ level: 'silent' }), autoCheck: false });
    gpu.enqueueChat({ chunks: text('Half an'), end: 'eof' });
    const route = pool.route('qwen3:4b');
    await expect(collect(route.streamChat(request('qwen3:4b')))).rejects.toBeInstanceOf(LlmError);
    expect(fallback.stats.started).toBe(0);
    expect(route.served()).toMatchObject({ hostName: 'gpu', isFallback: false });

    await Promise.all([gpu.setDown(true), fallback.setDown(true)]);
    await pool.checkNow();
    expect(pool.pick('qwen3:4b').hostName).toBe('gpu');
    const error = await collect(pool.route('qwen3:4b').streamChat(request('qwen3:4b'))).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).code).toBe('ollama-unreachable');
  });

  it('reads hosts from the config in force, so a hot-reloaded host list applies to the next pick', async () => {
    let current = loaded({ ollama: { host: gpu.url } })();
    pool = createHostPool({ config: () => current, logger: pino({ level: 'silent' }), autoCheck: false });
    expect(pool.pick('qwen3:4b')).toMatchObject({ hostName: 'default', url: gpu.url });
    current = loaded(twoHosts({ 'qwen3:4b': { hosts: ['fallback'] } }))();
    expect(pool.pick('qwen3:4b')).toMatchObject({ hostName: 'fallback', url: fallback.url });
  });

  it('fails over to an OpenAI-compatible host, sending the API key named by apiKeyEnv', async () => {
    const vllm = await startOpenAiDouble({ models: ['qwen3:4b'], apiKey: 'sk-test' });
    try {
      pool = createHostPool({
        config: loaded({
          ollama: {
            hosts: [
              { name: 'gpu', url: gpu.url },
              { name: 'vllm', url: vllm.url, type: 'openai', kind: 'vllm', apiKeyEnv: 'VLLM_KEY' },
            ],
          },
        }),
        env: { VLLM_KEY: 'sk-test' },
        logger: pino({ level: 'silent' }),
        autoCheck: false,
      });
      await gpu.setDown(true);
      vllm.enqueue({ chunks: openAiText('From vLLM.') });
      const route = pool.route('qwen3:4b');
      expect(await collect(route.streamChat(request('qwen3:4b')))).toBe('From vLLM.');
      expect(route.served()).toMatchObject({ hostName: 'vllm', isFallback: true });
      expect(vllm.requests.at(-1)?.headers.authorization).toBe('Bearer sk-test');
    } finally {
      await vllm.close();
    }
  });
});
