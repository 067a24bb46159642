import { z } from 'zod';

/** Where products come from: the built-in demo, `pnpm catalogue import` files, or a configured feed. */
export const catalogueSourceKindSchema = z.enum(['demo', 'file', 'feed']);
export type CatalogueSourceKind = z.infer<typeof catalogueSourceKindSchema>;

/** How a sync or import ended. `unchanged`: the feed answered 304 (or the file did not change). */
export const catalogueSyncStatusSchema = z.enum(['running', 'ok', 'unchanged', 'failed', 'refused']);
export type CatalogueSyncStatus = z.infer<typeof catalogueSyncStatusSchema>;

/** Why rows were skipped: the first few problems by line, and products left out on purpose by reason. */
export const skipReasonsSchema = z.object({
  problems: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  leftOut: z.record(z.string(), z.number().int()),
});
export type SkipReasons = z.infer<typeof skipReasonsSchema>;

/** One catalogue source as the console's admin page lists it. */
export const catalogueSourceSchema = z.object({
  name: z.string(),
  kind: catalogueSourceKindSchema,
  liveProducts: z.number().int().nonnegative(),
  goneProducts: z.number().int().nonnegative(),
  lastSyncAt: z.iso.datetime().nullable(),
  lastStatus: z.string().nullable(),
  /** A configured feed (it can be synced now). */
  isFeed: z.boolean(),
  isSyncing: z.boolean(),
});
export type CatalogueSource = z.infer<typeof catalogueSourceSchema>;

/** One sync or import in the history. */
export const catalogueSyncSchema = z.object({
  id: z.number().int(),
  source: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  status: catalogueSyncStatusSchema,
  added: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  gone: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  skipReasons: skipReasonsSchema.nullable(),
  /** Why it failed or was refused, in words for the shop's operator. */
  error: z.string().nullable(),
});
export type CatalogueSync = z.infer<typeof catalogueSyncSchema>;

/** `GET /api/agent/catalogue`: every source and the latest syncs, newest first. */
export const catalogueStatusSchema = z.object({
  sources: z.array(catalogueSourceSchema),
  syncs: z.array(catalogueSyncSchema),
});
export type CatalogueStatus = z.infer<typeof catalogueStatusSchema>;

/** `POST /api/agent/catalogue/sync/:name`: the sync started in the background. */
export const catalogueSyncStartedSchema = z.object({ source: z.string(), started: z.literal(true) });
export type CatalogueSyncStarted = z.infer<typeof catalogueSyncStartedSchema>;
