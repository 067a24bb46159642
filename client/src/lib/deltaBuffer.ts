import type { ChatDeltaEvent } from '@aisle/shared';

/** Runs a callback later; returns a function that cancels it. */
export type FrameScheduler = (callback: () => void) => () => void;

/**
 * Schedules on the next animation frame, or on a short timer while the tab is hidden (browsers
 * pause animation frames there, and text should not pile up until the shopper comes back).
 */
export const animationFrameScheduler: FrameScheduler = (callback) => {
  if (typeof document !== 'undefined' && document.hidden) {
    const timer = setTimeout(callback, 250);
    return () => clearTimeout(timer);
  }
  const frame = requestAnimationFrame(callback);
  return () => cancelAnimationFrame(frame);
};

/**
 * Collects streamed deltas outside React and hands them over in one batch per frame, so a fast
 * model re-renders the answer at most once per frame however many tokens arrive.
 */
export class DeltaBuffer {
  private pending: ChatDeltaEvent[] = [];
  private cancel: (() => void) | null = null;

  constructor(
    private readonly onFlush: (deltas: readonly ChatDeltaEvent[]) => void,
    private readonly schedule: FrameScheduler = animationFrameScheduler,
  ) {}

  /** Queues a delta and makes sure a flush is scheduled. */
  push(delta: ChatDeltaEvent): void {
    this.pending.push(delta);
    if (this.cancel === null) {
      this.cancel = this.schedule(() => {
        this.cancel = null;
        this.flush();
      });
    }
  }

  /** Hands over everything queued now (e.g. before applying the final message). */
  flush(): void {
    if (this.cancel !== null) {
      this.cancel();
      this.cancel = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.onFlush(batch);
  }

  /** Drops queued deltas and any scheduled flush. */
  dispose(): void {
    this.cancel?.();
    this.cancel = null;
    this.pending = [];
  }
}
