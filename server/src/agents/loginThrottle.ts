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

    /** Takes back one failure counted in advance for an attempt that turned out right. */
    refund(key: string): void {
      const entry = current(key, clock.now());
      if (!entry) return;
      entry.failures -= 1;
      if (entry.failures <= 0) windows.delete(key);
    },

    /** Forgets the key's failures (a successful sign-in). */
    reset(key: string): void {
      windows.delete(key);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

/**
 * Exponential backoff per key: the first `freeFailures` failures cost nothing; after that each attempt
 * has to wait `baseMs`, then twice as long, and so on up to `maxMs`, counted from the last failure. A key
 * quiet for `forgetAfterMs` starts afresh. Unlike a lock, the wait never grows past `maxMs`, so someone
 * else's failures can slow an account down but never shut its owner out for long.
 */
export function createBackoff(options: {
  freeFailures: number;
  baseMs: number;
  maxMs: number;
  forgetAfterMs: number;
  clock: Clock;
}) {
  const { freeFailures, baseMs, maxMs, forgetAfterMs, clock } = options;
  const keys = new Map<string, { failures: number; lastAt: number }>();
  let lastSweep = clock.now();

  function current(key: string, now: number) {
    const entry = keys.get(key);
    if (entry && now - entry.lastAt >= forgetAfterMs) {
      keys.delete(key);
      return undefined;
    }
    return entry;
  }

  function sweep(now: number): void {
    if (now - lastSweep < forgetAfterMs) return;
    lastSweep = now;
    for (const [key, entry] of keys) if (now - entry.lastAt >= forgetAfterMs) keys.delete(key);
  }

  return {
    /** Milliseconds this key has to wait before its next attempt, or 0. */
    waitFor(key: string): number {
      const now = clock.now();
      const entry = current(key, now);
      if (!entry || entry.failures < freeFailures) return 0;
      const delay = Math.min(baseMs * 2 ** (entry.failures - freeFailures), maxMs);
      return Math.max(entry.lastAt + delay - now, 0);
    },

    /** Counts one failure now. */
    fail(key: string): void {
      const now = clock.now();
      sweep(now);
      const entry = current(key, now);
      if (entry) {
        entry.failures += 1;
        entry.lastAt = now;
      } else keys.set(key, { failures: 1, lastAt: now });
    },

    /** Takes back one failure counted in advance for an attempt that turned out right. */
    refund(key: string): void {
      const entry = current(key, clock.now());
      if (!entry) return;
      entry.failures -= 1;
      if (entry.failures <= 0) keys.delete(key);
    },
  };
}

export type Backoff = ReturnType<typeof createBackoff>;

/**
 * Remembers, per account, the addresses it signed in from lately (at most `perAccount` each, the oldest
 * dropped first). Guessing from elsewhere does not slow the owner down at an address they are known at.
 */
export function createKnownAddresses(options: { ttlMs: number; perAccount: number; clock: Clock }) {
  const { ttlMs, perAccount, clock } = options;
  const accounts = new Map<string, Map<string, number>>();
  return {
    /** True when the account signed in from this address within the last `ttlMs`. */
    has(account: string, address: string): boolean {
      const seenAt = accounts.get(account)?.get(address);
      return seenAt !== undefined && clock.now() - seenAt < ttlMs;
    },

    /** Notes a successful sign-in. */
    add(account: string, address: string): void {
      const known = accounts.get(account) ?? new Map<string, number>();
      known.delete(address);
      known.set(address, clock.now());
      // Maps keep insertion order: the first keys are the addresses seen longest ago.
      for (const oldest of known.keys()) {
        if (known.size <= perAccount) break;
        known.delete(oldest);
      }
      accounts.set(account, known);
    },
  };
}
