import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../../test/ollama-double';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(repoRoot, 'server/src/cli/models.ts');

let dir: string;
const doubles: OllamaDouble[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-models-'));
});

afterEach(async () => {
  await Promise.all(doubles.splice(0).map((d) => d.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function double(options: Parameters<typeof startOllamaDouble>[0] = {}): Promise<OllamaDouble> {
  const d = await startOllamaDouble(options);
  doubles.push(d);
  return d;
}

/** Runs `pnpm models` the way the script does, with AISLE_CONFIG naming a temp config. */
function run(config: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(dir, 'aisle.yaml');
  fs.writeFileSync(file, config);
  const env: NodeJS.ProcessEnv = { ...process.env, AISLE_CONFIG: file };
  for (const name of ['OLLAMA_HOST', 'AISLE_MODEL', 'PORT', 'HOST', 'LOG_LEVEL', 'AISLE_DATA_DIR']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, env }, (error, stdout, stderr) => {
      resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

describe('pnpm models', () => {
  it('lists each host with its models and capabilities, and exits 0 when every configured model is there', async () => {
    const ollama = await double();
    const result = await run(
      `ollama:\n  host: ${ollama.url}\nchat:\n  model: qwen3:4b\nembedding:\n  model: qwen3-embedding:0.6b\n`,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Host "default" at ${ollama.url}: Ollama`);
    expect(result.stdout).toMatch(/qwen3:4b +completion, tools, thinking +configured: chat/);
    expect(result.stdout).toMatch(/qwen3-embedding:0\.6b +embedding +configured: embedding/);
    expect(result.stdout).toMatch(/qwen3:8b +completion, tools, thinking\n/);
    expect(result.stdout).toContain('All configured models are present.');
  }, 60_000);

  it('marks missing models with the ollama pull line for the host that lacks them, and exits 1', async () => {
    const gpu = await double();
    const local = await double({ models: [{ name: 'qwen3:4b', capabilities: ['completion', 'tools', 'thinking'] }] });
    const result = await run(
      [
        'ollama:',
        '  hosts:',
        `    - { name: gpu, url: "${gpu.url}" }`,
        `    - { name: local, url: "${local.url}" }`,
        'chat:',
        '  model: qwen3:4b',
        'models:',
        '  "qwen3:8b": { hosts: [gpu, local] }',
        '  "qwen3:14b": { hosts: [gpu] }',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/ok +qwen3:4b \(chat\): on gpu, local/);
    expect(result.stdout).toMatch(/MISSING +qwen3:8b \(candidate\): on gpu; missing on local/);
    expect(result.stdout).toMatch(/MISSING +qwen3:14b \(candidate\): missing on gpu/);
    expect(result.stdout).toContain(`OLLAMA_HOST=${local.url} ollama pull qwen3:8b    # on local`);
    expect(result.stdout).toContain(`OLLAMA_HOST=${gpu.url} ollama pull qwen3:14b    # on gpu`);
    expect(result.stdout).toContain('2 models to pull');
  }, 60_000);

  it('says clearly which host is down and does not claim the models are there', async () => {
    const gpu = await double();
    const local = await double();
    await gpu.setDown(true);
    const result = await run(
      `ollama:\n  hosts:\n    - { name: gpu, url: "${gpu.url}" }\n    - { name: local, url: "${local.url}" }\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Host "gpu" at ${gpu.url}: DOWN`);
    expect(result.stdout).toContain(`Can't reach Ollama at ${gpu.url}.`);
    expect(result.stdout).toContain(`Host "local" at ${local.url}: Ollama`);
    expect(result.stdout).toMatch(/UNKNOWN +qwen3:4b \(chat\): on local; not checked on gpu \(host down\)/);
    expect(result.stdout).toContain('1 host down (gpu)');
  }, 60_000);

  it('flags a chat model without tools, and thinking asked of a model that cannot think', async () => {
    const ollama = await double({
      models: [
        { name: 'gemma:2b', capabilities: ['completion'] },
        { name: 'qwen2.5:7b', capabilities: ['completion', 'tools'] },
      ],
    });
    const result = await run(
      `ollama:\n  host: ${ollama.url}\nchat:\n  model: gemma:2b\nmodels:\n  "qwen2.5:7b": { think: true }\n`,
      ['--json'],
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; models: Array<{ model: string; problems: string[] }> };
    expect(report.ok).toBe(false);
    expect(report.models.find((m) => m.model === 'gemma:2b')?.problems.join()).toContain('"tools"');
    expect(report.models.find((m) => m.model === 'qwen2.5:7b')?.problems.join()).toContain('"thinking"');
  }, 60_000);

  it('says semantic search is off and what to pull when no embedding model is configured', async () => {
    const ollama = await double();
    const result = await run(`ollama:\n  host: ${ollama.url}\nchat:\n  model: qwen3:4b\ndataDir: ${dir}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Semantic search: off (no embedding model configured); search is lexical only.');
    expect(result.stdout).toContain('ollama pull qwen3-embedding:0.6b');
    expect(result.stdout).toContain('set embedding.model: qwen3-embedding:0.6b');
  }, 60_000);

  it('prints the pull line for a configured embedding model that is not pulled, and says search is lexical until then', async () => {
    const ollama = await double({ models: [{ name: 'qwen3:4b', capabilities: ['completion', 'tools', 'thinking'] }] });
    const result = await run(
      `ollama:\n  host: ${ollama.url}\nchat:\n  model: qwen3:4b\nembedding:\n  model: qwen3-embedding:0.6b\ndataDir: ${dir}\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/MISSING +qwen3-embedding:0\.6b \(embedding\): missing on default/);
    expect(result.stdout).toContain(`OLLAMA_HOST=${ollama.url} ollama pull qwen3-embedding:0.6b    # on default`);
    expect(result.stdout).toContain(
      'Semantic search: off until qwen3-embedding:0.6b is pulled (see above); search is lexical only.',
    );
  }, 60_000);

  it('says semantic search is on when the embedding model is pulled, with the index counts once there are vectors', async () => {
    const ollama = await double();
    const result = await run(
      `ollama:\n  host: ${ollama.url}\nchat:\n  model: qwen3:4b\nembedding:\n  model: qwen3-embedding:0.6b\ndataDir: ${dir}\n`,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Semantic search: on, no vectors of qwen3-embedding:0.6b yet: the server embeds the catalogue in the background.',
    );
  }, 60_000);

  it('refuses an invalid config, naming the field', async () => {
    const result = await run('chat:\n  model: ""\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('chat.model');
  }, 60_000);
});
