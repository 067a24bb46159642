import { BUSY_MESSAGE } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n/i18n';
import { errorHint, errorText, isRetryableCode } from './errorCodes';

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

describe('errors in other languages', () => {
  const german = createI18n('de');

  it('reads the sentence for the code in the shopper’s language, not the server’s English', () => {
    expect(
      errorText({ code: 'ollama-timeout', message: 'The assistant took too long to answer. Please try again.' }, german),
    ).toBe('Der Assistent hat zu lange für die Antwort gebraucht. Bitte versuche es erneut.');
    expect(errorText({ code: 'busy', message: 'Too many answers waiting from this address.' }, createI18n('zh-CN'))).toBe(
      '我们目前很忙。请一分钟后再试。',
    );
  });

  it('falls back to the server’s text for a code the page does not know', () => {
    expect(errorText({ code: 'brand-new-code', message: 'Something new happened.' }, german)).toBe('Something new happened.');
  });

  it('hides English hints in another language and keeps them in English', () => {
    expect(errorHint({ hint: 'Shorten it, then send again.' }, german)).toBeUndefined();
    expect(errorHint({ hint: 'Shorten it, then send again.' }, createI18n('en'))).toBe('Shorten it, then send again.');
  });
});
