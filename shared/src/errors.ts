/**
 * Stable error codes shared by server and client. Codes are kebab-case and never reused for a
 * different meaning: the client chooses banners and actions from them, tests assert on them.
 */
export const ERROR_CODES = [
  'bad-request',
  'not-found',
  'forbidden',
  'unauthorized',
  'rate-limited',
  'message-too-long',
  'answer-in-progress',
  'nothing-to-stop',
  'ollama-unreachable',
  'ollama-timeout',
  'ollama-busy',
  'model-not-pulled',
  'model-unsupported',
  'model-error',
  'generation-failed',
  'generation-interrupted',
  'taken-over',
  /** Too many answers waiting for the model: the line is full for this address or for everybody. */
  'busy',
  'internal',
  /** A reply the client could not read: not JSON, not the envelope, or `data` failing its schema. */
  'bad-reply',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error half of every reply: a code the UI can act on and a sentence a person can read. */
export interface AppErrorBody {
  code: ErrorCode;
  message: string;
  /** What the person can do about it, in the same voice as `message`. */
  hint?: string;
  /**
   * Operator detail (host, model, command, upstream text) for a failure a shopper sees in plain words.
   * Sent only to the developer on this machine (loopback quick start); shown as "For the developer:".
   */
  developer?: string;
}

/** One result shape for every acknowledgement and JSON reply. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: AppErrorBody };

/** Builds a successful result. */
export function ok<T>(data: T): Result<T> {
  return { ok: true, data };
}

/** Builds a failed result. */
export function fail(code: ErrorCode, message: string, hint?: string): { ok: false; error: AppErrorBody } {
  return { ok: false, error: hint === undefined ? { code, message } : { code, message, hint } };
}

/** Errors that the UI should offer a Retry button for. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ollama-unreachable',
  'ollama-timeout',
  'ollama-busy',
  'model-not-pulled',
  'model-error',
  'generation-failed',
  'generation-interrupted',
  'busy',
]);

/** What shoppers read for `busy`: the server sends it and the client shows it. */
export const BUSY_MESSAGE = "We're busy right now. Please try again in a minute.";
