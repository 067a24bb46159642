import { Ollama } from 'ollama';
import type { ChatResponse } from 'ollama';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OllamaDouble } from './index';
import { OLLAMA_ERRORS, startOllamaDouble, text, thoughts } from './index';

let double: OllamaDouble;
let ollama: Ollama;

beforeEach(async () => {
  double = await startOllamaDouble();
  ollama = new Ollama({ host: double.url });
});

afterEach(async () => {
  await double.close();
});

/** ollama-js types tool calls without `id` and `index`, which Ollama does send. */
const wireToolCallSchema = z.object({
  id: z.string(),
  function: z.object({ index: z.number(), name: z.string(), arguments: z.record(z.string(), z.unknown()) }),
});

const user = (content: string) => [{ role: 'user', content }];

async function collect(stream: AsyncIterable<ChatResponse>): Promise<ChatResponse[]> {
  const chunks: ChatResponse[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** What a correct client accumulates: every chunk, the done chunk included. */
function accumulate(chunks: ChatResponse[]) {
  return {
    content: chunks.map((chunk) => chunk.message.content).join(''),
    thinking: chunks.map((chunk) => chunk.message.thinking ?? '').join(''),
    toolCalls: chunks.flatMap((chunk) => chunk.message.tool_calls ?? []),
  };
}

async function caught(promise: Promise<unknown>): Promise<Error & { status_code?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function postRaw(path: string, body: unknown): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${double.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !predicate(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(predicate()).toBe(true);
}

describe('streamed chat', () => {
  it('streams a scripted answer token by token and ends with one done chunk carrying the metrics', async () => {
    double.enqueueChat({ chunks: text('Yes, we stock trail shoes.') });
    const chunks = await collect(
      await ollama.chat({ model: 'qwen3:8b', messages: user('Trail shoes?'), stream: true, think: false }),
    );

    expect(accumulate(chunks).content).toBe('Yes, we stock trail shoes.');
    expect(chunks.length).toBe(6);
    const intermediate = chunks.slice(0, -1);
    for (const chunk of intermediate) {
      expect(chunk.done).toBe(false);
      expect(Object.keys(chunk)).toEqual(['model', 'created_at', 'message', 'done']);
      expect(Object.keys(chunk.message)).toEqual(['role', 'content']);
    }
    const last = chunks.at(-1);
    expect(last).toMatchObject({
      model: 'qwen3:8b',
      done: true,
      done_reason: 'stop',
      message: { role: 'assistant', content: '' },
    });
    for (const metric of [
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_count',
      'eval_duration',
    ] as const) {
      expect(last?.[metric]).toBeGreaterThan(0);
    }
    expect(typeof last?.created_at).toBe('string');
    expect(String(last?.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  });

  it('sends thinking first and can mix thinking and content in one transition chunk', async () => {
    double.enqueueChat({
      chunks: [
        ...thoughts('The user wants shoes. I will answer'),
        { thinking: ' briefly.', content: 'We' },
        ...text(' have three.'),
      ],
    });
    const chunks = await collect(await ollama.chat({ model: 'qwen3:8b', messages: user('Shoes?'), stream: true }));

    expect(accumulate(chunks)).toMatchObject({
      thinking: 'The user wants shoes. I will answer briefly.',
      content: 'We have three.',
    });
    expect(chunks[0]?.message).toEqual({ role: 'assistant', content: '', thinking: 'The' });
    expect(chunks.find((chunk) => chunk.message.thinking && chunk.message.content)?.message).toEqual({
      role: 'assistant',
      content: 'We',
      thinking: ' briefly.',
    });
  });

  it('thinks by default on a thinking model, and not when the request says think:false', async () => {
    const withDefault = accumulate(
      await collect(await ollama.chat({ model: 'qwen3:8b', messages: user('Hello'), stream: true })),
    );
    const withoutThinking = accumulate(
      await collect(await ollama.chat({ model: 'qwen3:8b', messages: user('Hello'), stream: true, think: false })),
    );

    expect(withDefault.thinking).not.toBe('');
    expect(withoutThinking.thinking).toBe('');
    expect(withoutThinking.content).toBe(withDefault.content);
  });

  it('replies with a single merged object when stream is false', async () => {
    double.enqueueChat({
      chunks: [...thoughts('Searching.'), ...text('Let me look.')],
      toolCalls: [{ name: 'search_products', arguments: { query: 'red shoes' } }],
    });
    const response = await fetch(`${double.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen3:8b', messages: user('Red shoes'), stream: false }),
    });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as ChatResponse;

    expect(body.done).toBe(true);
    expect(body.done_reason).toBe('stop');
    expect(body.message.thinking).toBe('Searching.');
    expect(body.message.content).toBe('Let me look.');
    expect(body.message.tool_calls).toHaveLength(1);
  });

  it('ends with done_reason "length" when num_predict cuts the answer', async () => {
    double.enqueueChat({ chunks: text('one two three four five six') });
    const chunks = await collect(
      await ollama.chat({
        model: 'qwen3:8b',
        messages: user('Count'),
        stream: true,
        think: false,
        options: { num_predict: 3 },
      }),
    );

    expect(accumulate(chunks).content).toBe('one two three');
    expect(chunks.at(-1)?.done_reason).toBe('length');
  });

  it('decodes multibyte characters even when a TCP write splits them', async () => {
    const phrase = 'Prix 12 € à 20 °C, 東京 size 🚀 ok';
    double.enqueueChat({ chunks: text(phrase), splitUtf8: true });
    const chunks = await collect(await ollama.chat({ model: 'qwen3:8b', messages: user('Price?'), stream: true, think: false }));

    expect(accumulate(chunks).content).toBe(phrase);
  });

  it('really cuts a write inside a multibyte sequence in split mode', async () => {
    double.enqueueChat({ chunks: text('€€ °° 東京 🚀🚀'), splitUtf8: true });
    const response = await fetch(`${double.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen3:8b', messages: user('x'), think: false }),
    });
    const reads: Uint8Array[] = [];
    for await (const read of response.body ?? []) reads.push(read);

    // A read that ends on a UTF-8 lead byte means the client got half a character.
    expect(reads.some((read) => (read.at(-1) ?? 0) >= 0xc0)).toBe(true);
  });

  it("escapes <, > and & like Go's json.Marshal when asked, without changing the parsed text", async () => {
    await double.close();
    double = await startOllamaDouble({ htmlEscape: true });
    double.enqueueChat({ chunks: text('Use <b> & </b>') });
    const raw = await postRaw('/api/chat', { model: 'qwen3:8b', messages: user('x'), think: false });
    const lines = raw.text.split('\n');

    expect(raw.text).toContain('\\u003cb\\u003e');
    expect(raw.text).not.toContain('<');
    expect(lines.at(-1)).toBe('');
    expect(
      lines
        .slice(0, -1)
        .map((line) => (JSON.parse(line) as ChatResponse).message.content)
        .join(''),
    ).toBe('Use <b> & </b>');
  });
});

describe('tool calls', () => {
  const tools = [{ type: 'function', function: { name: 'search_products', parameters: { type: 'object', properties: {} } } }];

  it('sends a whole call in its own chunk, then an empty done chunk with done_reason "stop"', async () => {
    double.enqueueChat({ toolCalls: [{ name: 'search_products', arguments: { query: 'red shoes', max_price: 100 } }] });
    const chunks = await collect(
      await ollama.chat({ model: 'qwen3:8b', messages: user('Red shoes'), tools, stream: true, think: false }),
    );

    expect(chunks).toHaveLength(2);
    const call = chunks[0]?.message.tool_calls?.[0];
    expect(call).toEqual({
      id: expect.stringMatching(/^call_[a-z0-9]{8}$/),
      function: { index: 0, name: 'search_products', arguments: { query: 'red shoes', max_price: 100 } },
    });
    expect(chunks[1]).toMatchObject({ done: true, done_reason: 'stop', message: { content: '' } });
    expect(chunks[1]?.message.tool_calls).toBeUndefined();
  });

  it('can put the call inside the done chunk', async () => {
    double.enqueueChat({
      toolCalls: [{ name: 'search_products', arguments: { query: 'boots' } }],
      toolCallPlacement: 'in-done',
    });
    const chunks = await collect(
      await ollama.chat({ model: 'qwen3:8b', messages: user('Boots'), tools, stream: true, think: false }),
    );

    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.done).toBe(true);
    expect(chunks[0]?.message.tool_calls?.[0]?.function).toMatchObject({
      name: 'search_products',
      arguments: { query: 'boots' },
    });
  });

  it('can spread several calls across chunks with increasing indexes and distinct ids', async () => {
    double.enqueueChat({
      toolCalls: [
        { name: 'search_products', arguments: { query: 'tent' } },
        { name: 'search_products', arguments: { query: 'sleeping bag' } },
      ],
      toolCallPlacement: 'spread',
    });
    const chunks = await collect(
      await ollama.chat({ model: 'qwen3:8b', messages: user('Camping'), tools, stream: true, think: false }),
    );
    const calls = z.array(wireToolCallSchema).parse(accumulate(chunks).toolCalls);

    expect(chunks).toHaveLength(3);
    expect(calls.map((call) => call.function.index)).toEqual([0, 1]);
    expect(calls.map((call) => call.function.arguments)).toEqual([{ query: 'tent' }, { query: 'sleeping bag' }]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
  });

  it('rejects tools on a model without the tools capability', async () => {
    double.addModel({ name: 'plain:1b', capabilities: ['completion'] });
    const error = await caught(ollama.chat({ model: 'plain:1b', messages: user('x'), tools, stream: true }));

    expect(error).toMatchObject({
      name: 'ResponseError',
      status_code: 400,
      message: 'registry.ollama.ai/library/plain:1b does not support tools',
    });
  });
});

describe('cancellation', () => {
  const longAnswer = text(Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '));

  it('sees stream.abort() as the client going away and stops generating', async () => {
    double.enqueueChat({ chunks: longAnswer, tokenDelayMs: 5 });
    const stream = await ollama.chat({ model: 'qwen3:8b', messages: user('Long'), stream: true, think: false });
    const received: string[] = [];
    const error = await caught(
      (async () => {
        for await (const chunk of stream) {
          received.push(chunk.message.content);
          stream.abort();
        }
      })(),
    );
    await double.waitForAborted(1);

    expect(error.name).toBe('AbortError');
    expect(received[0]).toBe('word0');
    // The client may have buffered a line or two before aborting, never the whole answer.
    expect(received.length).toBeLessThan(10);
    expect(double.stats).toMatchObject({ aborted: 1, completed: 0, active: 0 });
  });

  it('does not see a plain break as an abort: the answer is generated to the end (reference §8.4)', async () => {
    double.enqueueChat({ chunks: longAnswer, tokenDelayMs: 2 });
    const stream = await ollama.chat({ model: 'qwen3:8b', messages: user('Long'), stream: true, think: false });
    for await (const chunk of stream) {
      expect(chunk.message.content).toBe('word0');
      break;
    }
    await double.waitForCompleted(1);

    expect(double.stats).toMatchObject({ aborted: 0, completed: 1 });
  });

  it('counts a client that gives up during a cold load as aborted', async () => {
    double.enqueueChat({ chunks: text('late'), headersDelayMs: 10_000 });
    const controller = new AbortController();
    const request = fetch(`${double.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen3:8b', messages: user('x') }),
      signal: controller.signal,
    });
    await until(() => double.stats.started === 1);
    controller.abort();

    expect((await caught(request)).name).toBe('AbortError');
    await double.waitForAborted(1);
  });
});

describe('errors', () => {
  it('answers an unknown model with 404, which ollama-js throws as a ResponseError', async () => {
    const error = await caught(ollama.chat({ model: 'nope:1b', messages: user('x'), stream: true }));

    expect(error).toMatchObject({ name: 'ResponseError', status_code: 404, message: "model 'nope:1b' not found" });
  });

  it('replays 503 busy with the exact two-space text', async () => {
    double.enqueueChat({ status: 503, error: OLLAMA_ERRORS.busy });
    const error = await caught(ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true }));

    expect(error).toMatchObject({
      status_code: 503,
      message: 'server busy, please try again.  maximum pending requests exceeded',
    });
  });

  it('replays a 500 tool-call parse failure, and a text/plain 500', async () => {
    double.enqueueChat(
      { status: 500, error: OLLAMA_ERRORS.toolCallParse },
      { status: 500, error: 'boom text', errorBody: 'text' },
    );

    expect(await caught(ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true }))).toMatchObject({
      status_code: 500,
      message: 'failed to parse JSON: unexpected end of JSON input',
    });
    expect(await caught(ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true }))).toMatchObject({
      status_code: 500,
      message: 'boom text',
    });
  });

  it('sends a mid-stream error line that ollama-js throws as a plain Error after the first chunks', async () => {
    double.enqueueChat({ chunks: text('We have'), end: { error: OLLAMA_ERRORS.runner } });
    const stream = await ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true, think: false });
    const received: string[] = [];
    const error = await caught(
      (async () => {
        for await (const chunk of stream) received.push(chunk.message.content);
      })(),
    );

    expect(received.join('')).toBe('We have');
    expect(error.name).toBe('Error');
    expect(error.message).toBe('an error was encountered while running the model');
    expect(error.status_code).toBeUndefined();
  });

  it('can end a stream without a done line', async () => {
    double.enqueueChat({ chunks: text('Half an'), end: 'eof' });
    const stream = await ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true, think: false });
    const error = await caught(collect(stream));

    expect(error.message).toBe('Did not receive done or success response in stream.');
  });

  it('validates requests like Ollama before streaming anything', async () => {
    double.addModel({ name: 'plain:1b', capabilities: ['completion'] });

    expect(await postRaw('/api/chat', '')).toEqual({
      status: 400,
      type: 'application/json; charset=utf-8',
      text: '{"error":"missing request body"}',
    });
    expect((await postRaw('/api/chat', { messages: user('x') })).text).toBe('{"error":"model is required"}');
    expect(await postRaw('/api/chat', { model: 'qwen3-embedding:0.6b', messages: user('x') })).toMatchObject({
      status: 400,
      text: JSON.stringify({ error: '"qwen3-embedding:0.6b" does not support chat' }),
    });
    expect(await postRaw('/api/chat', { model: 'plain:1b', messages: user('x'), think: true })).toMatchObject({
      status: 400,
      text: JSON.stringify({ error: '"plain:1b" does not support thinking' }),
    });
    expect(await postRaw('/api/chat', { model: 'plain:1b', messages: user('x'), think: false })).toMatchObject({
      status: 200,
    });
    expect(await postRaw('/api/chat', { model: 'qwen3:8b', messages: user('x'), think: 'loud' })).toMatchObject({
      status: 400,
      text: JSON.stringify({
        error: 'invalid think value: "loud" (must be "high", "medium", "low", "max", true, or false)',
      }),
    });
  });

  it('keeps a queued script for the next valid request when validation fails', async () => {
    double.enqueueChat({ chunks: text('Scripted.') });
    await caught(ollama.chat({ model: 'nope:1b', messages: user('x'), stream: true }));
    const chunks = await collect(await ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true, think: false }));

    expect(accumulate(chunks).content).toBe('Scripted.');
  });

  it('refuses connections while down and serves again when back up', async () => {
    await double.setDown(true);
    const error = await caught(ollama.chat({ model: 'qwen3:8b', messages: user('x'), stream: true }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect((error.cause as { code?: string } | undefined)?.code).toBe('ECONNREFUSED');

    await double.setDown(false);
    expect((await ollama.version()).version).toBe('0.32.15');
  });

  it('with numParallel 1 and maxQueue 1, queues one request and answers the next with 503', async () => {
    await double.close();
    double = await startOllamaDouble({ numParallel: 1, maxQueue: 1 });
    ollama = new Ollama({ host: double.url });
    double.enqueueChat({ chunks: text('first '.repeat(200)), tokenDelayMs: 5 }, { chunks: text('second') });

    const first = await ollama.chat({ model: 'qwen3:8b', messages: user('1'), stream: true, think: false });
    const second = new Ollama({ host: double.url }).chat({
      model: 'qwen3:8b',
      messages: user('2'),
      stream: true,
      think: false,
    });
    await until(() => double.stats.started === 2);
    const third = await caught(ollama.chat({ model: 'qwen3:8b', messages: user('3'), stream: true, think: false }));
    expect(third).toMatchObject({ status_code: 503, message: OLLAMA_ERRORS.busy });

    first.abort();
    expect(accumulate(await collect(await second)).content).toBe('second');
  });
});

describe('load, unload and /api/ps', () => {
  it('loads on an empty chat, lists the model in ps, and unloads with keep_alive 0', async () => {
    expect((await ollama.ps()).models).toEqual([]);

    const load = await ollama.chat({ model: 'qwen3:4b', messages: [] });
    expect(load).toMatchObject({ done: true, done_reason: 'load', message: { role: 'assistant', content: '' } });
    expect((await ollama.ps()).models.map((model) => model.name)).toEqual(['qwen3:4b']);

    const unload = await ollama.chat({ model: 'qwen3:4b', messages: [], keep_alive: 0 });
    expect(unload.done_reason).toBe('unload');
    expect((await ollama.ps()).models).toEqual([]);
  });

  it('marks a model loaded after its first chat, reporting the cold load in load_duration', async () => {
    double.enqueueChat({ chunks: text('Ready.'), headersDelayMs: 30 });
    const chunks = await collect(
      await ollama.chat({
        model: 'qwen3:8b',
        messages: user('x'),
        stream: true,
        think: false,
        options: { num_ctx: 8192 },
      }),
    );

    expect(chunks.at(-1)?.load_duration).toBeGreaterThanOrEqual(30_000_000);
    expect((await ollama.ps()).models).toEqual([expect.objectContaining({ name: 'qwen3:8b', context_length: 8192 })]);
  });
});

describe('/api/embed', () => {
  const norm = (vector: number[]) => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);

  it('returns one deterministic unit vector of the model dimension per input, in order', async () => {
    const single = await ollama.embed({ model: 'qwen3-embedding:0.6b', input: 'red running shoes' });
    const batch = await ollama.embed({ model: 'qwen3-embedding:0.6b', input: ['trail shoes', 'red running shoes'] });

    expect(single.embeddings).toHaveLength(1);
    expect(single.embeddings[0]).toHaveLength(1024);
    expect(norm(single.embeddings[0] ?? [])).toBeCloseTo(1, 5);
    expect(batch.embeddings).toHaveLength(2);
    expect(batch.embeddings[1]).toEqual(single.embeddings[0]);
    expect(single.prompt_eval_count).toBeGreaterThan(0);
  });

  it('puts texts that share words closer than unrelated texts', async () => {
    const { embeddings } = await ollama.embed({
      model: 'qwen3-embedding:0.6b',
      input: ['red running shoes', 'running shoes in red', 'stainless steel kettle'],
    });
    const [a = [], b = [], c = []] = embeddings;

    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c) + 0.3);
  });

  it('truncates to `dimensions` and renormalises', async () => {
    const full = (await ollama.embed({ model: 'qwen3-embedding:0.6b', input: 'wool socks' })).embeddings[0] ?? [];
    const cut = (await ollama.embed({ model: 'qwen3-embedding:0.6b', input: 'wool socks', dimensions: 256 })).embeddings[0] ?? [];

    expect(cut).toHaveLength(256);
    expect(norm(cut)).toBeCloseTo(1, 5);
    const prefixNorm = norm(full.slice(0, 256));
    cut.forEach((value, i) => expect(value).toBeCloseTo((full[i] ?? 0) / prefixNorm, 5));
  });

  it('answers empty input with no vectors, and rejects bad input and unknown models', async () => {
    expect(await ollama.embed({ model: 'qwen3-embedding:0.6b', input: [] })).toEqual({
      model: 'qwen3-embedding:0.6b',
      embeddings: [],
    });
    expect(await postRaw('/api/embed', { model: 'qwen3-embedding:0.6b', input: [1, 2] })).toMatchObject({
      status: 400,
      text: '{"error":"invalid input type"}',
    });
    expect(await caught(ollama.embed({ model: 'nomic:1b', input: 'x' }))).toMatchObject({
      status_code: 404,
      message: 'model "nomic:1b" not found, try pulling it first',
    });
  });

  it('rejects input longer than the context when truncate is false', async () => {
    double.addModel({ name: 'tiny-embed:1m', capabilities: ['embedding'], embeddingLength: 64, contextLength: 4 });
    const long = 'one two three four five six';

    expect((await ollama.embed({ model: 'tiny-embed:1m', input: long })).embeddings[0]).toHaveLength(64);
    expect(await caught(ollama.embed({ model: 'tiny-embed:1m', input: long, truncate: false }))).toMatchObject({
      status_code: 400,
      message: 'the input length exceeds the context length',
    });
  });
});

describe('model endpoints', () => {
  it('lists the default models with capabilities and details', async () => {
    const { models } = await ollama.list();
    const byName = new Map(models.map((model) => [model.name, model as typeof model & { capabilities: string[] }]));

    expect([...byName.keys()]).toEqual(['qwen3:4b', 'qwen3:8b', 'qwen3-embedding:0.6b']);
    expect(byName.get('qwen3:8b')?.capabilities).toEqual(['completion', 'tools', 'thinking']);
    expect(byName.get('qwen3-embedding:0.6b')?.details).toMatchObject({ family: 'qwen3', embedding_length: 1024 });
    expect(byName.get('qwen3:8b')?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows a model, and 404s an unknown one with the normalised name', async () => {
    const shown = await ollama.show({ model: 'qwen3:8b' });
    expect(shown.capabilities).toEqual(['completion', 'tools', 'thinking']);
    expect(shown.model_info).toMatchObject({ 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 });

    expect(await caught(ollama.show({ model: 'qwen3' }))).toMatchObject({
      status_code: 404,
      message: "model 'qwen3:latest' not found",
    });
  });

  it('pulls a model with streamed progress, after which it can chat', async () => {
    const statuses: string[] = [];
    for await (const progress of await ollama.pull({ model: 'qwen3:1.7b', stream: true })) statuses.push(progress.status);

    expect(statuses[0]).toBe('pulling manifest');
    expect(statuses.at(-1)).toBe('success');
    expect(double.requests.at(-1)?.body).toMatchObject({ name: 'qwen3:1.7b' });
    const chunks = await collect(await ollama.chat({ model: 'qwen3:1.7b', messages: user('Hi'), stream: true }));
    expect(chunks.at(-1)?.done).toBe(true);
  });

  it('answers the small routes like Ollama', async () => {
    const root = await fetch(`${double.url}/`);
    expect(await root.text()).toBe('Ollama is running');
    expect(await ollama.version()).toEqual({ version: '0.32.15' });
    const head = await fetch(`${double.url}/api/tags`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const unknown = await fetch(`${double.url}/api/nothing`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('404 page not found');
  });

  it('records every request with its parsed body', async () => {
    await collect(await ollama.chat({ model: 'qwen3:8b', messages: user('Hello'), stream: true }));

    expect(double.chatRequests()).toEqual([
      expect.objectContaining({ model: 'qwen3:8b', stream: true, messages: user('Hello') }),
    ]);
  });
});
