import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimits, DEFAULT_RATE_LIMITS, type RateAction, type RateLimits, type RateLimitSettings } from './rateLimits';

/** Spends `times` points and returns how many were accepted. */
async function spend(limits: RateLimits, key: string, action: RateAction, times: number): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < times; i += 1) if ((await limits.consume(key, action)).ok) accepted += 1;
  return accepted;
}

describe('rate limits', () => {
  let settings: RateLimitSettings;
  let limits: RateLimits;

  beforeEach(() => {
    vi.useFakeTimers();
    settings = {
      'model-call': { points: 3, durationSeconds: 60 },
      'request-human': { points: 1, durationSeconds: 60 },
      feedback: { points: 2, durationSeconds: 60 },
      'session-create': { points: 2, durationSeconds: 60 },
    };
    limits = createRateLimits({ limits: () => settings });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses past the limit with the time left in the window, then allows again', async () => {
    expect(await spend(limits, 'session-1', 'send', 3)).toBe(3);
    expect(await limits.consume('session-1', 'send')).toEqual({ ok: false, retryAfterMs: 60_000 });

    vi.advanceTimersByTime(20_000);
    expect(await limits.consume('session-1', 'send')).toEqual({ ok: false, retryAfterMs: 40_000 });

    vi.advanceTimersByTime(40_001);
    expect(await limits.consume('session-1', 'send')).toEqual({ ok: true });
  });

  it('charges send and retry to one model-call budget', async () => {
    expect(await spend(limits, 'session-1', 'send', 2)).toBe(2);
    expect(await spend(limits, 'session-1', 'retry', 2)).toBe(1);
    expect((await limits.consume('session-1', 'send')).ok).toBe(false);
  });

  it('gives request-human and feedback budgets of their own', async () => {
    await spend(limits, 'session-1', 'send', 3);
    expect(await spend(limits, 'session-1', 'request-human', 2)).toBe(1);
    expect(await spend(limits, 'session-1', 'feedback', 3)).toBe(2);
  });

  it('keeps keys apart: one session or address does not spend another', async () => {
    await spend(limits, 'session-1', 'send', 4);
    expect(await spend(limits, 'session-2', 'send', 3)).toBe(3);
    expect(await spend(limits, '203.0.113.7', 'session-create', 3)).toBe(2);
    expect(await spend(limits, '198.51.100.2', 'session-create', 1)).toBe(1);
  });

  it('applies a changed limit at once (hot reload)', async () => {
    expect(await spend(limits, 'session-1', 'send', 4)).toBe(3);
    settings = { ...settings, 'model-call': { points: 10, durationSeconds: 60 } };
    expect(await spend(limits, 'session-1', 'send', 11)).toBe(10);
    settings = { ...settings, 'model-call': { points: 1, durationSeconds: 60 } };
    expect(await spend(limits, 'session-1', 'send', 2)).toBe(1);
  });

  it('rethrows store failures instead of counting them as a limit', async () => {
    const broken = createRateLimits({
      limits: () => DEFAULT_RATE_LIMITS,
      createLimiter: (options) => {
        const limiter = new RateLimiterMemory(options);
        limiter.consume = () => Promise.reject(new Error('store down'));
        return limiter;
      },
    });
    await expect(broken.consume('s', 'send')).rejects.toThrow('store down');
  });
});
