import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { DEMO_SOURCE, type ProductRepository } from '../db/productRepository';
import type { Logger } from '../logger';
import { importCatalogue, type ImportSummary } from './import/importCatalogue';

/**
 * The shipped demo catalogue ("Aisle Outfitters", invented brands), a Google Merchant feed in JSON
 * Lines written by demo/generateDemoCatalogue.ts.
 */
export const DEMO_CATALOGUE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo', 'demo-catalogue.jsonl');

/** The status a demo source keeps after an operator removed it: the server does not load it back. */
export const DEMO_REMOVED_STATUS = 'removed';

/** The log line (and CLI sentence) when a real catalogue replaces the demo. */
export function demoRemovedMessage(count: number): string {
  return `removed ${count} demo products: a real catalogue was imported`;
}

/**
 * Imports the demo catalogue as the `demo` source, through the normal importer. Its products are
 * deleted as soon as any real catalogue is imported or synced.
 */
export async function loadDemoCatalogue(
  products: Pick<ProductRepository, 'upsertMany'>,
  sources: Pick<CatalogueSourceRepository, 'ensure' | 'release'>,
  log?: Pick<Logger, 'info' | 'warn'>,
): Promise<ImportSummary> {
  await sources.ensure(DEMO_SOURCE, 'demo');
  const summary = await importCatalogue({
    file: DEMO_CATALOGUE_FILE,
    repo: { upsertMany: (records) => products.upsertMany(records, { source: DEMO_SOURCE }) },
  });
  await sources.release(DEMO_SOURCE, { status: 'ok', at: new Date().toISOString() });
  if (summary.skipped > 0) {
    // The shipped file is generated and tested; a rejected row means it and the importer disagree.
    log?.warn({ skipped: summary.skipped, problems: summary.problems.slice(0, 5) }, 'demo catalogue rows were skipped');
  }
  return summary;
}

/**
 * Loads the demo when the catalogue is empty and the shop never had a real catalogue, so a fresh
 * install has something to talk about. Once any real source existed (or an operator removed the
 * demo), an empty catalogue stays empty: invented products never reach a real shop's customers.
 */
export async function loadDemoCatalogueIfEmpty(
  products: Pick<ProductRepository, 'count' | 'upsertMany'>,
  sources: Pick<CatalogueSourceRepository, 'ensure' | 'release' | 'get' | 'hasRealSource'>,
  log?: Pick<Logger, 'info' | 'warn'>,
): Promise<{ loaded: boolean; summary?: ImportSummary }> {
  if ((await products.count()) > 0 || (await sources.hasRealSource())) return { loaded: false };
  if ((await sources.get(DEMO_SOURCE))?.last_status === DEMO_REMOVED_STATUS) return { loaded: false };
  log?.info({ file: DEMO_CATALOGUE_FILE }, 'catalogue is empty; importing the demo catalogue');
  return { loaded: true, summary: await loadDemoCatalogue(products, sources, log) };
}
