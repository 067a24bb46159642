import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortedError, LlmError } from './llmErrors';
import { StreamGuard } from './streamGuard';

const HINT = 'The model may still be loading or overloaded; try again.';
const classified = new LlmError('generation-failed', 'classified', 'Try again.');
const classify = () => classified;

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function guard(signal: AbortSignal = new AbortController().signal): StreamGuard {
  return new StreamGuard({ signal, timeoutHint: HINT });
}

describe('deadlines', () => {
  it('aborts the stream with ollama-timeout when the deadline passes, and reports that over the transport error', () => {
    const g = guard();
    g.arm(1000, 'Ollama did not start answering within 1 s.');
    vi.advanceTimersByTime(999);
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(g.signal.aborted).toBe(true);

    const err = g.failure(new DOMException('This operation was aborted', 'AbortError'), classify);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ code: 'ollama-timeout', message: 'Ollama did not start answering within 1 s.', hint: HINT });
  });

  it('restarts the deadline when re-armed, so a stream that keeps talking never times out', () => {
    const g = guard();
    g.arm(1000, 'first token');
    for (let chunk = 0; chunk < 5; chunk++) {
      vi.advanceTimersByTime(900);
      g.arm(1000, 'went silent');
    }
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(g.failure(new Error('x'), classify)).toMatchObject({ code: 'ollama-timeout', message: 'went silent' });
  });
});

describe("the caller's signal", () => {
  it('aborts the stream and is what the stream throws', () => {
    const caller = new AbortController();
    const g = guard(caller.signal);
    const stopped = new Error('shopper pressed stop');
    caller.abort(stopped);
    expect(g.signal.aborted).toBe(true);
    expect(g.failure(new DOMException('aborted', 'AbortError'), classify)).toBe(stopped);
  });

  it('turns an abort without an Error reason into AbortedError', () => {
    const caller = new AbortController();
    const g = guard(caller.signal);
    caller.abort('gone');
    expect(g.failure(new Error('x'), classify)).toBeInstanceOf(AbortedError);
  });

  it('counts when it was aborted before the stream started', () => {
    const caller = new AbortController();
    caller.abort(new Error('already stopped'));
    const g = guard(caller.signal);
    expect(g.signal.aborted).toBe(true);
    const stop = vi.fn();
    g.onAbort(stop);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});

describe('other failures and closing', () => {
  it('leaves any other failure to the backend to classify', () => {
    const g = guard();
    g.arm(1000, 'first token');
    const seen: unknown[] = [];
    const thrown = new TypeError('fetch failed');
    const err = g.failure(thrown, (cause) => {
      seen.push(cause);
      return classified;
    });
    expect(err).toBe(classified);
    expect(seen).toEqual([thrown]);
  });

  it('closes the upstream request on close and stops the deadline', () => {
    const g = guard();
    const stop = vi.fn();
    g.onAbort(stop);
    g.arm(1000, 'first token');
    expect(stop).not.toHaveBeenCalled();

    g.close();
    expect(g.signal.aborted).toBe(true);
    expect(stop).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    // Closing is not a timeout: a late failure is still the backend's to classify.
    expect(g.failure(new Error('late'), classify)).toBe(classified);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs the abort callback once, however many causes follow', () => {
    const caller = new AbortController();
    const g = guard(caller.signal);
    const stop = vi.fn();
    g.onAbort(stop);
    g.arm(10, 'first token');
    vi.advanceTimersByTime(10);
    caller.abort(new Error('stop'));
    g.close();
    expect(stop).toHaveBeenCalledTimes(1);
    // A timeout that fired first is what the stream reports, even if the caller aborts later.
    expect(g.failure(new Error('x'), classify)).toMatchObject({ code: 'ollama-timeout' });
  });
});
