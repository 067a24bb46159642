import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../../test/ollama-double';
import { configVersion, parseConfig, type LoadedConfig } from '../config/loadConfig';
import { createHostPool, type HostPool } from './hostPool';
import { LlmError } from './llmErrors';
import { OllamaGateway } from './ollamaClient';
import { OpenAiCompatibleBackend } from './openai/openaiBackend';

const doubles: OllamaDouble[] = [];
const servers: http.Server[] = [];
let pool: HostPool | undefined;

afterEach(async () => {
  pool?.close();
  pool = undefined;
  await Promise.all(doubles.splice(0).map((d) => d.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function double(options: Parameters<typeof startOllamaDouble>[0] = {}): Promise<OllamaDouble> {
  const d = await startOllamaDouble(options);
  doubles.push(d);
  return d;
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('Ollama embed', () => {
  it('returns one unit vector per text in order, cut to the asked size', async () => {
    const ollama = await double();
    const gateway = new OllamaGateway(ollama.url);
    const full = await gateway.embed({ model: 'qwen3-embedding:0.6b', input: ['red shoes', 'green tent'], timeoutMs: 5000 });
    expect(full.embeddings.map((v) => v.length)).toEqual([1024, 1024]);
    const cut = await gateway.embed({ model: 'qwen3-embedding:0.6b', input: ['red shoes'], dimensions: 256, timeoutMs: 5000 });
    expect(cut.embeddings[0]).toHaveLength(256);
    expect(norm(cut.embeddings[0] ?? [])).toBeCloseTo(1, 5);
  });

  it('names the pull command for a missing model', async () => {
    const ollama = await double({ models: [] });
    const err = await new OllamaGateway(ollama.url)
      .embed({ model: 'qwen3-embedding:0.6b', input: ['x'], timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ code: 'model-not-pulled', hint: 'Run: ollama pull qwen3-embedding:0.6b' });
  });

  it('goes to the next host when the preferred one lacks the model', async () => {
    const gpu = await double({ models: [] });
    const local = await double();
    const config = parseConfig({
      ollama: {
        hosts: [
          { name: 'gpu', url: gpu.url },
          { name: 'local', url: local.url },
        ],
      },
    });
    const loaded: LoadedConfig = { config, version: configVersion(config), file: null, dataDir: '/tmp' };
    pool = createHostPool({ config: () => loaded, logger: pino({ level: 'silent' }), autoCheck: false });
    const routed = pool.route('qwen3-embedding:0.6b');
    const result = await routed.embed({ model: 'qwen3-embedding:0.6b', input: ['x'], timeoutMs: 5000 });
    expect(result.embeddings).toHaveLength(1);
    expect(routed.served()).toMatchObject({ hostName: 'local', skipped: [{ hostName: 'gpu' }] });
  });
});

/** A minimal `/v1/embeddings` server: vectors listed out of order, as the API allows. */
async function openAiEmbeddings(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; input: string[] };
      bodies.push(body);
      if (body.model !== 'bge-m3') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `model ${body.model} not found`, type: 'not_found_error' } }));
        return;
      }
      const data = body.input.map((_, index) => ({ object: 'embedding', index, embedding: [index + 1, 0] })).reverse();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model: body.model }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('OpenAI-compatible embed', () => {
  it('posts to /v1/embeddings and puts the vectors back in input order', async () => {
    const server = await openAiEmbeddings();
    const backend = new OpenAiCompatibleBackend({ baseUrl: `${server.url}/v1` });
    const result = await backend.embed({ model: 'bge-m3', input: ['a', 'b', 'c'], dimensions: 2, timeoutMs: 5000 });
    expect(result.embeddings).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    expect(server.bodies[0]).toEqual({ model: 'bge-m3', input: ['a', 'b', 'c'], encoding_format: 'float', dimensions: 2 });
  });

  it('fails with an LlmError for a model the server does not serve', async () => {
    const server = await openAiEmbeddings();
    const err = await new OpenAiCompatibleBackend({ baseUrl: server.url })
      .embed({ model: 'nope', input: ['a'], timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ code: 'model-not-pulled' });
  });
});
