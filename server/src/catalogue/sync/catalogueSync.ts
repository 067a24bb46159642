import path from 'node:path';
import type { CatalogueSyncStatus, SkipReasons } from '@aisle/shared';
import type { CatalogueFeed } from '../../config/configSchema';
import type { CatalogueSourceRepository } from '../../db/catalogueSourceRepository';
import { nowIso } from '../../db/database';
import type { Logger } from '../../logger';
import { demoRemovedMessage } from '../demoCatalogue';
import { UNCLOSED_QUOTE_REASON } from '../import/feedReader';
import { FeedError, importCatalogue, type ImportProgress, type ImportSummary } from '../import/importCatalogue';
import { fetchFeed, SyncProblem, type DownloadProgress } from './feedDownload';

/** What one sync did. `busy`: another sync of the feed was running, so this one did not start. */
export interface SyncResult {
  source: string;
  status: Exclude<CatalogueSyncStatus, 'running'> | 'busy';
  added: number;
  updated: number;
  gone: number;
  skipped: number;
  rowsRead: number;
  demoRemoved: number;
  skipReasons: SkipReasons | null;
  /** Why it failed or was refused. */
  error: string | null;
}

/** Progress of a sync: downloading, then reading rows into staging. */
export type SyncProgress = ({ phase: 'download' } & DownloadProgress) | ({ phase: 'read' } & ImportProgress);

/** Skipped rows kept in the history, and the longest reason kept. */
const MAX_SKIP_PROBLEMS = 20;
const MAX_REASON_CHARS = 300;
/** Folder (inside the data dir, not a RAM-backed /tmp) for downloads while they are read. */
const DOWNLOAD_DIR = '.feed-downloads';

/** Settings a feed falls back to. */
export interface SyncDefaults {
  currency: string | null;
  shopUrl: string | null;
}

/**
 * Creates the feed sync: download (conditional GET), read through the importer into staging, then
 * apply all at once. A failed download, a cut-off file, a feed without one valid product or a full
 * sync that would remove more than `maxRemoveShare` of the source's products changes nothing and is
 * recorded with why. Used by the server's scheduler and by `pnpm catalogue sync` alike.
 */
export function createCatalogueSync(deps: {
  sources: CatalogueSourceRepository;
  dataDir: string;
  defaults: () => SyncDefaults;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}) {
  const { sources, logger: log } = deps;

  return {
    /** Syncs one feed now. Never throws for a bad feed: the result (and the history) says what happened. */
    async sync(
      feed: CatalogueFeed,
      options: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void } = {},
    ): Promise<SyncResult> {
      const result: SyncResult = {
        source: feed.name,
        status: 'ok',
        added: 0,
        updated: 0,
        gone: 0,
        skipped: 0,
        rowsRead: 0,
        demoRemoved: 0,
        skipReasons: null,
        error: null,
      };
      await sources.ensure(feed.name, 'feed');
      if (!(await sources.acquire(feed.name)))
        return { ...result, status: 'busy', error: 'a sync of this feed is already running' };
      const syncId = await sources.startSync(feed.name, nowIso());
      let validators: { etag: string | null; lastModified: string | null } | undefined;
      let cleanup: () => Promise<void> = async () => undefined;
      try {
        await sources.clearStaged(feed.name);
        const row = await sources.get(feed.name);
        const fetched = await fetchFeed(feed, {
          dir: path.join(deps.dataDir, DOWNLOAD_DIR),
          validators: row ? { etag: row.etag, lastModified: row.last_modified } : null,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (p) => options.onProgress?.({ phase: 'download', ...p }),
        });
        if (fetched.kind === 'unchanged') {
          result.status = 'unchanged';
        } else {
          cleanup = fetched.cleanup;
          const defaults = deps.defaults();
          const currency = feed.currency ?? defaults.currency;
          const summary = await importCatalogue({
            file: fetched.file,
            repo: {
              upsertMany: async (records) => {
                options.signal?.throwIfAborted();
                return { inserted: await sources.stage(feed.name, records), updated: 0 };
              },
            },
            onProgress: (p) => options.onProgress?.({ phase: 'read', ...p }),
            ...(currency ? { defaultCurrency: currency } : {}),
            ...(defaults.shopUrl ? { shopUrl: defaults.shopUrl } : {}),
          });
          result.rowsRead = summary.rowsRead;
          result.skipped = summary.skipped;
          result.skipReasons = skipReasonsOf(summary);
          refuseBroken(summary);
          if ((await sources.stagedCount(feed.name)) === 0) {
            throw new SyncProblem(
              'refused',
              `the feed has no valid products (${summary.rowsRead} rows read, ${summary.skipped} skipped); nothing was changed`,
            );
          }
          const applied = await sources.applyStaged({ source: feed.name, mode: feed.mode, maxRemoveShare: feed.maxRemoveShare });
          if (!applied.ok) throw new SyncProblem('refused', applied.reason);
          Object.assign(result, {
            added: applied.added,
            updated: applied.updated,
            gone: applied.gone,
            demoRemoved: applied.demoRemoved,
          });
          validators = fetched.validators;
          if (applied.demoRemoved > 0) log.info({ source: feed.name }, demoRemovedMessage(applied.demoRemoved));
        }
      } catch (error) {
        result.status = error instanceof SyncProblem ? error.status : 'failed';
        result.error = describeFailure(error, options.signal);
        if (!(error instanceof SyncProblem) && !(error instanceof FeedError) && !options.signal?.aborted) {
          log.error({ err: error, source: feed.name }, 'catalogue sync failed unexpectedly');
        }
      } finally {
        await cleanup().catch(() => undefined);
        await sources.clearStaged(feed.name).catch(() => undefined);
      }
      const at = nowIso();
      // The lease goes first: whoever sees the sync finished also sees the source free and its status.
      await sources.release(feed.name, { status: result.status, at, ...(validators ? { validators } : {}) });
      await sources.finishSync(syncId, { ...result, status: result.status, finishedAt: at });
      // The feed's address and headers stay out of the log: a URL or header may carry a token.
      const fields = {
        source: feed.name,
        status: result.status,
        added: result.added,
        updated: result.updated,
        gone: result.gone,
        skipped: result.skipped,
      };
      if (result.status === 'ok' || result.status === 'unchanged') log.info(fields, 'catalogue feed synced');
      else log.warn({ ...fields, reason: result.error }, 'catalogue feed sync changed nothing');
      return result;
    },
  };
}

export type CatalogueSync = ReturnType<typeof createCatalogueSync>;

/** A file that ends inside a quoted field was cut off: applying it would drop everything after the cut. */
function refuseBroken(summary: ImportSummary): void {
  if (summary.problems.some((p) => p.reason === UNCLOSED_QUOTE_REASON)) {
    throw new SyncProblem('refused', 'the feed ends inside a quoted field, so it looks cut off; nothing was changed');
  }
}

function skipReasonsOf(summary: ImportSummary): SkipReasons | null {
  if (summary.skipped === 0 && Object.keys(summary.leftOut).length === 0) return null;
  return {
    problems: summary.problems
      .slice(0, MAX_SKIP_PROBLEMS)
      .map((p) => ({ line: p.line, reason: p.reason.slice(0, MAX_REASON_CHARS) })),
    leftOut: summary.leftOut,
  };
}

function describeFailure(error: unknown, signal: AbortSignal | undefined): string {
  if (signal?.aborted) return 'stopped: the server shut down during the sync; nothing was changed';
  if (error instanceof SyncProblem || error instanceof FeedError) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}; nothing was changed`;
}
