import type { AppErrorBody, ErrorCode } from '@aisle/shared';

/** A failure talking to the model, classified into something the shopper and the logs can act on. */
export class LlmError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint: string | undefined,
    readonly status: number | null = null,
    /** True when text had already streamed before the failure. */
    readonly isMidStream = false,
  ) {
    super(message);
    this.name = 'LlmError';
  }

  toBody(): AppErrorBody {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** Thrown out of a stream that the caller aborted without giving a reason. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

interface Context {
  host: string;
  model: string;
  isMidStream: boolean;
}

/** The `code` of an error or of one of its causes (undici nests the socket error). */
export function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps what ollama-js throws to an LlmError. ollama-js throws `ResponseError` (not exported; has
 * `status_code`) for a non-2xx reply before streaming, a plain Error for an `{"error"}` line or an
 * early end mid-stream, and `TypeError: fetch failed` when nothing answers.
 */
export function classifyLlmError(err: unknown, ctx: Context): LlmError {
  if (err instanceof LlmError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const pull = `ollama pull ${ctx.model}`;
  const status =
    err && typeof err === 'object' && 'status_code' in err && typeof err.status_code === 'number' ? err.status_code : null;

  if (status !== null) {
    if (status === 404) {
      return new LlmError(
        'model-not-pulled',
        `The model ${ctx.model} is not installed on the Ollama server at ${ctx.host}.`,
        `Run: ${pull}`,
        404,
      );
    }
    if (status === 503) {
      return new LlmError('ollama-busy', 'Ollama is busy with other requests.', 'Please try again in a moment.', 503);
    }
    if (status === 400) {
      return new LlmError(
        'model-unsupported',
        `Ollama refused the request for ${ctx.model}: ${message}`,
        message.includes('does not support thinking')
          ? 'Set chat.think to false in aisle.yaml: this model cannot think.'
          : message.includes('does not support chat')
            ? 'That model is an embedding model; set chat.model to a chat model such as qwen3:4b.'
            : 'Choose a model that supports tools (for example qwen3:4b) in aisle.yaml, or check the chat options.',
        400,
      );
    }
    return new LlmError(
      'model-error',
      `The model failed before answering: ${message}`,
      'Try again; if it keeps failing, check the Ollama logs.',
      status,
    );
  }

  const code = causeCode(err);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    (code === 'ECONNRESET' && !ctx.isMidStream) ||
    message === 'fetch failed'
  ) {
    return new LlmError(
      'ollama-unreachable',
      `Can't reach Ollama at ${ctx.host}.`,
      `Install Ollama (https://ollama.com/download), start it with "ollama serve", then run "${pull}". Or point OLLAMA_HOST at a running Ollama.`,
    );
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new LlmError('ollama-timeout', 'Ollama took too long to answer.', 'The model may still be loading; try again.');
  }
  if (message.includes('Did not receive done')) {
    return new LlmError(
      'generation-interrupted',
      'The answer ended unexpectedly before it was finished.',
      'Try again.',
      null,
      ctx.isMidStream,
    );
  }
  return new LlmError('generation-failed', `The model stopped with an error: ${message}`, 'Try again.', null, ctx.isMidStream);
}
