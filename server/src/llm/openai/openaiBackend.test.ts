// Over 350 lines on purpose: every case drives the one backend class through the same double and
// helpers (start, request, collect, failure); split files would each repeat that harness.
import { afterEach, describe, expect, it } from 'vitest';
import { reasoning, startOpenAiDouble, text, type OpenAiDouble, type OpenAiDoubleOptions } from '../../../../test/openai-double';
import { LlmError } from '../llmErrors';
import type { ChatStreamRequest, LlmEvent, LlmMessage, LlmTool } from '../types';
import { OpenAiCompatibleBackend } from './openaiBackend';
import type { OpenAiServerKind } from './serverKind';

let double: OpenAiDouble | undefined;

afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(options: OpenAiDoubleOptions = {}, kind: OpenAiServerKind = 'vllm', apiKey?: string) {
  double = await startOpenAiDouble(options);
  const backend = new OpenAiCompatibleBackend({ baseUrl: double.url, kind, ...(apiKey ? { apiKey } : {}) });
  return { double, backend };
}

const SEARCH_TOOL: LlmTool = {
  type: 'function',
  function: {
    name: 'search_products',
    description: 'Search the catalogue',
    parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  },
};

function request(overrides: Partial<ChatStreamRequest> = {}): ChatStreamRequest {
  return {
    model: 'Qwen/Qwen3-8B',
    messages: [{ role: 'user', content: 'Do you have rain boots?' }],
    think: false,
    keepAlive: '30m',
    options: { temperature: 0.6, num_predict: 1024, num_ctx: 8192, seed: 7 },
    signal: new AbortController().signal,
    firstTokenTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    ...overrides,
  };
}

async function collect(stream: AsyncGenerator<LlmEvent>): Promise<LlmEvent[]> {
  const events: LlmEvent[] = [];
  for await (const ev of stream) events.push(ev);
  return events;
}

async function failure(stream: AsyncGenerator<LlmEvent>, seen: LlmEvent[] = []): Promise<LlmError> {
  try {
    for await (const ev of stream) seen.push(ev);
  } catch (err) {
    if (err instanceof LlmError) return err;
    throw err;
  }
  throw new Error('expected the stream to fail');
}

const joined = (events: LlmEvent[], type: 'content' | 'thinking') =>
  events.map((ev) => (ev.type === type ? ev.text : '')).join('');

describe('streaming from an OpenAI-compatible server', () => {
  it('streams the answer text and reports usage and the finish reason', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('We have two pairs of rain boots.'), usage: { prompt_tokens: 42, completion_tokens: 9 } });
    const events = await collect(backend.streamChat(request()));

    expect(joined(events, 'content')).toBe('We have two pairs of rain boots.');
    // vLLM's role-only first delta carries an empty content string: no empty event for it.
    expect(events.filter((ev) => ev.type === 'content').every((ev) => ev.type === 'content' && ev.text !== '')).toBe(true);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.stats).toMatchObject({ doneReason: 'stop', promptEvalCount: 42, evalCount: 9 });
    expect(done.stats.totalDurationNs).toBeGreaterThan(0);
  });

  it('sends the OpenAI request fields, with thinking switched off the vLLM way', async () => {
    const { double, backend } = await start({ apiKey: 'sk-test' }, 'vllm', 'sk-test');
    double.enqueue({ chunks: text('Ok') });
    await collect(backend.streamChat(request({ tools: [SEARCH_TOOL] })));

    const sent = double.requests.at(-1)?.body;
    expect(sent).toMatchObject({
      model: 'Qwen/Qwen3-8B',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.6,
      max_tokens: 1024,
      seed: 7,
      chat_template_kwargs: { enable_thinking: false },
      tools: [{ type: 'function', function: { name: 'search_products', description: 'Search the catalogue' } }],
    });
    expect(sent).not.toHaveProperty('num_ctx');
    expect(double.requests.at(-1)?.headers.authorization).toBe('Bearer sk-test');
  });

  it('reads reasoning under both field names, once when a server sends both', async () => {
    const { double, backend } = await start();
    double.enqueue(
      { chunks: [...reasoning('Boots, waterproof.'), ...text('Here they are.')], reasoningField: 'reasoning' },
      { chunks: [...reasoning('Older vLLM.'), ...text('Fine.')], reasoningField: 'reasoning_content' },
      { chunks: [...reasoning('Both names.'), ...text('Once.')], reasoningField: 'both' },
    );
    const first = await collect(backend.streamChat(request({ think: true })));
    const second = await collect(backend.streamChat(request({ think: true })));
    const third = await collect(backend.streamChat(request({ think: true })));

    expect(joined(first, 'thinking')).toBe('Boots, waterproof.');
    expect(joined(first, 'content')).toBe('Here they are.');
    expect(joined(second, 'thinking')).toBe('Older vLLM.');
    expect(joined(third, 'thinking')).toBe('Both names.');
    expect(double.chatRequests().at(-1)?.chat_template_kwargs).toEqual({ enable_thinking: true });
  });

  it('keeps multibyte characters and CRLF-framed events intact when they are split across reads', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('Prix 12 € · 長靴 👢'), splitUtf8: true, crlf: true });
    const events = await collect(backend.streamChat(request()));
    expect(joined(events, 'content')).toBe('Prix 12 € · 長靴 👢');
  });

  it('reports a reply cut by num_predict as length', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('one two three four five six') });
    const events = await collect(backend.streamChat(request({ options: { num_predict: 3 } })));
    expect(joined(events, 'content')).toBe('one two three');
    expect(events.at(-1)).toMatchObject({ type: 'done', stats: { doneReason: 'length' } });
  });
});

describe('tool calls', () => {
  it('merges argument fragments of two parallel calls by index, streamed interleaved (vLLM)', async () => {
    const { double, backend } = await start();
    double.enqueue({
      chunks: text('Let me look.'),
      toolCalls: [
        { id: 'call_a', name: 'search_products', arguments: { query: 'rain boots', max_price: 80 } },
        { id: 'call_b', name: 'get_product', arguments: { id: 'SKU-€-42' } },
      ],
      fragmentSize: 3,
      interleave: true,
    });
    const events = await collect(backend.streamChat(request({ tools: [SEARCH_TOOL] })));

    const calls = events.filter((ev) => ev.type === 'tool_calls');
    expect(calls).toEqual([
      {
        type: 'tool_calls',
        calls: [
          { id: 'call_a', name: 'search_products', arguments: { query: 'rain boots', max_price: 80 } },
          { id: 'call_b', name: 'get_product', arguments: { id: 'SKU-€-42' } },
        ],
      },
    ]);
    // One tool_calls event, right before done; the turn ends "stop" as on Ollama's native API.
    expect(events.at(-2)?.type).toBe('tool_calls');
    expect(events.at(-1)).toMatchObject({ type: 'done', stats: { doneReason: 'stop' } });
  });

  it('takes whole calls from Ollama /v1 and turns thinking off with reasoning_effort', async () => {
    const { double, backend } = await start({ flavor: 'ollama-v1' }, 'ollama-v1');
    double.enqueue({
      chunks: [{ reasoning: 'They want boots.', content: 'Searching.' }],
      toolCalls: [
        { name: 'search_products', arguments: { query: 'boots' } },
        { name: 'search_products', arguments: { query: 'wellies' } },
      ],
    });
    const events = await collect(backend.streamChat(request({ model: 'qwen3:4b', tools: [SEARCH_TOOL] })));

    expect(joined(events, 'thinking')).toBe('They want boots.');
    expect(joined(events, 'content')).toBe('Searching.');
    const calls = events.find((ev) => ev.type === 'tool_calls');
    expect(calls?.type === 'tool_calls' && calls.calls.map((c) => c.arguments)).toEqual([
      { query: 'boots' },
      { query: 'wellies' },
    ]);
    expect(calls?.type === 'tool_calls' && calls.calls.every((c) => typeof c.id === 'string' && c.id.startsWith('call_'))).toBe(
      true,
    );
    expect(double.chatRequests()[0]?.reasoning_effort).toBe('none');
    expect(double.chatRequests()[0]).not.toHaveProperty('chat_template_kwargs');
  });

  it('sends a tool-call history the server accepts: calls and results share ids, made up where missing', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('Done.') });
    const messages: LlmMessage[] = [
      { role: 'system', content: 'You are a shop assistant.' },
      { role: 'user', content: 'boots under 80' },
      // The server's own prefetch: no ids anywhere.
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'search_products', arguments: { query: 'boots' } } }] },
      { role: 'tool', tool_name: 'search_products', content: '{"results":[]}' },
      // A model round: ollama-js types drop the call id; it survives on the tool result.
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { function: { name: 'search_products', arguments: { query: 'wellies' } } },
          { function: { name: 'get_product', arguments: { id: 'p1' } } },
        ],
      },
      { role: 'tool', tool_name: 'search_products', content: '{"results":[]}', tool_call_id: 'call_model_1' },
      { role: 'tool', tool_name: 'get_product', content: '{"product":null}' },
    ];
    const events = await collect(backend.streamChat(request({ messages })));
    // The double rejects (400) a result that answers no earlier call, as OpenAI and vLLM do.
    expect(joined(events, 'content')).toBe('Done.');

    const sent = double.chatRequests()[0]?.messages ?? [];
    const assistantIds = sent.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id));
    const resultIds = sent.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);
    expect(resultIds).toEqual(assistantIds);
    expect(assistantIds[1]).toBe('call_model_1');
    expect(new Set(assistantIds).size).toBe(3);
    expect(sent[2]?.tool_calls?.[0]?.function.arguments).toBe('{"query":"boots"}');
  });

  it('fails the turn with a clear error when a call has arguments that are not JSON', async () => {
    const { double, backend } = await start();
    double.enqueue({ toolCalls: [{ name: 'search_products', arguments: '{"query": "boo' }], finishReason: 'length' });
    const err = await failure(backend.streamChat(request({ tools: [SEARCH_TOOL] })));
    expect(err.code).toBe('generation-failed');
    expect(err.message).toContain('search_products');
    expect(err.message).toContain('token limit');
  });
});

describe('a server that does not stream', () => {
  it('reads one whole completion with its reasoning, text and tool calls', async () => {
    const { double, backend } = await start();
    double.enqueue({
      ignoreStream: true,
      chunks: [...reasoning('Think.'), ...text('Searching now.')],
      toolCalls: [{ id: 'call_w', name: 'search_products', arguments: { query: 'boots' } }],
      usage: { prompt_tokens: 30, completion_tokens: 12 },
    });
    const events = await collect(backend.streamChat(request({ tools: [SEARCH_TOOL] })));
    expect(joined(events, 'thinking')).toBe('Think.');
    expect(joined(events, 'content')).toBe('Searching now.');
    expect(events.at(-2)).toEqual({
      type: 'tool_calls',
      calls: [{ id: 'call_w', name: 'search_products', arguments: { query: 'boots' } }],
    });
    expect(events.at(-1)).toMatchObject({ type: 'done', stats: { doneReason: 'stop', promptEvalCount: 30, evalCount: 12 } });
  });
});

describe('stopping', () => {
  it('closes the upstream request when the caller stops reading', async () => {
    const { double, backend } = await start({ tokenDelayMs: 20 });
    double.enqueue({ chunks: text('word '.repeat(200)) });
    for await (const ev of backend.streamChat(request())) {
      if (ev.type === 'content') break;
    }
    await double.waitForAborted(1);
    expect(double.stats.completed).toBe(0);
  });

  it('closes the upstream request when the signal aborts before the headers', async () => {
    const { double, backend } = await start();
    double.enqueue({ headersDelayMs: 5000, chunks: text('late') });
    const controller = new AbortController();
    const stream = backend.streamChat(request({ signal: controller.signal }));
    const next = stream.next();
    while (double.stats.started === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('shopper pressed stop'));
    await expect(next).rejects.toThrow('shopper pressed stop');
    await double.waitForAborted(1);
  });
});

describe('errors', () => {
  it('maps an unknown model (flat vLLM error body) to model-not-pulled with a vLLM hint', async () => {
    const { backend } = await start();
    const err = await failure(backend.streamChat(request({ model: 'Qwen/Qwen3-14B' })));
    expect(err.code).toBe('model-not-pulled');
    expect(err.status).toBe(404);
    expect(err.hint).toContain('vllm serve Qwen/Qwen3-14B');
  });

  it('maps an unknown model (nested error body) on Ollama /v1 to the pull command', async () => {
    const { backend } = await start({ flavor: 'ollama-v1' }, 'ollama-v1');
    const err = await failure(backend.streamChat(request({ model: 'qwen3:14b' })));
    expect(err.code).toBe('model-not-pulled');
    expect(err.hint).toBe('Run: ollama pull qwen3:14b');
  });

  it('understands both error shapes for busy, refused and failed requests', async () => {
    const { double, backend } = await start();
    double.enqueue(
      { status: 503, error: 'Service Unavailable', errorShape: 'flat' },
      { status: 429, error: 'Rate limit reached', errorShape: 'nested' },
      {
        status: 400,
        error: '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
        errorShape: 'flat',
      },
      { status: 400, error: "This model's maximum context length is 8192 tokens.", errorShape: 'nested' },
      { status: 500, error: 'EngineCore encountered an issue.', errorShape: 'nested' },
    );
    const busy = await failure(backend.streamChat(request()));
    const limited = await failure(backend.streamChat(request()));
    const noTools = await failure(backend.streamChat(request()));
    const tooLong = await failure(backend.streamChat(request()));
    const broken = await failure(backend.streamChat(request()));

    expect([busy.code, limited.code, noTools.code, tooLong.code, broken.code]).toEqual([
      'ollama-busy',
      'ollama-busy',
      'model-unsupported',
      'model-unsupported',
      'model-error',
    ]);
    expect(noTools.message).toContain('--enable-auto-tool-choice');
    expect(noTools.hint).toContain('--tool-call-parser hermes');
    expect(tooLong.message).toContain('maximum context length');
    expect(broken.message).toContain('EngineCore encountered an issue.');
  });

  it('maps an error event in the middle of the stream to generation-failed, after the text so far', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('We have'), end: { error: 'CUDA out of memory' } });
    const seen: LlmEvent[] = [];
    const err = await failure(backend.streamChat(request()), seen);
    expect(joined(seen, 'content')).toBe('We have');
    expect(err.code).toBe('generation-failed');
    expect(err.isMidStream).toBe(true);
    expect(err.message).toContain('CUDA out of memory');
  });

  it('maps a stream that ends with neither [DONE] nor a finish reason to generation-interrupted', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('Half an'), end: 'eof' });
    const seen: LlmEvent[] = [];
    const err = await failure(backend.streamChat(request()), seen);
    expect(joined(seen, 'content')).toBe('Half an');
    expect(err.code).toBe('generation-interrupted');
  });

  it('accepts a finished stream that closes without [DONE]', async () => {
    const { double, backend } = await start();
    double.enqueue({ chunks: text('Complete answer.'), end: 'no-done', usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const events = await collect(backend.streamChat(request()));
    expect(joined(events, 'content')).toBe('Complete answer.');
    expect(events.at(-1)).toMatchObject({ type: 'done', stats: { doneReason: 'stop', evalCount: 2 } });
  });

  it('says the server is unreachable, naming it, when nothing listens', async () => {
    const { double, backend } = await start();
    await double.setDown(true);
    const err = await failure(backend.streamChat(request()));
    expect(err.code).toBe('ollama-unreachable');
    expect(err.message).toContain(double.url);
    expect(err.hint).toContain('vllm serve');
  });

  it('tells a wrong base URL (a 404 that is not an API error) from an unknown model', async () => {
    double = await startOpenAiDouble();
    const backend = new OpenAiCompatibleBackend({ baseUrl: `${double.url}/proxy`, kind: 'vllm' });
    const err = await failure(backend.streamChat(request()));
    expect(err.code).toBe('model-error');
    expect(err.hint).toContain('baseUrl');
  });

  it('refuses without the API key the server wants', async () => {
    const { backend } = await start({ apiKey: 'sk-right' }, 'vllm', 'sk-wrong');
    const err = await failure(backend.streamChat(request()));
    expect(err.status).toBe(401);
    expect(err.hint).toContain('apiKey');
  });
});

describe('timeouts', () => {
  it('gives up when headers came but no token follows, and closes the request', async () => {
    const { double, backend } = await start();
    double.enqueue({ firstChunkDelayMs: 5000, chunks: text('too late') });
    const err = await failure(backend.streamChat(request({ firstTokenTimeoutMs: 150 })));
    expect(err.code).toBe('ollama-timeout');
    expect(err.message).toContain('did not start answering');
    await double.waitForAborted(1);
  });

  it('gives up when the server goes silent mid-answer', async () => {
    // Ollama /v1 has no role-only first delta, so "one" is the first event and the wait follows it.
    const { double, backend } = await start({ flavor: 'ollama-v1' }, 'ollama-v1');
    double.enqueue({ chunks: text('one two'), tokenDelayMs: 5000 });
    const seen: LlmEvent[] = [];
    const err = await failure(backend.streamChat(request({ model: 'qwen3:4b', idleTimeoutMs: 150 })), seen);
    expect(joined(seen, 'content')).toBe('one');
    expect(err.code).toBe('ollama-timeout');
    expect(err.message).toContain('went silent');
    await double.waitForAborted(1);
  });
});

describe('server information', () => {
  it('reports the vLLM version, the served models and no loaded-model list', async () => {
    const { backend } = await start({ models: ['Qwen/Qwen3-8B', 'Qwen/Qwen3-4B'] });
    expect(await backend.version()).toBe('0.11.0');
    expect(await backend.listModels()).toEqual([
      { name: 'Qwen/Qwen3-8B', capabilities: ['completion', 'tools'] },
      { name: 'Qwen/Qwen3-4B', capabilities: ['completion', 'tools'] },
    ]);
    expect(await backend.loadedModels()).toBeNull();
  });

  it('accepts a base URL ending in /v1 and falls back to /v1/models for liveness', async () => {
    double = await startOpenAiDouble({ flavor: 'ollama-v1' });
    const generic = new OpenAiCompatibleBackend({ baseUrl: `${double.url}/v1/` });
    expect(generic.host).toBe(double.url);
    expect(await generic.version()).toBe('unknown');
    const ollama = new OpenAiCompatibleBackend({ baseUrl: double.url, kind: 'ollama-v1' });
    expect(await ollama.version()).toBe('0.32.15');
  });

  it('throws ollama-unreachable from version() when the server is down', async () => {
    const { double, backend } = await start();
    await double.setDown(true);
    await expect(backend.version()).rejects.toMatchObject({ code: 'ollama-unreachable' });
  });
});
