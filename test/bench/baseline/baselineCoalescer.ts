/**
 * Aisle's delta coalescing, restated for the baseline: the first text goes out at once, then at most
 * one emit per `intervalMs`; `flush()` sends what is pending. A copy rather than an import so the
 * baseline stays the same whatever the server under test does; if Aisle's rule changes, change this
 * too, or the ratios compare different work.
 */
export class BaselineCoalescer {
  private pending = '';
  private timer: NodeJS.Timeout | null = null;
  private lastEmitAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (text: string) => void,
  ) {}

  /** Adds text; emits now if the last emit was at least `intervalMs` ago, else when that time comes. */
  push(text: string): void {
    if (!text) return;
    this.pending += text;
    if (this.timer) return;
    const wait = this.lastEmitAt + this.intervalMs - performance.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Emits whatever is pending, at once. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.lastEmitAt = performance.now();
    this.emit(text);
  }

  /** Drops the timer without emitting. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
