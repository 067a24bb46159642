import type { ErrorCode } from '@aisle/shared';

/** Which queue cap refused a waiter: the one for its address, or the one for everybody. */
export type QueueFullScope = 'address' | 'total';

/**
 * The queue is full, so the answer is refused at once instead of waiting. Shoppers see the shared
 * `busy` error ("We're busy right now. Please try again in a minute.").
 */
export class QueueFullError extends Error {
  readonly code = 'busy' satisfies ErrorCode;

  constructor(readonly scope: QueueFullScope) {
    super(scope === 'address' ? 'Too many answers waiting from this address.' : 'Too many answers waiting.');
    this.name = 'QueueFullError';
  }
}

/**
 * The waiter's signal aborted while it was in line (the shopper pressed Stop, or left). Named like the
 * DOM's AbortError so code that already treats aborts as "not a failure" treats this one the same way.
 */
export class AdmissionAbortedError extends Error {
  constructor() {
    super('Stopped while waiting in line.');
    this.name = 'AbortError';
  }
}

/** Whether `err` is the queue's refusal because it is full. */
export function isQueueFullError(err: unknown): err is QueueFullError {
  return err instanceof QueueFullError;
}

/** Whether `err` means the waiter was cancelled before its turn. */
export function isAdmissionAbortedError(err: unknown): err is AdmissionAbortedError {
  return err instanceof AdmissionAbortedError;
}
