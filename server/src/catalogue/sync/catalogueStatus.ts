import {
  catalogueSourceKindSchema,
  catalogueSyncStatusSchema,
  skipReasonsSchema,
  type CatalogueStatus,
  type CatalogueSync,
} from '@aisle/shared';
import type { CatalogueSourceRepository, CatalogueSyncRow } from '../../db/catalogueSourceRepository';

/** Syncs shown on the console's admin page. */
const HISTORY_LENGTH = 20;

/**
 * The catalogue as the console's admin page shows it: every source with its live and gone product
 * counts and last sync, and the latest syncs. Feed addresses and headers are left out: they may
 * carry tokens.
 */
export async function catalogueStatus(
  sources: Pick<CatalogueSourceRepository, 'list' | 'recentSyncs'>,
  feeds: { configured: readonly string[]; running: readonly string[] },
): Promise<CatalogueStatus> {
  const rows = await sources.list();
  const known = new Set(rows.map((r) => r.name));
  const list = rows.map((r) => ({
    name: r.name,
    kind: catalogueSourceKindSchema.catch('file').parse(r.kind),
    liveProducts: r.live,
    goneProducts: r.gone,
    lastSyncAt: r.last_sync_at,
    lastStatus: r.last_status,
    isFeed: feeds.configured.includes(r.name),
    isSyncing: feeds.running.includes(r.name) || r.running_since !== null,
  }));
  // A feed configured but never synced yet is listed too, so it can be synced now.
  for (const name of feeds.configured) {
    if (known.has(name)) continue;
    list.push({
      name,
      kind: 'feed',
      liveProducts: 0,
      goneProducts: 0,
      lastSyncAt: null,
      lastStatus: null,
      isFeed: true,
      isSyncing: feeds.running.includes(name),
    });
  }
  return { sources: list, syncs: (await sources.recentSyncs(HISTORY_LENGTH)).map(presentSync) };
}

/** One history row in the shared shape; unreadable JSON (written by a newer version) shows as none. */
export function presentSync(row: CatalogueSyncRow): CatalogueSync {
  let reasons: unknown;
  try {
    reasons = row.skip_reasons ? JSON.parse(row.skip_reasons) : null;
  } catch {
    reasons = null;
  }
  const parsed = skipReasonsSchema.safeParse(reasons);
  return {
    id: row.id,
    source: row.source,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: catalogueSyncStatusSchema.catch('failed').parse(row.status),
    added: row.added,
    updated: row.updated,
    gone: row.gone,
    skipped: row.skipped,
    skipReasons: parsed.success ? parsed.data : null,
    error: row.error,
  };
}
