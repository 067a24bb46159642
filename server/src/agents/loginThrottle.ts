/** Something that tells the time in epoch milliseconds; `Date` by default, a test clock in tests. */
export interface Clock {
  now(): number;
}

/**
 * Counts failures per key over a fixed window that starts at the key's first failure; a key with
 * `limit` failures is locked until its window ends. Written here rather than taken from
 * rate-limiter-flexible because its memory store reads `Date.now()` and arms a timer per key, so a
 * lock could only be tested by waiting it out; this one reads an injected clock.
 */
export function createLoginThrottle(options: { limit: number; windowMs: number; clock: Clock }) {
  const { limit, windowMs, clock } = options;
  const windows = new Map<string, { failures: number; endsAt: number }>();
  let lastSweep = clock.now();

  /** The key's window, or undefined when it has none or it has ended (then it is forgotten). */
  function current(key: string, now: number) {
    const entry = windows.get(key);
    if (entry && entry.endsAt <= now) windows.delete(key);
    return entry && entry.endsAt > now ? entry : undefined;
  }

  /** Addresses and emails nobody tries again would otherwise stay forever: drop ended windows now and then. */
  function sweep(now: number): void {
    if (now - lastSweep < windowMs) return;
    lastSweep = now;
    for (const [key, entry] of windows) if (entry.endsAt <= now) windows.delete(key);
  }

  return {
    /** Milliseconds until this key may try again, or 0 when it may try now. */
    lockedFor(key: string): number {
      const now = clock.now();
      const entry = current(key, now);
      return entry && entry.failures >= limit ? Math.max(entry.endsAt - now, 1) : 0;
    },

    /** Counts one failure; the first failure of a key starts its window. */
    fail(key: string): void {
      const now = clock.now();
      sweep(now);
      const entry = current(key, now);
      if (entry) entry.failures += 1;
      else windows.set(key, { failures: 1, endsAt: now + windowMs });
    },

    /** Forgets the key's failures (a successful sign-in). */
    reset(key: string): void {
      windows.delete(key);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
