import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OpenAiDouble, OpenAiDoubleOptions } from './index';
import { reasoning, startOpenAiDouble, text } from './index';

let double: OpenAiDouble | undefined;

afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(options: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  double = await startOpenAiDouble(options);
  return double;
}

const deltaSchema = z.looseObject({
  role: z.string().optional(),
  content: z.string().nullish(),
  reasoning: z.string().optional(),
  reasoning_content: z.string().optional(),
  tool_calls: z
    .array(
      z.looseObject({
        index: z.number(),
        id: z.string().optional(),
        type: z.string().optional(),
        function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }),
      }),
    )
    .optional(),
});
const chunkSchema = z.looseObject({
  object: z.literal('chat.completion.chunk'),
  choices: z.array(z.looseObject({ index: z.number(), delta: deltaSchema, finish_reason: z.string().nullable() })),
  usage: z.looseObject({ prompt_tokens: z.number(), completion_tokens: z.number() }).optional(),
});

const user = [{ role: 'user', content: 'Do you have boots?' }];

/** Posts a chat request and splits the SSE body by its framing (one `data:` line per event). */
async function streamed(d: OpenAiDouble, body: Record<string, unknown>) {
  const res = await fetch(`${d.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: d.models[0], messages: user, stream: true, ...body }),
  });
  const raw = await res.text();
  const datas = raw
    .split('\n\n')
    .filter((event) => event !== '')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
  const isDone = datas.at(-1) === '[DONE]';
  const chunks = datas.filter((data) => data !== '[DONE]').map((data) => chunkSchema.parse(JSON.parse(data)));
  return { status: res.status, type: res.headers.get('content-type'), chunks, isDone, raw };
}

const deltas = (chunks: Array<z.infer<typeof chunkSchema>>) => chunks.flatMap((chunk) => chunk.choices.map((c) => c.delta));

describe('vLLM flavour', () => {
  it('streams a role-only first delta, content, a finish chunk, usage on request and [DONE]', async () => {
    const d = await start();
    d.enqueue({ chunks: text('Yes, two pairs.'), usage: { prompt_tokens: 12, completion_tokens: 4 } });
    const reply = await streamed(d, { stream_options: { include_usage: true } });

    expect(reply.type).toContain('text/event-stream');
    expect(reply.isDone).toBe(true);
    expect(deltas(reply.chunks)[0]).toEqual({ role: 'assistant', content: '' });
    expect(
      deltas(reply.chunks)
        .map((delta) => delta.content ?? '')
        .join(''),
    ).toBe('Yes, two pairs.');
    const finish = reply.chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(reply.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 4 } });
  });

  it('streams tool-call arguments in fragments keyed by index, id and name in the first one only', async () => {
    const d = await start();
    d.enqueue({ toolCalls: [{ id: 'call_1', name: 'search_products', arguments: { query: 'boots' } }], fragmentSize: 4 });
    const reply = await streamed(d, {});

    const parts = deltas(reply.chunks).flatMap((delta) => delta.tool_calls ?? []);
    expect(parts[0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'search_products', arguments: '' } });
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.slice(1).every((part) => part.id === undefined && part.function.name === undefined)).toBe(true);
    expect(parts.map((part) => part.function.arguments).join('')).toBe('{"query":"boots"}');
    expect(reply.chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    // No usage chunk unless asked for.
    expect(reply.chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('answers an unknown model with 404 in the flat error shape, and unknown routes like FastAPI', async () => {
    const d = await start();
    const res = await fetch(`${d.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nope', messages: user }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      object: 'error',
      message: 'The model `nope` does not exist.',
      type: 'NotFoundError',
      param: null,
      code: 404,
    });
    const route = await fetch(`${d.url}/api/chat`);
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({ detail: 'Not Found' });
  });

  it('rejects a tool result that answers no earlier call, as OpenAI servers do', async () => {
    const d = await start();
    const res = await fetch(`${d.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: d.models[0], messages: [...user, { role: 'tool', tool_call_id: 'call_x', content: '{}' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("must be a response to a preceeding message with 'tool_calls'");
    expect(d.stats.started).toBe(0);
  });

  it('counts a client that hangs up mid-stream as aborted', async () => {
    const d = await start({ tokenDelayMs: 20 });
    d.enqueue({ chunks: text('word '.repeat(100)) });
    const controller = new AbortController();
    const res = await fetch(`${d.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: d.models[0], messages: user, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    await d.waitForAborted(1);
    expect(d.stats).toMatchObject({ started: 1, aborted: 1, completed: 0, active: 0 });
  });
});

describe('Ollama /v1 flavour', () => {
  it('sends whole tool calls in one delta and splits reasoning from content', async () => {
    const d = await start({ flavor: 'ollama-v1' });
    d.enqueue({
      chunks: [...reasoning('Boots.'), { reasoning: ' Search.', content: 'Looking' }],
      toolCalls: [
        { id: 'call_a', name: 'search_products', arguments: { query: 'boots' } },
        { id: 'call_b', name: 'search_products', arguments: { query: 'wellies' } },
      ],
    });
    const reply = await streamed(d, {});

    const all = deltas(reply.chunks);
    expect(all.every((delta) => !(delta.reasoning && delta.content))).toBe(true);
    expect(all.map((delta) => delta.reasoning ?? '').join('')).toBe('Boots. Search.');
    const withCalls = all.filter((delta) => delta.tool_calls);
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0]?.tool_calls).toEqual([
      { id: 'call_a', index: 0, type: 'function', function: { name: 'search_products', arguments: '{"query":"boots"}' } },
      { id: 'call_b', index: 1, type: 'function', function: { name: 'search_products', arguments: '{"query":"wellies"}' } },
    ]);
    expect(reply.chunks[0]).toMatchObject({ system_fingerprint: 'fp_ollama' });
  });

  it('answers errors in the nested shape', async () => {
    const d = await start({ flavor: 'ollama-v1' });
    d.enqueue({ status: 503, error: 'server busy' });
    const busy = await fetch(`${d.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen3:4b', messages: user }),
    });
    expect(busy.status).toBe(503);
    expect(await busy.json()).toEqual({ error: { message: 'server busy', type: 'api_error', param: null, code: 503 } });
  });
});

describe('default replies', () => {
  it('uses the demo brain: a search call when tools are offered, a whole completion when stream is false', async () => {
    const d = await start();
    const tools = [{ type: 'function', function: { name: 'search_products', parameters: { type: 'object' } } }];
    const reply = await streamed(d, {
      messages: [{ role: 'user', content: 'boots under $80' }],
      tools,
      chat_template_kwargs: { enable_thinking: false },
    });
    const args = deltas(reply.chunks)
      .flatMap((delta) => delta.tool_calls ?? [])
      .map((part) => part.function.arguments ?? '')
      .join('');
    expect(JSON.parse(args)).toEqual({ query: 'boots under $80', max_price: 80 });
    expect(deltas(reply.chunks).some((delta) => delta.reasoning)).toBe(false);

    const whole = await fetch(`${d.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: d.models[0], messages: user, stream: false }),
    });
    expect(await whole.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ finish_reason: 'stop', message: { role: 'assistant' } }],
    });
  });
});
