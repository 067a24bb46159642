import { BUSY_MESSAGE, ERROR_CODES, RETRYABLE_CODES, type ErrorCode } from '@aisle/shared';
import type { i18n as I18n } from 'i18next';
import { i18n as uiI18n } from '../../i18n/i18n';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Narrows a code stored on a message (typed as string) to a known error code. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

/** Whether the UI should offer "Retry" for an answer that failed with this code. */
export function isRetryableCode(code: string): boolean {
  return isErrorCode(code) && RETRYABLE_CODES.has(code);
}

/** Whether this page reads the server's own (English) sentences as they are. */
const isEnglish = (i18n: I18n): boolean => i18n.language === 'en';

/**
 * The sentence a shopper reads for an error. The server writes shopper-safe sentences in English, so
 * in another language the sentence comes from the error code (an unknown code keeps the server's text).
 * In English the server's sentence is kept, since it may be more precise than the code's (the size of
 * a message over the limit); `busy` always reads the shared sentence, whatever detail the server put in
 * the message (which may name a queue cap, not something a shopper can act on).
 */
export function errorText(error: { code: string; message: string }, i18n: I18n = uiI18n): string {
  if (isEnglish(i18n)) return error.code === 'busy' ? BUSY_MESSAGE : error.message;
  return isErrorCode(error.code) ? i18n.t(`errors.${error.code}`) : error.message;
}

/**
 * The hint under an error, when it can be shown in the page's language. Hints come in English from
 * the server; translated sentences already say what to do, so other languages show none.
 */
export function errorHint(error: { hint?: string | undefined }, i18n: I18n = uiI18n): string | undefined {
  return isEnglish(i18n) && error.hint !== undefined && error.hint !== '' ? error.hint : undefined;
}
