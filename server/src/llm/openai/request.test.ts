import { describe, expect, it } from 'vitest';
import type { ChatStreamRequest } from '../types';
import { chatCompletionBody, toOpenAiMessages } from './request';

function request(overrides: Partial<ChatStreamRequest> = {}): ChatStreamRequest {
  return {
    model: 'Qwen/Qwen3-8B',
    messages: [{ role: 'user', content: 'boots' }],
    think: false,
    keepAlive: '30m',
    options: {},
    signal: new AbortController().signal,
    firstTokenTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    ...overrides,
  };
}

describe('the request body', () => {
  it('switches thinking the way each server kind understands', () => {
    expect(chatCompletionBody(request({ think: true }), 'vllm')).toMatchObject({
      chat_template_kwargs: { enable_thinking: true },
    });
    expect(chatCompletionBody(request({ think: false }), 'ollama-v1')).toMatchObject({ reasoning_effort: 'none' });
    expect(chatCompletionBody(request({ think: true }), 'ollama-v1')).not.toHaveProperty('reasoning_effort');
    expect(chatCompletionBody(request({ think: 'low' }), 'openai')).toMatchObject({ reasoning_effort: 'low' });
    expect(chatCompletionBody(request({ think: false }), 'openai')).not.toHaveProperty('reasoning_effort');
  });

  it("leaves out Ollama's no-limit num_predict and sends top_k/min_p to vLLM only", () => {
    const options = { num_predict: -1, top_k: 20, min_p: 0, num_ctx: 8192 };
    const vllm = chatCompletionBody(request({ options }), 'vllm');
    expect(vllm).not.toHaveProperty('max_tokens');
    expect(vllm).toMatchObject({ top_k: 20, min_p: 0 });
    expect(vllm).not.toHaveProperty('num_ctx');
    expect(chatCompletionBody(request({ options }), 'openai')).not.toHaveProperty('top_k');
  });
});

describe('tool-call history', () => {
  it('gives a result that answers no call a made-up id rather than dropping it', () => {
    const sent = toOpenAiMessages([{ role: 'tool', tool_name: 'search_products', content: '{}' }]);
    expect(sent).toEqual([{ role: 'tool', tool_call_id: 'call_orphan_0', content: '{}' }]);
  });

  it("keeps a call's own id and pairs results by tool name when they carry no id", () => {
    const sent = toOpenAiMessages([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'own', function: { name: 'search_products', arguments: { query: 'boots' } } },
          { function: { name: 'get_product', arguments: { id: 'p1' } } },
        ],
      },
      { role: 'tool', tool_name: 'get_product', content: '{"product":null}' },
      { role: 'tool', tool_name: 'search_products', content: '{"results":[]}' },
    ]);
    expect(sent[0]).toMatchObject({ tool_calls: [{ id: 'own' }, { id: 'call_0_1' }] });
    expect(sent.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 'call_0_1', content: '{"product":null}' },
      { role: 'tool', tool_call_id: 'own', content: '{"results":[]}' },
    ]);
  });
});
