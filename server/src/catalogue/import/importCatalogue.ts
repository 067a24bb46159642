import fs from 'node:fs';
import path from 'node:path';
import type { ProductRepository } from '../../db/productRepository';
import type { ProductRecord } from '../productRecord';
import { detectFeedLayout, FeedError, readFeed, readHead, type FeedFormat } from './feedReader';
import { isKnownAttribute, normaliseAttributeName, parseMerchantRow } from './merchantFeed';

export { FeedError } from './feedReader';

/** One skipped row and why. */
export interface ImportProblem {
  line: number;
  reason: string;
}

/** What an import did, for the CLI and the server log. */
export interface ImportSummary {
  file: string;
  format: FeedFormat;
  /** Data rows seen (header and blank lines excluded). */
  rowsRead: number;
  inserted: number;
  updated: number;
  skipped: number;
  /** The first problems in file order (at most MAX_KEPT_PROBLEMS; `skipped` has the full count). */
  problems: ImportProblem[];
  /** Columns or keys that are not Merchant attributes Aisle reads (ignored). */
  ignoredColumns: string[];
}

/** Progress while importing. */
export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportCatalogueOptions {
  file: string;
  repo: Pick<ProductRepository, 'upsertMany'>;
  onProgress?: (progress: ImportProgress) => void;
  /** ISO currency for prices written without one ("9.99"); without it such rows are refused. */
  defaultCurrency?: string;
}

/** Rows written per transaction: large enough to be fast, small enough to keep memory flat. */
const BATCH_SIZE = 500;
const MAX_KEPT_PROBLEMS = 200;
const MAX_IGNORED_COLUMNS = 50;
const REQUIRED_COLUMNS = ['id', 'title', 'price'] as const;

/**
 * Imports a Google Merchant Center feed (TSV/CSV, JSON Lines or a JSON array) into the catalogue.
 * Every row is validated; bad rows are skipped and reported by line, good rows are upserted by id in
 * batches. Throws FeedError when the file as a whole cannot be imported (missing, unknown format,
 * a header without the required columns).
 */
export async function importCatalogue(options: ImportCatalogueOptions): Promise<ImportSummary> {
  const { file, repo, onProgress } = options;
  const totalBytes = await fileSize(file);
  const layout = detectFeedLayout(file, await readHead(file));

  const summary: ImportSummary = {
    file,
    format: layout.format,
    rowsRead: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    problems: [],
    ignoredColumns: [],
  };
  const ignored = new Set<string>();
  const noteColumns = (names: Iterable<string>) => {
    for (const name of names) {
      if (ignored.size >= MAX_IGNORED_COLUMNS) return;
      if (name.trim() !== '' && !isKnownAttribute(normaliseAttributeName(name))) ignored.add(name);
    }
  };
  const reject = (line: number, reason: string) => {
    summary.skipped += 1;
    if (summary.problems.length < MAX_KEPT_PROBLEMS) summary.problems.push({ line, reason });
  };

  let bytesRead = 0;
  let batch: ProductRecord[] = [];
  // Merchant rejects a repeated id; keeping the first avoids one row silently overwriting another.
  const firstLineOfId = new Map<string, number>();
  const flush = async () => {
    if (batch.length === 0) return;
    const { inserted, updated } = await repo.upsertMany(batch);
    summary.inserted += inserted;
    summary.updated += updated;
    batch = [];
  };

  const items = readFeed(file, layout, {
    onBytes: (n) => {
      bytesRead = n;
    },
    onHeader: (names) => {
      checkHeader(file, names);
      noteColumns(names);
    },
  });
  for await (const item of items) {
    summary.rowsRead += 1;
    if (item.kind === 'broken') {
      reject(item.line, item.reason);
    } else {
      if (layout.format === 'json' || layout.format === 'jsonl') noteColumns(Object.keys(item.fields));
      const result = parseMerchantRow(item.fields, options.defaultCurrency ? { defaultCurrency: options.defaultCurrency } : {});
      if (!result.ok) {
        reject(item.line, result.reasons.join('; '));
      } else {
        const seen = firstLineOfId.get(result.record.id);
        if (seen !== undefined) {
          reject(item.line, `id "${result.record.id}" was already used on line ${seen}`);
        } else {
          firstLineOfId.set(result.record.id, item.line);
          batch.push(result.record);
          if (batch.length >= BATCH_SIZE) await flush();
        }
      }
    }
    if (onProgress && summary.rowsRead % 100 === 0) onProgress({ rowsRead: summary.rowsRead, bytesRead, totalBytes });
  }
  await flush();
  onProgress?.({ rowsRead: summary.rowsRead, bytesRead: totalBytes, totalBytes });
  summary.ignoredColumns = [...ignored];
  return summary;
}

async function fileSize(file: string): Promise<number> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT') throw new FeedError(`There is no file at ${path.resolve(file)}.`);
    if (code === 'EACCES') throw new FeedError(`Aisle is not allowed to read ${path.resolve(file)}.`);
    throw error;
  }
  if (stat.isDirectory())
    throw new FeedError(`${path.resolve(file)} is a folder; give the path of the catalogue file inside it.`);
  return stat.size;
}

/** A header without id/title/price is not a Merchant feed: say so once instead of failing every row. */
function checkHeader(file: string, names: string[]): void {
  const present = new Set(names.map(normaliseAttributeName));
  const missing = REQUIRED_COLUMNS.filter((c) => !present.has(c));
  if (missing.length === 0) return;
  const shown = names.slice(0, 12).join(', ') + (names.length > 12 ? ', ...' : '');
  throw new FeedError(
    `"${path.basename(file)}" has no ${missing.join(', ')} ${missing.length === 1 ? 'column' : 'columns'} in its header row (it has: ${shown}). ` +
      'Aisle reads Google Merchant Center feeds: a header row with id, title, description, price ("15.00 USD"), availability, and optionally brand, product_type, item_group_id, size, color and more.',
  );
}

/** The summary in plain sentences, listing at most `maxProblems` skipped rows. */
export function formatImportSummary(summary: ImportSummary, maxProblems = 20): string {
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `Read ${plural(summary.rowsRead, 'row')} from ${path.basename(summary.file)} (${summary.format.toUpperCase()}).`,
    `  new products:     ${summary.inserted.toLocaleString('en-US')}`,
    `  updated products: ${summary.updated.toLocaleString('en-US')}`,
    `  skipped rows:     ${summary.skipped.toLocaleString('en-US')}`,
  ];
  if (summary.skipped > 0) {
    lines.push('', 'Skipped rows:');
    const shown = summary.problems.slice(0, maxProblems);
    for (const p of shown) lines.push(`  line ${p.line}: ${p.reason}`);
    const more = summary.skipped - shown.length;
    if (more > 0) lines.push(`  and ${plural(more, 'more row')}`);
  }
  if (summary.ignoredColumns.length > 0) {
    lines.push('', `Ignored columns (not read by Aisle): ${summary.ignoredColumns.join(', ')}`);
  }
  return lines.join('\n');
}
