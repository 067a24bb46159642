import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RETRYABLE_CODES } from './errors';
import { SHOPPER_MESSAGES, isShopperSafe, shopperError } from './shopperMessages';

const FORBIDDEN = ['http', '://', '127.0.0.1', 'localhost', 'ollama pull', 'ollama serve', 'OLLAMA_HOST', 'qwen', 'llama', '`'];

/** What an operator message looks like for each code: the worst text the server may hold. */
const operatorText = {
  message: "Can't reach Ollama at http://127.0.0.1:11434. The model qwen3:4b failed: terminated",
  hint: 'Run: `ollama pull qwen3:4b`, or point OLLAMA_HOST at a running Ollama (localhost).',
};

describe.each(ERROR_CODES.map((code) => [code]))('the shopper text for %s', (code) => {
  it('names no address, command, model or upstream text', () => {
    const text = SHOPPER_MESSAGES[code];
    for (const word of FORBIDDEN) expect(text.toLowerCase()).not.toContain(word.toLowerCase());
    expect(isShopperSafe(text)).toBe(true);
  });

  it('is what a shopper gets even when the server held operator text', () => {
    const body = shopperError({ code, ...operatorText }, false);
    const seen = `${body.message} ${body.hint ?? ''} ${body.developer ?? ''}`;
    for (const word of FORBIDDEN) expect(seen.toLowerCase()).not.toContain(word.toLowerCase());
    expect(body.message).toBe(SHOPPER_MESSAGES[code]);
    expect(body.developer).toBeUndefined();
  });

  it('gives the developer on this machine the operator detail on a second line', () => {
    const body = shopperError({ code, ...operatorText }, true);
    expect(body.message).toBe(SHOPPER_MESSAGES[code]);
    expect(body.developer).toContain('ollama pull qwen3:4b');
  });

  it('offers a way forward', () => {
    // Retry is the page's button for retryable codes; the others say what to do in words.
    if (!RETRYABLE_CODES.has(code)) expect(SHOPPER_MESSAGES[code]).toMatch(/\.$/);
    expect(SHOPPER_MESSAGES[code].length).toBeLessThan(120);
  });
});

describe('sentences the chat service writes for shoppers', () => {
  it('keeps them, with their hint', () => {
    const body = shopperError(
      { code: 'message-too-long', message: 'Your message is 4,500 characters; the limit is 4,000.', hint: 'Shorten it and send again.' },
      false,
    );
    expect(body).toEqual({
      code: 'message-too-long',
      message: 'Your message is 4,500 characters; the limit is 4,000.',
      hint: 'Shorten it and send again.',
    });
  });
});
