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
 * Hands streamed deltas over to the store at most once per frame, so a fast model re-renders the
 * answer at most once per frame however many tokens arrive. The first delta after a quiet frame is
 * handed over at once rather than at the next frame: waiting for the frame would add up to a whole
 * frame (16 ms at 60 Hz) before the text reaches the page, and at the server's pace (one delta per
 * 25 ms) nearly every delta is the first of its frame. Deltas arriving within the same frame after it
 * are batched and handed over when the frame comes.
 */
export class DeltaBuffer {
  private pending: ChatDeltaEvent[] = [];
  /** Ends the current frame window; null when nothing was handed over since the last frame. */
  private cancel: (() => void) | null = null;

  constructor(
    private readonly onFlush: (deltas: readonly ChatDeltaEvent[]) => void,
    private readonly schedule: FrameScheduler = animationFrameScheduler,
  ) {}

  /** Queues a delta: handed over now if nothing was this frame, else with the next frame. */
  push(delta: ChatDeltaEvent): void {
    this.pending.push(delta);
    if (this.cancel === null) this.handOver();
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

  /** Hands over what is queued and opens a frame window: later deltas wait for the frame. */
  private handOver(): void {
    this.flush();
    this.cancel = this.schedule(() => {
      this.cancel = null;
      // Deltas batched during the frame go now, and keep the window open for one more frame.
      if (this.pending.length > 0) this.handOver();
    });
  }
}
