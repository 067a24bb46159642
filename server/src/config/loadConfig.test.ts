import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, normaliseOllamaHost, parseConfig } from './loadConfig';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-config-'));
}

describe('config', () => {
  it('gives working defaults without a file', () => {
    const { config, file } = loadConfig({ cwd: tempDir(), env: {} });
    expect(file).toBeNull();
    expect(config.server.port).toBe(3000);
    expect(config.ollama.host).toBe('http://127.0.0.1:11434');
    expect(config.chat.model).toBe('qwen3:4b');
    expect(config.chat.think).toBe(false);
    expect(config.chat.options.num_ctx).toBe(8192);
  });

  it('applies the documented environment overrides over the file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'aisle.yaml'), 'server:\n  port: 4000\nchat:\n  model: qwen3:8b\n');
    const loaded = loadConfig({
      cwd: dir,
      env: { PORT: '5050', OLLAMA_HOST: '10.1.2.3', AISLE_MODEL: 'qwen3:1.7b', AISLE_DATA_DIR: '/var/lib/aisle' },
    });
    expect(loaded.config.server.port).toBe(5050);
    expect(loaded.config.ollama.host).toBe('http://10.1.2.3:11434');
    expect(loaded.config.chat.model).toBe('qwen3:1.7b');
    expect(loaded.dataDir).toBe('/var/lib/aisle');
  });

  it('reads the agent sign-in window and the retention period from the file, the environment overriding it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'aisle.yaml'), 'agents:\n  loginWindowSeconds: 600\nprivacy:\n  retentionDays: 90\n');
    const fromFile = loadConfig({ cwd: dir, env: {} });
    expect(fromFile.config.agents.loginWindowSeconds).toBe(600);
    expect(fromFile.config.privacy.retentionDays).toBe(90);

    const fromEnv = loadConfig({ cwd: dir, env: { AISLE_AGENT_LOGIN_WINDOW_S: '8', AISLE_RETENTION_DAYS: ' 30 ' } });
    expect(fromEnv.config.agents.loginWindowSeconds).toBe(8);
    expect(fromEnv.config.privacy.retentionDays).toBe(30);
    expect(fromEnv.envOverrides).toEqual(['AISLE_AGENT_LOGIN_WINDOW_S', 'AISLE_RETENTION_DAYS']);

    const defaults = loadConfig({ cwd: tempDir(), env: { AISLE_RETENTION_DAYS: '' } });
    expect(defaults.config.agents.loginWindowSeconds).toBe(900);
    expect(defaults.config.privacy.retentionDays).toBeNull();
  });

  it('refuses a bad sign-in window or retention period from the environment, naming the variable', () => {
    for (const [name, value] of [
      ['AISLE_AGENT_LOGIN_WINDOW_S', 'soon'],
      ['AISLE_AGENT_LOGIN_WINDOW_S', '0'],
      ['AISLE_RETENTION_DAYS', '2.5'],
      ['AISLE_RETENTION_DAYS', '0'],
      ['AISLE_RETENTION_DAYS', '30d'],
    ] as const) {
      expect(() => parseConfig({}, { [name]: value })).toThrow(ConfigError);
      expect(() => parseConfig({}, { [name]: value })).toThrow(new RegExp(`${name}: expected .*"${value}"`));
    }
  });

  it('keeps metrics and tracing off by default; AISLE_METRICS_TOKEN and OTEL_EXPORTER_OTLP_ENDPOINT turn them on', () => {
    const defaults = parseConfig({});
    expect(defaults.metrics).toEqual({ enabled: false });
    expect(defaults.tracing.otlpEndpoint).toBeNull();
    const fromEnv = parseConfig(
      { metrics: { enabled: true, token: 'from-the-file-0123456789' } },
      { AISLE_METRICS_TOKEN: ' from-the-env-0123456789 ', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
    );
    expect(fromEnv.metrics.token).toBe('from-the-env-0123456789');
    expect(fromEnv.tracing.otlpEndpoint).toBe('http://127.0.0.1:4318');
    // A short token is easy to guess: refused, naming the field.
    expect(() => parseConfig({ metrics: { enabled: true, token: 'short' } })).toThrow(/metrics\.token: at least 16/);
    expect(() => parseConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/tracing\.otlpEndpoint/);
  });

  it('names every bad field in one error', () => {
    let error: unknown;
    try {
      parseConfig({ server: { port: 'eighty' }, chat: { options: { num_ctx: 'big' }, colour: 'red' } }, { PORT: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('chat.options.num_ctx');
    expect(message).toContain('chat');
    expect(message).toMatch(/colour/);
  });

  it('refuses a YAML syntax error and a missing AISLE_CONFIG file', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'aisle.yaml'), 'server: [port: 3000\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: dir, env: { AISLE_CONFIG: 'nope.yaml' } })).toThrow(/file not found/);
  });

  it('freezes the config and versions it by content', () => {
    const a = loadConfig({ cwd: tempDir(), env: {} });
    const b = loadConfig({ cwd: tempDir(), env: { AISLE_MODEL: 'qwen3:8b' } });
    expect(Object.isFrozen(a.config.chat.options)).toBe(true);
    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
    expect(a.version).not.toBe(b.version);
  });

  it('reads OLLAMA_HOST the way Ollama does', () => {
    expect(normaliseOllamaHost('127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
    expect(normaliseOllamaHost('0.0.0.0')).toBe('http://127.0.0.1:11434');
    expect(normaliseOllamaHost('http://gpu-box:8080/')).toBe('http://gpu-box:8080');
    expect(normaliseOllamaHost('https://ollama.internal')).toBe('https://ollama.internal:11434');
  });

  it('accepts the shipped aisle.yaml', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    expect(() => loadConfig({ cwd: root, env: {} })).not.toThrow();
  });
});
