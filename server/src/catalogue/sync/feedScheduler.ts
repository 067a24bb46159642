import type { CatalogueFeed } from '../../config/configSchema';
import type { Logger } from '../../logger';
import type { SyncResult } from './catalogueSync';

/** The timer functions the scheduler uses; tests pass ones they move on by hand. */
export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What `syncNow` did: started (with the result to come), or why not. */
export type SyncNowOutcome =
  { kind: 'started'; result: Promise<SyncResult> } | { kind: 'unknown-feed' } | { kind: 'already-running' };

/** The first sync of each feed starts within this long (or its interval, if shorter), spread at random. */
const MAX_START_JITTER_MS = 5 * 60_000;

const realTimers: SchedulerTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Runs each configured feed's sync on its interval: one timer per feed, the first run at a random
 * moment within the first interval (so feeds and restarts do not all hit the network at once), never
 * two syncs of one feed at once. `reschedule` applies a hot-reloaded feed list: changed and new feeds
 * start again, removed ones stop. `close` stops the timers and aborts running syncs.
 */
export function createFeedScheduler(deps: {
  feeds: () => readonly CatalogueFeed[];
  run: (feed: CatalogueFeed, signal: AbortSignal) => Promise<SyncResult>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  timers?: SchedulerTimers;
  random?: () => number;
}) {
  const timers = deps.timers ?? realTimers;
  const random = deps.random ?? Math.random;
  const scheduled = new Map<string, { signature: string; handle: unknown }>();
  const running = new Map<string, Promise<SyncResult>>();
  const abort = new AbortController();
  let isClosed = false;

  const feedNamed = (name: string) => deps.feeds().find((f) => f.name === name);
  const intervalMs = (feed: CatalogueFeed) => feed.intervalMinutes * 60_000;

  const schedule = (feed: CatalogueFeed, delayMs: number) => {
    const signature = JSON.stringify(feed);
    const handle = timers.setTimeout(() => {
      // The feed may have changed or gone since this timer was set.
      const current = feedNamed(feed.name);
      if (isClosed || !current || JSON.stringify(current) !== signature) return;
      if (!running.has(current.name)) void start(current);
      schedule(current, intervalMs(current));
    }, delayMs);
    scheduled.set(feed.name, { signature, handle });
  };

  const start = (feed: CatalogueFeed): Promise<SyncResult> => {
    const result = deps.run(feed, abort.signal).catch((error: unknown): SyncResult => {
      deps.logger.error({ err: error, source: feed.name }, 'catalogue sync crashed');
      return {
        source: feed.name,
        status: 'failed',
        added: 0,
        updated: 0,
        gone: 0,
        skipped: 0,
        rowsRead: 0,
        demoRemoved: 0,
        skipReasons: null,
        error: 'unexpected error',
      };
    });
    const tracked = result.finally(() => running.delete(feed.name));
    running.set(feed.name, tracked);
    return tracked;
  };

  const reschedule = () => {
    if (isClosed) return;
    const feeds = deps.feeds();
    const names = new Set(feeds.map((f) => f.name));
    for (const [name, entry] of scheduled) {
      if (!names.has(name)) {
        timers.clearTimeout(entry.handle);
        scheduled.delete(name);
      }
    }
    for (const feed of feeds) {
      const entry = scheduled.get(feed.name);
      if (entry?.signature === JSON.stringify(feed)) continue;
      if (entry) timers.clearTimeout(entry.handle);
      schedule(feed, Math.floor(random() * Math.min(intervalMs(feed), MAX_START_JITTER_MS)));
    }
  };

  return {
    /** Schedules every configured feed. */
    start: reschedule,
    /** Applies the feed list in force now (after a config reload). */
    reschedule,
    /** Starts a sync of the named feed at once, unless one is running. */
    syncNow(name: string): SyncNowOutcome {
      const feed = feedNamed(name);
      if (!feed || isClosed) return { kind: 'unknown-feed' };
      if (running.has(name)) return { kind: 'already-running' };
      return { kind: 'started', result: start(feed) };
    },
    /** Names of feeds whose sync runs in this process now. */
    runningNames(): string[] {
      return [...running.keys()];
    },
    /** Stops the timers, aborts running syncs and waits for them to record how they ended. */
    async close(): Promise<void> {
      isClosed = true;
      for (const entry of scheduled.values()) timers.clearTimeout(entry.handle);
      scheduled.clear();
      abort.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}

export type FeedScheduler = ReturnType<typeof createFeedScheduler>;
