import { describe, expect, it } from 'vitest';
import { classifyLlmError } from './llmErrors';

const ctx = { host: 'http://127.0.0.1:11434', model: 'qwen3:4b', isMidStream: false };

/** The shape ollama-js gives a non-2xx reply (its ResponseError class is not exported). */
function responseError(message: string, status: number): Error {
  return Object.assign(new Error(message), { name: 'ResponseError', error: message, status_code: status });
}

describe('classifying what ollama-js throws', () => {
  it('tells the shopper how to pull a missing model', () => {
    const e = classifyLlmError(responseError("model 'qwen3:4b' not found", 404), ctx);
    expect(e.code).toBe('model-not-pulled');
    expect(e.hint).toContain('ollama pull qwen3:4b');
  });

  it('names the host when nothing answers', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const e = classifyLlmError(err, ctx);
    expect(e.code).toBe('ollama-unreachable');
    expect(e.message).toContain('http://127.0.0.1:11434');
    expect(e.hint).toContain('ollama serve');
  });

  it('separates busy, refused, failed mid-stream and cut-off streams', () => {
    expect(
      classifyLlmError(responseError('server busy, please try again.  maximum pending requests exceeded', 503), ctx).code,
    ).toBe('ollama-busy');
    expect(classifyLlmError(responseError('"qwen3:4b" does not support thinking', 400), ctx).code).toBe('model-unsupported');
    expect(classifyLlmError(responseError('failed to parse JSON: unexpected end of JSON input', 500), ctx).code).toBe(
      'model-error',
    );
    expect(
      classifyLlmError(new Error('an error was encountered while running the model'), { ...ctx, isMidStream: true }).code,
    ).toBe('generation-failed');
    expect(classifyLlmError(new Error('Did not receive done or success response in stream.'), ctx).code).toBe(
      'generation-interrupted',
    );
  });
});
