import { sql, type Kysely, type Selectable } from 'kysely';
import type { ProductRecord } from '../catalogue/productRecord';
import { nowIso, type Database } from './database';
import { DEMO_SOURCE, PRODUCT_COLUMNS, toRow } from './productRepository';
import type { CatalogueSourcesTable, CatalogueSyncsTable, DB } from './schema';

export type CatalogueSourceRow = Selectable<CatalogueSourcesTable>;
export type CatalogueSyncRow = Selectable<CatalogueSyncsTable>;

/** A source with its product counts. */
export interface SourceWithCounts extends CatalogueSourceRow {
  live: number;
  gone: number;
}

/** What applying a staged sync did, or why it changed nothing. */
export type ApplyOutcome =
  | { ok: true; added: number; updated: number; gone: number; demoRemoved: number }
  | { ok: false; reason: string; live: number; missing: number };

/** Staged rows per INSERT (29 columns each, well under SQLite's limit of bound values). */
const STAGE_ROWS_PER_INSERT = 100;

/** A sync that has not finished after this long is taken to have died with its process. */
const STALE_LEASE_MS = 60 * 60 * 1000;

/** Columns a sync stages and compares; everything a feed says about a product (not its id or bookkeeping). */
const CONTENT_COLUMNS = PRODUCT_COLUMNS.filter(
  (c): c is Exclude<(typeof PRODUCT_COLUMNS)[number], 'id' | 'updated_at' | 'source' | 'gone_at'> =>
    c !== 'id' && c !== 'updated_at' && c !== 'source' && c !== 'gone_at',
);

/** Marks the catalogue changed, for caches in this process and others (see migration 0006). */
async function bumpCatalogueVersion(db: Kysely<DB>): Promise<void> {
  await sql`UPDATE catalogue_version SET version = version + 1 WHERE id = 1`.execute(db);
}

/**
 * Creates the repository of catalogue sources, their sync history and the staging table. A sync
 * writes rows into staging in small batches (no long write lock while a feed downloads), then
 * `applyStaged` merges them in one short transaction: all or nothing.
 */
export function createCatalogueSourceRepository(db: Database) {
  const { kysely } = db;

  return {
    /** Registers a source (kept as it is when it exists). */
    async ensure(name: string, kind: 'demo' | 'file' | 'feed'): Promise<void> {
      await kysely
        .insertInto('catalogue_sources')
        .values({ name, kind, created_at: nowIso() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    },

    /** One source by name. */
    async get(name: string): Promise<CatalogueSourceRow | undefined> {
      return kysely.selectFrom('catalogue_sources').selectAll().where('name', '=', name).executeTakeFirst();
    },

    /** Every source with its live and gone product counts, by name. */
    async list(): Promise<SourceWithCounts[]> {
      const sources = await kysely.selectFrom('catalogue_sources').selectAll().orderBy('name').execute();
      const counts = await sql<{ source: string; live: number; gone: number }>`
        SELECT source, count(*) - count(gone_at) AS live, count(gone_at) AS gone FROM products GROUP BY source`.execute(kysely);
      const bySource = new Map(counts.rows.map((r) => [r.source, r]));
      return sources.map((s) => ({
        ...s,
        live: Number(bySource.get(s.name)?.live ?? 0),
        gone: Number(bySource.get(s.name)?.gone ?? 0),
      }));
    },

    /**
     * Whether the shop ever had a real catalogue (a source other than the demo, or products from
     * one): the demo is then never loaded again, even into an empty catalogue.
     */
    async hasRealSource(): Promise<boolean> {
      const source = await kysely.selectFrom('catalogue_sources').select('name').where('kind', '!=', 'demo').executeTakeFirst();
      if (source) return true;
      const product = await kysely.selectFrom('products').select('id').where('source', '!=', DEMO_SOURCE).executeTakeFirst();
      return product !== undefined;
    },

    /** Deletes every demo product (they were never real); returns how many. */
    async removeDemoProducts(): Promise<number> {
      const result = await kysely.deleteFrom('products').where('source', '=', DEMO_SOURCE).executeTakeFirst();
      const removed = Number(result.numDeletedRows);
      if (removed > 0) await bumpCatalogueVersion(kysely);
      return removed;
    },

    /**
     * Takes the source's sync lease: false when another sync of it (in this process, the server or a
     * CLI) is running. A lease older than an hour belonged to a process that died.
     */
    async acquire(name: string): Promise<boolean> {
      const now = nowIso();
      const stale = new Date(Date.now() - STALE_LEASE_MS).toISOString();
      const result = await kysely
        .updateTable('catalogue_sources')
        .set({ running_since: now })
        .where('name', '=', name)
        .where((eb) => eb.or([eb('running_since', 'is', null), eb('running_since', '<', stale)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Gives the lease back and records how the sync ended (and the validators of what was applied). */
    async release(
      name: string,
      end: { status: string; at: string; validators?: { etag: string | null; lastModified: string | null } },
    ): Promise<void> {
      await kysely
        .updateTable('catalogue_sources')
        .set({
          running_since: null,
          last_sync_at: end.at,
          last_status: end.status,
          ...(end.validators ? { etag: end.validators.etag, last_modified: end.validators.lastModified } : {}),
        })
        .where('name', '=', name)
        .execute();
    },

    /** Starts a history row; returns its id. */
    async startSync(source: string, startedAt: string): Promise<number> {
      const row = await kysely
        .insertInto('catalogue_syncs')
        .values({ source, started_at: startedAt, status: 'running', added: 0, updated: 0, gone: 0, skipped: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** Records how a sync ended. */
    async finishSync(
      id: number,
      result: {
        status: string;
        finishedAt: string;
        added?: number;
        updated?: number;
        gone?: number;
        skipped?: number;
        skipReasons?: unknown;
        error?: string | null;
      },
    ): Promise<void> {
      await kysely
        .updateTable('catalogue_syncs')
        .set({
          status: result.status,
          finished_at: result.finishedAt,
          added: result.added ?? 0,
          updated: result.updated ?? 0,
          gone: result.gone ?? 0,
          skipped: result.skipped ?? 0,
          skip_reasons: result.skipReasons === undefined ? null : JSON.stringify(result.skipReasons),
          error: result.error ?? null,
        })
        .where('id', '=', id)
        .execute();
    },

    /** The latest syncs, newest first. */
    async recentSyncs(limit = 20): Promise<CatalogueSyncRow[]> {
      return kysely.selectFrom('catalogue_syncs').selectAll().orderBy('id', 'desc').limit(limit).execute();
    },

    /** Empties the source's staging rows (before a sync, and after it applied or gave up). */
    async clearStaged(source: string): Promise<void> {
      await kysely.deleteFrom('catalogue_staging').where('source', '=', source).execute();
    },

    /** Writes one batch of read rows into staging; nothing shoppers see changes yet. */
    async stage(source: string, records: readonly ProductRecord[]): Promise<number> {
      if (records.length === 0) return 0;
      const at = nowIso();
      const rows = records.map((r) => {
        const { updated_at: _u, gone_at: _g, ...row } = toRow(r, at, source);
        return row;
      });
      await kysely.transaction().execute(async (trx) => {
        // Many rows per statement: a 100,000-row feed is staged in seconds, not minutes.
        for (let i = 0; i < rows.length; i += STAGE_ROWS_PER_INSERT) {
          await trx
            .insertInto('catalogue_staging')
            .values(rows.slice(i, i + STAGE_ROWS_PER_INSERT))
            .onConflict((oc) => oc.columns(['source', 'id']).doNothing())
            .execute();
        }
      });
      return records.length;
    },

    /** Rows staged for the source. */
    async stagedCount(source: string): Promise<number> {
      const row = await kysely
        .selectFrom('catalogue_staging')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('source', '=', source)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /**
     * Applies the staged rows of `source` in one transaction: new and changed products are written
     * (and live again if they were gone), unchanged ones are left alone; in `full` mode the source's
     * live products missing from staging are marked gone, unless that is more than `maxRemoveShare` of
     * them, which refuses the whole sync. Any real source replaces the demo (deleted here too).
     */
    async applyStaged(options: { source: string; mode: 'full' | 'incremental'; maxRemoveShare: number }): Promise<ApplyOutcome> {
      const { source, mode, maxRemoveShare } = options;
      const at = nowIso();
      return kysely.transaction().execute(async (trx): Promise<ApplyOutcome> => {
        // A write first, so the transaction holds the write lock before it reads: another writer (a
        // CLI import) waits for it instead of making it fail half way.
        await sql`UPDATE catalogue_sources SET running_since = running_since WHERE name = ${source}`.execute(trx);
        const one = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await query.execute(trx)).rows[0]?.n ?? 0);
        const live = await one(
          sql<{ n: number }>`SELECT count(*) AS n FROM products WHERE source = ${source} AND gone_at IS NULL`,
        );
        const missingFrom = sql`FROM products p WHERE p.source = ${source} AND p.gone_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM catalogue_staging s WHERE s.source = p.source AND s.id = p.id)`;
        const missing = mode === 'full' ? await one(sql<{ n: number }>`SELECT count(*) AS n ${missingFrom}`) : 0;
        if (live > 0 && missing > live * maxRemoveShare) {
          const share = Math.round((missing / live) * 100);
          return {
            ok: false,
            live,
            missing,
            reason: `the feed would remove ${missing} of ${live} products (${share}%), more than the limit of ${Math.round(maxRemoveShare * 100)}% (maxRemoveShare); nothing was changed`,
          };
        }
        // A null-safe "differs": SQLite's IS NOT is the standard IS DISTINCT FROM of PostgreSQL.
        const isNot = db.dialect === 'postgres' ? 'IS DISTINCT FROM' : 'IS NOT';
        const differs = sql.raw(
          ['p.gone_at IS NOT NULL', `p.source ${isNot} s.source`, ...CONTENT_COLUMNS.map((c) => `p.${c} ${isNot} s.${c}`)].join(
            ' OR ',
          ),
        );
        const added = await one(
          sql<{ n: number }>`SELECT count(*) AS n FROM catalogue_staging s
            WHERE s.source = ${source} AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = s.id)`,
        );
        const updated = await one(
          sql<{ n: number }>`SELECT count(*) AS n FROM catalogue_staging s JOIN products p ON p.id = s.id
            WHERE s.source = ${source} AND (${differs})`,
        );
        const cols = sql.raw(['id', ...CONTENT_COLUMNS].join(', '));
        const staged = sql.raw(['id', ...CONTENT_COLUMNS].map((c) => `s.${c}`).join(', '));
        const sets = sql.raw(
          [...CONTENT_COLUMNS, 'source', 'updated_at', 'gone_at'].map((c) => `${c} = excluded.${c}`).join(', '),
        );
        await sql`INSERT INTO products (${cols}, source, updated_at, gone_at)
          SELECT ${staged}, s.source, ${at}, NULL
          FROM catalogue_staging s LEFT JOIN products p ON p.id = s.id
          WHERE s.source = ${source} AND (p.id IS NULL OR ${differs})
          ON CONFLICT(id) DO UPDATE SET ${sets}`.execute(trx);
        const gone =
          mode === 'full'
            ? Number(
                (await sql`UPDATE products SET gone_at = ${at} WHERE id IN (SELECT p.id ${missingFrom})`.execute(trx))
                  .numAffectedRows ?? 0,
              )
            : 0;
        const demoRemoved =
          source === DEMO_SOURCE
            ? 0
            : Number((await sql`DELETE FROM products WHERE source = ${DEMO_SOURCE}`.execute(trx)).numAffectedRows ?? 0);
        await sql`DELETE FROM catalogue_staging WHERE source = ${source}`.execute(trx);
        // Caches of catalogue aggregates (categories, vocabulary, the vector index) compare against this.
        if (added + updated + gone + demoRemoved > 0) await bumpCatalogueVersion(trx);
        return { ok: true, added, updated, gone, demoRemoved };
      });
    },
  };
}

export type CatalogueSourceRepository = ReturnType<typeof createCatalogueSourceRepository>;
