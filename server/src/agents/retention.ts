import type { TranscriptRepository } from '../db/transcriptRepository';
import type { Logger } from '../logger';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes conversations (and what hangs off them) with no activity for the given number of days. */
export function createRetention(deps: { transcripts: TranscriptRepository; logger: Logger }) {
  const log = deps.logger.child({ area: 'retention' });
  let timer: NodeJS.Timeout | null = null;

  async function purgeOlderThan(days: number) {
    if (!Number.isInteger(days) || days < 1) throw new Error(`retention: expected a whole number of days, got ${days}`);
    const cutoff = new Date(Date.now() - days * DAY_MS).toISOString();
    const purged = await deps.transcripts.purgeOlderThan(cutoff);
    if (purged.conversations + purged.searches + purged.sessions > 0)
      log.info({ days, cutoff, ...purged }, 'deleted data past the retention period');
    return purged;
  }

  return {
    purgeOlderThan,

    /** Purges now and then every `intervalMs` while `days()` gives a number. */
    start(days: () => number | null, intervalMs = 60 * 60 * 1000): void {
      if (timer) return;
      const run = () => {
        const d = days();
        if (d !== null) purgeOlderThan(d).catch((err: unknown) => log.error({ err }, 'retention purge failed'));
      };
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    },

    /** Stops the timer. */
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
