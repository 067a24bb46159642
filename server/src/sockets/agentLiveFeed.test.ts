import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalescePerKey } from './agentLiveFeed';

describe('coalescing agent list updates per conversation', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns 2,000 changes of one conversation in one second into at most one update per 250 ms, the last one included', () => {
    const runs: Array<{ key: string; at: number }> = [];
    const start = Date.now();
    const updates = coalescePerKey(250, (key) => runs.push({ key, at: Date.now() - start }));

    for (let i = 0; i < 2000; i += 1) {
      updates.push('c1');
      vi.advanceTimersByTime(0.5);
    }
    const lastPushAt = Date.now() - start;
    vi.advanceTimersByTime(1000);

    // Leading update at 0, then one per window while changes keep coming, then the trailing one.
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(1000 / 250) + 1);
    expect(runs[0]?.at).toBe(0);
    expect(runs.at(-1)!.at).toBeGreaterThanOrEqual(lastPushAt);
    for (const [i, run] of runs.entries()) if (i > 0) expect(run.at - runs[i - 1]!.at).toBeGreaterThanOrEqual(250);
    updates.close();
  });

  it('keeps conversations apart and sends a lone change at once', () => {
    const runs: string[] = [];
    const updates = coalescePerKey(250, (key) => runs.push(key));

    updates.push('a');
    updates.push('b');
    updates.push('a');
    expect(runs).toEqual(['a', 'b']);
    vi.advanceTimersByTime(250);
    expect(runs).toEqual(['a', 'b', 'a']);
    vi.advanceTimersByTime(1000);
    expect(runs).toEqual(['a', 'b', 'a']);
    updates.push('b');
    expect(runs).toEqual(['a', 'b', 'a', 'b']);
    updates.close();
  });
});
