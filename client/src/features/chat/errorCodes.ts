import { ERROR_CODES, RETRYABLE_CODES, type ErrorCode } from '@aisle/shared';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** Narrows a code stored on a message (typed as string) to a known error code. */
export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

/** Whether the UI should offer "Retry" for an answer that failed with this code. */
export function isRetryableCode(code: string): boolean {
  return isErrorCode(code) && RETRYABLE_CODES.has(code);
}
