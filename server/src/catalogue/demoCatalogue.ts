import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProductRepository } from '../db/productRepository';
import type { Logger } from '../logger';
import { importCatalogue, type ImportSummary } from './import/importCatalogue';

/**
 * The shipped demo catalogue ("Aisle Outfitters", invented brands), a Google Merchant feed in JSON
 * Lines written by demo/generateDemoCatalogue.ts.
 */
export const DEMO_CATALOGUE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo', 'demo-catalogue.jsonl');

/**
 * Imports the demo catalogue through the normal importer when the catalogue is empty, so a fresh
 * install has something to talk about. A shop that imported its own products is never touched.
 */
export async function loadDemoCatalogueIfEmpty(
  repo: Pick<ProductRepository, 'count' | 'upsertMany'>,
  log?: Pick<Logger, 'info' | 'warn'>,
): Promise<{ loaded: boolean; summary?: ImportSummary }> {
  if ((await repo.count()) > 0) return { loaded: false };
  log?.info({ file: DEMO_CATALOGUE_FILE }, 'catalogue is empty; importing the demo catalogue');
  const summary = await importCatalogue({ file: DEMO_CATALOGUE_FILE, repo });
  if (summary.skipped > 0) {
    // The shipped file is generated and tested; a rejected row means it and the importer disagree.
    log?.warn({ skipped: summary.skipped, problems: summary.problems.slice(0, 5) }, 'demo catalogue rows were skipped');
  }
  return { loaded: true, summary };
}
