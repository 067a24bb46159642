import { BUSY_MESSAGE, ERROR_CODES, RETRYABLE_CODES, type ErrorCode } from '@aisle/shared';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Narrows a code stored on a message (typed as string) to a known error code. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

/** Whether the UI should offer "Retry" for an answer that failed with this code. */
export function isRetryableCode(code: string): boolean {
  return isErrorCode(code) && RETRYABLE_CODES.has(code);
}

/**
 * The sentence a shopper reads for an error. `busy` always reads the shared sentence, whatever detail
 * the server put in the message (which may name a queue cap, not something a shopper can act on).
 */
export function errorText(error: { code: string; message: string }): string {
  return error.code === 'busy' ? BUSY_MESSAGE : error.message;
}
