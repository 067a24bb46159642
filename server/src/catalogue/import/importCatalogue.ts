import fs from 'node:fs';
import path from 'node:path';
import type { ProductRecord } from '../productRecord';
import { detectFeedLayout, FeedError, readFeed, readHead, type FeedFormat } from './feedReader';
import type { ImportWarning } from './feedValues';
import { isKnownAttribute, normaliseAttributeName, parseMerchantRow } from './merchantFeed';
import { createShopifyReader, isReadShopifyColumn, isShopifyHeader, type ShopifyOutcome, type ShopifyReader } from './shopifyCsv';

export { FeedError } from './feedReader';

/** One skipped row and why. */
export interface ImportProblem {
  line: number;
  reason: string;
}

/** Whose export a file is: a Google Merchant Center feed or a Shopify product CSV. */
export type FeedSource = 'merchant' | 'shopify';

/** One kind of lenient reading, with how many rows it applied to. */
export interface GroupedWarning {
  /** The first row's wording, e.g. `availability "Low Stock" read as in stock`. */
  message: string;
  rows: number;
  firstLine: number;
}

/** What an import did, for the CLI and the server log. */
export interface ImportSummary {
  file: string;
  format: FeedFormat;
  source: FeedSource;
  /** Data rows seen (header and blank lines excluded). */
  rowsRead: number;
  inserted: number;
  updated: number;
  skipped: number;
  /** The first problems in file order (at most MAX_KEPT_PROBLEMS; `skipped` has the full count). */
  problems: ImportProblem[];
  /** Columns or keys that are not Merchant attributes Aisle reads (ignored). */
  ignoredColumns: string[];
  /** Values read leniently, grouped (at most MAX_WARNING_KINDS kinds). */
  warnings: GroupedWarning[];
  /** Products left out on purpose (drafts, unpublished, gift cards), by reason. */
  leftOut: Record<string, number>;
  /** Things to say once about the whole import (e.g. no product links without a shop address). */
  notes: string[];
}

/** Progress while importing. */
export interface ImportProgress {
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportCatalogueOptions {
  file: string;
  /** Where accepted rows go: the product repository, or a sync's staging table. */
  repo: { upsertMany(records: ProductRecord[]): Promise<{ inserted: number; updated: number }> };
  onProgress?: (progress: ImportProgress) => void;
  /**
   * ISO currency for prices written without one ("9.99"); without it such rows are refused. A Shopify
   * export has no currency column, so it cannot be imported without this.
   */
  defaultCurrency?: string;
  /** The storefront's http(s) address, for Shopify product links (`<shopUrl>/products/<handle>`). */
  shopUrl?: string;
  /** Called once the header shows whose export the file is. */
  onSource?: (source: FeedSource) => void;
}

/** Rows written per transaction: large enough to be fast, small enough to keep memory flat. */
const BATCH_SIZE = 500;
const MAX_KEPT_PROBLEMS = 200;
const MAX_IGNORED_COLUMNS = 50;
const MAX_WARNING_KINDS = 50;
const REQUIRED_COLUMNS = ['id', 'title', 'price'] as const;

/**
 * Imports a Google Merchant Center feed (TSV/CSV, JSON Lines or a JSON array) or a Shopify product CSV
 * (recognised by its header) into the catalogue. Every row is validated; bad rows are skipped and
 * reported by line, good rows are upserted by id in batches, values read leniently are counted as
 * warnings. Throws FeedError when the file as a whole cannot be imported (missing, unknown format,
 * a header without the required columns, a Shopify export without a currency).
 */
export async function importCatalogue(options: ImportCatalogueOptions): Promise<ImportSummary> {
  const { file, repo, onProgress } = options;
  const totalBytes = await fileSize(file);
  const layout = detectFeedLayout(file, await readHead(file));

  const summary: ImportSummary = {
    file,
    format: layout.format,
    source: 'merchant',
    rowsRead: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    problems: [],
    ignoredColumns: [],
    warnings: [],
    leftOut: {},
    notes: [],
  };
  const ignored = new Set<string>();
  const noteColumns = (names: Iterable<string>) => {
    const isRead =
      summary.source === 'shopify' ? isReadShopifyColumn : (n: string) => isKnownAttribute(normaliseAttributeName(n));
    for (const name of names) {
      if (ignored.size >= MAX_IGNORED_COLUMNS) return;
      if (name.trim() !== '' && !isRead(name)) ignored.add(name);
    }
  };
  const reject = (line: number, reason: string, rows = 1) => {
    summary.skipped += rows;
    if (summary.problems.length < MAX_KEPT_PROBLEMS) summary.problems.push({ line, reason });
  };
  const warnings = new Map<string, GroupedWarning>();
  const warn = (line: number, warning: ImportWarning) => {
    const seen = warnings.get(warning.key);
    if (seen) seen.rows += 1;
    else if (warnings.size < MAX_WARNING_KINDS) warnings.set(warning.key, { message: warning.message, rows: 1, firstLine: line });
  };

  let bytesRead = 0;
  let batch: ProductRecord[] = [];
  // Merchant rejects a repeated id; keeping the first avoids one row silently overwriting another.
  const firstLineOfId = new Map<string, number>();
  const accept = async (line: number, record: ProductRecord, rowWarnings: readonly ImportWarning[]) => {
    const seen = firstLineOfId.get(record.id);
    if (seen !== undefined) {
      reject(line, `id "${record.id}" was already used on line ${seen}`);
      return;
    }
    firstLineOfId.set(record.id, line);
    // Counted per row: a row with two decimal-comma prices is one row read leniently.
    const keys = new Set<string>();
    for (const w of rowWarnings) {
      if (keys.has(w.key)) continue;
      keys.add(w.key);
      warn(line, w);
    }
    batch.push(record);
    if (batch.length >= BATCH_SIZE) await flush();
  };
  const take = async (outcomes: ShopifyOutcome[]) => {
    for (const o of outcomes) {
      if (o.kind === 'record') await accept(o.line, o.record, o.warnings);
      else if (o.kind === 'problem') reject(o.line, o.reason, o.rows);
      else summary.leftOut[o.reason] = (summary.leftOut[o.reason] ?? 0) + 1;
    }
  };
  // Set by the header callback, so held in an object the compiler does not narrow.
  const reader: { shopify: ShopifyReader | null } = { shopify: null };
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
      if (isShopifyHeader(names)) {
        summary.source = 'shopify';
        if (!options.defaultCurrency) {
          throw new FeedError(
            `"${path.basename(file)}" is a Shopify product export, which has no currency column. Say which currency its prices are in: ` +
              `pnpm catalogue import ${path.basename(file)} --currency EUR (your shop's currency), or set catalogue.currency in aisle.yaml.`,
          );
        }
        reader.shopify = createShopifyReader({
          header: names,
          currency: options.defaultCurrency,
          shopUrl: options.shopUrl ?? null,
        });
        if (!options.shopUrl) {
          summary.notes.push(
            'No shop address was given, so products have no link (cards show no "view in shop" link). Add --shop-url https://your-shop.example (or catalogue.shopUrl in aisle.yaml) to link each product to /products/<handle>.',
          );
        }
      } else {
        checkHeader(file, names);
      }
      options.onSource?.(summary.source);
      noteColumns(names);
    },
  });
  for await (const item of items) {
    summary.rowsRead += 1;
    if (item.kind === 'broken') {
      reject(item.line, item.reason);
    } else if (reader.shopify) {
      await take(reader.shopify.push(item.line, item.fields));
    } else {
      if (layout.format === 'json' || layout.format === 'jsonl') noteColumns(Object.keys(item.fields));
      const result = parseMerchantRow(item.fields, options.defaultCurrency ? { defaultCurrency: options.defaultCurrency } : {});
      if (!result.ok) reject(item.line, result.reasons.join('; '));
      else await accept(item.line, result.record, result.warnings);
    }
    if (onProgress && summary.rowsRead % 100 === 0) onProgress({ rowsRead: summary.rowsRead, bytesRead, totalBytes });
  }
  if (reader.shopify) await take(reader.shopify.finish());
  await flush();
  onProgress?.({ rowsRead: summary.rowsRead, bytesRead: totalBytes, totalBytes });
  summary.ignoredColumns = [...ignored];
  summary.warnings = [...warnings.values()];
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
      'Aisle reads Google Merchant Center feeds: a header row with id, title, description, price ("15.00 USD"), availability, and optionally brand, product_type, item_group_id, size, color and more; and Shopify product exports (Products > Export: Handle, Title, Variant Price, ...).',
  );
}

/** The summary in plain sentences, listing at most `maxProblems` skipped rows. */
export function formatImportSummary(summary: ImportSummary, maxProblems = 20): string {
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const kind = summary.source === 'shopify' ? 'Shopify product CSV' : summary.format.toUpperCase();
  const lines = [
    `Read ${plural(summary.rowsRead, 'row')} from ${path.basename(summary.file)} (${kind}).`,
    `  new products:     ${summary.inserted.toLocaleString('en-US')}`,
    `  updated products: ${summary.updated.toLocaleString('en-US')}`,
    `  skipped rows:     ${summary.skipped.toLocaleString('en-US')}`,
  ];
  const leftOut = Object.entries(summary.leftOut);
  if (leftOut.length > 0) {
    const total = leftOut.reduce((n, [, count]) => n + count, 0);
    const reasons = leftOut.map(([reason, count]) => `${count.toLocaleString('en-US')} ${reason}`).join(', ');
    lines.push(`  left out:         ${plural(total, 'product')} (${reasons})`);
  }
  if (summary.skipped > 0) {
    lines.push('', 'Skipped rows:');
    const shown = summary.problems.slice(0, maxProblems);
    for (const p of shown) lines.push(`  line ${p.line}: ${p.reason}`);
    const more = summary.skipped - shown.length;
    if (more > 0) lines.push(`  and ${plural(more, 'more row')}`);
  }
  if (summary.warnings.length > 0) {
    lines.push('', 'Read with a warning:');
    for (const w of summary.warnings) lines.push(`  ${plural(w.rows, 'row')}: ${w.message} (first on line ${w.firstLine})`);
  }
  for (const note of summary.notes) lines.push('', note);
  if (summary.ignoredColumns.length > 0) {
    lines.push('', `Ignored columns (not read by Aisle): ${summary.ignoredColumns.join(', ')}`);
  }
  return lines.join('\n');
}
