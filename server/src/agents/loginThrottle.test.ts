import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './loginThrottle';

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
});
