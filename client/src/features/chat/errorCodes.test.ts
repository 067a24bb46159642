import { BUSY_MESSAGE } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { errorText, isRetryableCode } from './errorCodes';

describe('busy error', () => {
  it("reads the shoppers' sentence and offers Retry", () => {
    expect(errorText({ code: 'busy', message: 'Too many answers waiting from this address.' })).toBe(
      "We're busy right now. Please try again in a minute.",
    );
    expect(BUSY_MESSAGE).toBe("We're busy right now. Please try again in a minute.");
    expect(isRetryableCode('busy')).toBe(true);
  });

  it("keeps other errors' own sentences", () => {
    expect(errorText({ code: 'ollama-timeout', message: 'Ollama took too long.' })).toBe('Ollama took too long.');
    expect(isRetryableCode('rate-limited')).toBe(false);
  });
});
