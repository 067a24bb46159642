import type { TranscriptRepository } from '../db/transcriptRepository';
import type { Logger } from '../logger';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Reads the retention period in days from the environment (`AISLE_RETENTION_DAYS`) until the config
 * gains `privacy.retentionDays`. Unset or empty means keep everything; anything but a whole number of
 * at least 1 is refused with a reason, so a typo never deletes data.
 */
export function retentionDaysFromEnv(env: Record<string, string | undefined> = process.env): {
  days: number | null;
  problem?: string;
} {
  const raw = env.AISLE_RETENTION_DAYS?.trim();
  if (!raw) return { days: null };
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1)
    return { days: null, problem: `AISLE_RETENTION_DAYS: expected a whole number of days (1 or more), got "${raw}"` };
  return { days };
}

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

    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
