import { AbortedError, LlmError } from './llmErrors';

/** Options of {@link StreamGuard}. */
export interface StreamGuardOptions {
  /** The caller's signal: the shopper stopped, disconnected, or the answer was cancelled. */
  signal: AbortSignal;
  /** Hint of the `ollama-timeout` error a missed deadline raises. */
  timeoutHint: string;
}

/**
 * The timer and abort wiring of one streamed model call, the same for every backend: one deadline
 * that is re-armed as the stream moves on (first token, then silence between chunks), the caller's
 * abort signal, and closing the upstream request however the stream ends. Use it as
 *
 *     const guard = new StreamGuard({ signal: req.signal, timeoutHint });
 *     guard.arm(req.firstTokenTimeoutMs, '… did not start answering …');
 *     try { … fetch(url, { signal: guard.signal }) … }
 *     catch (err) { throw guard.failure(err, classify); }
 *     finally { guard.close(); }
 */
export class StreamGuard {
  /** Aborts when the caller aborts, a deadline passes, or the guard is closed; give it to fetch. */
  readonly signal: AbortSignal;
  private readonly caller: AbortSignal;
  private readonly timeoutHint: string;
  private readonly deadline = new AbortController();
  private readonly closing = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the current deadline passes (Date.now() ms), and what the failure then says. */
  private deadlineAt = 0;
  private deadlineMessage = '';

  constructor(options: StreamGuardOptions) {
    this.caller = options.signal;
    this.timeoutHint = options.timeoutHint;
    this.signal = AbortSignal.any([options.signal, this.deadline.signal, this.closing.signal]);
  }

  /**
   * (Re)starts the deadline: if `ms` pass before the next call, the stream fails with `message`.
   * Called for every chunk, so it only moves the deadline; the one timer, when it fires early,
   * sleeps again until the deadline (a new timer per token cost more than the rest of this class).
   */
  arm(ms: number, message: string): void {
    const at = Date.now() + ms;
    const isEarlier = at < this.deadlineAt;
    this.deadlineAt = at;
    this.deadlineMessage = message;
    if (this.timer === undefined || isEarlier) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.expire(), ms);
    }
  }

  private expire(): void {
    const left = this.deadlineAt - Date.now();
    if (left > 0) {
      this.timer = setTimeout(() => this.expire(), left);
      return;
    }
    this.timer = undefined;
    this.deadline.abort(new LlmError('ollama-timeout', this.deadlineMessage, this.timeoutHint));
  }

  /**
   * Runs `stop` once when {@link signal} aborts, or now if it already has: for clients whose stream
   * does not end with the fetch signal (ollama-js needs its own `abort()`).
   */
  onAbort(stop: () => void): void {
    if (this.signal.aborted) stop();
    else this.signal.addEventListener('abort', stop, { once: true });
  }

  /**
   * The error to throw for a failure of the stream. A missed deadline and the caller's abort win
   * over whatever the transport threw because of them (an AbortError says nothing useful);
   * anything else is the backend's to classify.
   */
  failure(err: unknown, classify: (err: unknown) => LlmError): Error {
    if (this.deadline.signal.aborted && this.deadline.signal.reason instanceof LlmError) return this.deadline.signal.reason;
    if (this.caller.aborted) return this.caller.reason instanceof Error ? this.caller.reason : new AbortedError();
    return classify(err);
  }

  /**
   * Stops the deadline and aborts {@link signal}, which closes the upstream request if the caller left
   * early or something failed, so the server stops generating; after a complete reply it is a no-op.
   */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closing.abort();
  }
}
