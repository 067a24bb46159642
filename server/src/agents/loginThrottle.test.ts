import { describe, expect, it } from 'vitest';
import { createBackoff, createKnownAddresses, createLoginThrottle } from './loginThrottle';

function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('login throttle', () => {
  it('locks a key at the limit until the window that began at its first failure ends', () => {
    const clock = manualClock();
    const throttle = createLoginThrottle({ limit: 3, windowMs: 10_000, clock });
    throttle.fail('ann');
    clock.advance(2_000);
    throttle.fail('ann');
    expect(throttle.lockedFor('ann')).toBe(0);
    throttle.fail('ann');
    expect(throttle.lockedFor('ann')).toBe(8_000);
    expect(throttle.lockedFor('bob')).toBe(0);

    clock.advance(7_999);
    expect(throttle.lockedFor('ann')).toBe(1);
    clock.advance(1);
    expect(throttle.lockedFor('ann')).toBe(0);
  });

  it('starts a fresh count after the window, and forgets a key on reset', () => {
    const clock = manualClock();
    const throttle = createLoginThrottle({ limit: 2, windowMs: 1_000, clock });
    throttle.fail('ann');
    clock.advance(1_000);
    throttle.fail('ann');
    expect(throttle.lockedFor('ann')).toBe(0);
    throttle.fail('ann');
    expect(throttle.lockedFor('ann')).toBe(1_000);
    throttle.reset('ann');
    expect(throttle.lockedFor('ann')).toBe(0);
  });

  it('takes back a failure charged in advance', () => {
    const clock = manualClock();
    const throttle = createLoginThrottle({ limit: 2, windowMs: 1_000, clock });
    throttle.fail('ann');
    throttle.fail('ann');
    expect(throttle.lockedFor('ann')).toBe(1_000);
    throttle.refund('ann');
    expect(throttle.lockedFor('ann')).toBe(0);
  });
});

describe('backoff', () => {
  it('lets the free failures through, then doubles the wait from the last failure up to the cap', () => {
    const clock = manualClock();
    const backoff = createBackoff({ freeFailures: 2, baseMs: 1_000, maxMs: 4_000, forgetAfterMs: 60_000, clock });
    backoff.fail('ann');
    expect(backoff.waitFor('ann')).toBe(0);
    backoff.fail('ann');
    expect(backoff.waitFor('ann')).toBe(1_000);
    clock.advance(1_000);
    expect(backoff.waitFor('ann')).toBe(0);
    backoff.fail('ann');
    expect(backoff.waitFor('ann')).toBe(2_000);
    backoff.fail('ann');
    backoff.fail('ann');
    expect(backoff.waitFor('ann'), 'capped').toBe(4_000);
    expect(backoff.waitFor('bob')).toBe(0);
  });

  it('forgets a key left alone long enough, and takes back a refunded failure', () => {
    const clock = manualClock();
    const backoff = createBackoff({ freeFailures: 1, baseMs: 1_000, maxMs: 4_000, forgetAfterMs: 10_000, clock });
    backoff.fail('ann');
    backoff.fail('ann');
    expect(backoff.waitFor('ann')).toBe(2_000);
    backoff.refund('ann');
    expect(backoff.waitFor('ann')).toBe(1_000);
    clock.advance(10_000);
    backoff.fail('ann');
    expect(backoff.waitFor('ann'), 'a fresh start: one failure is free').toBe(1_000);
  });
});

describe('known addresses', () => {
  it('remembers the latest addresses per account for a while', () => {
    const clock = manualClock();
    const known = createKnownAddresses({ ttlMs: 10_000, perAccount: 2, clock });
    known.add('ann', 'a');
    known.add('ann', 'b');
    expect(known.has('ann', 'a')).toBe(true);
    expect(known.has('bob', 'a')).toBe(false);
    known.add('ann', 'c');
    expect(known.has('ann', 'a'), 'the oldest is dropped').toBe(false);
    expect(known.has('ann', 'b')).toBe(true);
    clock.advance(10_000);
    expect(known.has('ann', 'c')).toBe(false);
  });
});
