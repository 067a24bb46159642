import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './loadConfig';
import { configuredModels, effectiveHosts, resolveModelSettings, withSingleHost } from './modelSettings';

const multiHost = {
  ollama: {
    hosts: [
      { name: 'gpu', url: 'http://gpu-box:11434' },
      { name: 'fallback', url: 'http://127.0.0.1:11434' },
    ],
  },
  chat: { model: 'qwen3:4b', think: false, keepAlive: '30m', options: { num_ctx: 8192, temperature: 0.6 } },
  embedding: { model: 'qwen3-embedding:0.6b' },
  models: {
    'qwen3:8b': { think: true, options: { num_ctx: 16384 }, hosts: ['gpu'] },
    'qwen3:4b': { keepAlive: -1, hosts: ['gpu', 'fallback'] },
  },
};

describe('per-model settings', () => {
  it('lays a model entry over the chat defaults, key by key', () => {
    const config = parseConfig(multiHost);
    const big = resolveModelSettings(config, 'qwen3:8b');
    expect(big.think).toBe(true);
    expect(big.keepAlive).toBe('30m');
    expect(big.options).toMatchObject({ num_ctx: 16384, temperature: 0.6, num_predict: 1024 });
    expect(big.hosts).toEqual(['gpu']);

    const small = resolveModelSettings(config, 'qwen3:4b');
    expect(small.think).toBe(false);
    expect(small.keepAlive).toBe(-1);
    expect(small.options.num_ctx).toBe(8192);
  });

  it('overrides only the options a model entry names', () => {
    const config = parseConfig({
      chat: { options: { num_ctx: 4096, num_predict: 512 } },
      models: { 'qwen3:8b': { options: { temperature: 0.1 } } },
    });
    expect(resolveModelSettings(config, 'qwen3:8b').options).toMatchObject({ num_ctx: 4096, num_predict: 512, temperature: 0.1 });
  });

  it('gives a model without an entry the chat defaults and every host in listed order', () => {
    const config = parseConfig(multiHost);
    const other = resolveModelSettings(config, 'qwen3:1.7b');
    expect(other).toMatchObject({ model: 'qwen3:1.7b', think: false, keepAlive: '30m', hosts: ['gpu', 'fallback'] });
    expect(other.options.num_ctx).toBe(8192);
  });

  it('matches a model entry without a tag to the :latest model, as Ollama does', () => {
    const config = parseConfig({ models: { mistral: { options: { temperature: 0.1 } } } });
    expect(resolveModelSettings(config, 'mistral:latest').options.temperature).toBe(0.1);
  });

  it('keeps ollama.host as the single-host shorthand named "default"', () => {
    const config = parseConfig({ ollama: { host: 'http://10.0.0.5:11434' } });
    expect(effectiveHosts(config)).toEqual([{ name: 'default', url: 'http://10.0.0.5:11434', type: 'ollama' }]);
    expect(resolveModelSettings(config, 'qwen3:4b').hosts).toEqual(['default']);
  });

  it('refuses a model that names an unknown host and a host name used twice, naming the fields', () => {
    let error: unknown;
    try {
      parseConfig({
        ollama: {
          hosts: [
            { name: 'gpu', url: 'http://a:11434' },
            { name: 'gpu', url: 'http://b:11434' },
          ],
        },
        models: { 'qwen3:8b': { hosts: ['gpu', 'cpu'] } },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('ollama.hosts.1.name: host name "gpu" is used twice');
    expect(problems).toContain('models.qwen3:8b.hosts.1: unknown host "cpu"');
  });

  it('lists every configured model once with what it is for', () => {
    const config = parseConfig(multiHost);
    expect(configuredModels(config)).toEqual([
      { model: 'qwen3:4b', roles: ['chat'] },
      { model: 'qwen3-embedding:0.6b', roles: ['embedding'] },
      { model: 'qwen3:8b', roles: ['candidate'] },
    ]);
  });

  it('can pin every model to one host (eval runs against a single Ollama) and stay valid', () => {
    const pinned = withSingleHost(parseConfig(multiHost), 'http://127.0.0.1:9999');
    expect(effectiveHosts(pinned)).toEqual([{ name: 'default', url: 'http://127.0.0.1:9999', type: 'ollama' }]);
    expect(resolveModelSettings(pinned, 'qwen3:8b')).toMatchObject({
      hosts: ['default'],
      think: true,
      options: { num_ctx: 16384 },
    });
    expect(() => parseConfig(pinned)).not.toThrow();
  });
});
