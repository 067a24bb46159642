import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { databaseFile, openDatabase } from '../db/database';
import { createProductRepository } from '../db/productRepository';
import { FeedError, formatImportSummary, importCatalogue, type ImportProgress } from '../catalogue/import/importCatalogue';
import { parseHttpUrl } from '../catalogue/productRecord';
import { parseCliArgs } from './cliArgs';
import { loadCliConfig } from './cliConfig';

const USAGE = `Aisle catalogue tool

Usage:
  pnpm catalogue import <file> [--currency EUR] [--shop-url https://shop.example]
                                 Import or update products from a Google Merchant Center feed or a
                                 Shopify product export;
                                 --currency reads prices written without one ("9.99") in that
                                 currency (required for Shopify exports, which have no currency column);
                                 --shop-url links Shopify products to <shop-url>/products/<handle>
  pnpm catalogue help            Show this help (also --help, -h)

<file> is a product feed in Google Merchant Center format:
  .tsv / .txt   tab-separated, with a header row (id, title, description, price, availability, ...)
  .csv          comma-separated, with a header row
  .jsonl        one JSON object per line
  .json         an array of JSON objects
or Shopify's product CSV export (Products > Export), recognised by its header (Handle, Variant Price).
Without the options, catalogue.currency and catalogue.shopUrl from the config are used.

Products are matched by id: importing again updates them. Rows with problems are skipped and
listed by line number. Products go into the database the server opens: aisle.sqlite in the data
dir of the config (dataDir in ./aisle.yaml or the file AISLE_CONFIG names; AISLE_DATA_DIR overrides).
`;

/** `pnpm catalogue import x.tsv` runs in the repo root; a relative path means the caller's folder. */
function resolveInputFile(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

function createProgressReporter(): { update(p: ImportProgress): void; stop(): void } {
  if (process.stdout.isTTY) {
    const bar = new SingleBar(
      { format: 'Importing [{bar}] {percentage}% | {rows} rows', hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(Math.max(p.totalBytes, 1), 0, { rows: 0 });
          started = true;
        }
        bar.update(p.bytesRead, { rows: p.rowsRead.toLocaleString('en-US') });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  // Not a terminal (CI, a pipe): a line every tenth of the file instead of redrawing a bar.
  let lastTenth = 0;
  return {
    update(p) {
      const tenth = p.totalBytes > 0 ? Math.floor((p.bytesRead / p.totalBytes) * 10) : 0;
      if (tenth > lastTenth && tenth < 10) {
        lastTenth = tenth;
        process.stdout.write(`Importing... ${tenth * 10}% (${p.rowsRead.toLocaleString('en-US')} rows)\n`);
      }
    },
    stop() {},
  };
}

async function runImport(
  fileArg: string | undefined,
  currency: string | undefined,
  shopUrlArg: string | undefined,
): Promise<number> {
  const currencyArg = currency?.toUpperCase();
  if (currencyArg !== undefined && !/^[A-Z]{3}$/.test(currencyArg)) {
    process.stderr.write('--currency takes a three-letter currency code, e.g. --currency USD\n');
    return 1;
  }
  const shopUrl = shopUrlArg === undefined ? undefined : parseHttpUrl(shopUrlArg);
  if (shopUrl !== undefined && !(shopUrl instanceof URL)) {
    process.stderr.write(`--shop-url ${shopUrl.error}, e.g. --shop-url https://shop.example\n`);
    return 1;
  }
  if (!fileArg) {
    process.stderr.write(`Which file should be imported?\n\n${USAGE}`);
    return 1;
  }
  const file = resolveInputFile(fileArg);
  if (!fs.existsSync(file)) {
    process.stderr.write(
      `There is no file at ${file}.\nCheck the path; relative paths are read from the folder you ran the command in.\n`,
    );
    return 1;
  }
  const loaded = loadCliConfig();
  if (!loaded) return 1;
  const defaultCurrency = currencyArg ?? loaded.config.catalogue.currency ?? undefined;
  const shop = shopUrl?.href ?? loaded.config.catalogue.shopUrl ?? undefined;
  const dbFile = databaseFile(loaded);
  const db = await openDatabase(dbFile);
  const progress = createProgressReporter();
  try {
    process.stdout.write(`Importing ${file}\ninto ${dbFile}\n`);
    const summary = await importCatalogue({
      file,
      repo: createProductRepository(db),
      onProgress: (p) => progress.update(p),
      onSource: (source) => {
        if (source === 'shopify') process.stdout.write('Format: Shopify product CSV (recognised by its header)\n');
      },
      ...(defaultCurrency ? { defaultCurrency } : {}),
      ...(shop ? { shopUrl: shop } : {}),
    });
    progress.stop();
    process.stdout.write(`\n${formatImportSummary(summary)}\n`);
    const landed = summary.inserted + summary.updated;
    if (landed === 0 && summary.rowsRead > 0) {
      process.stderr.write('\nNothing was imported: every row had a problem (see above).\n');
      return 1;
    }
    if (summary.rowsRead === 0) process.stdout.write('\nThe file has no product rows; nothing to import.\n');
    return 0;
  } catch (error) {
    progress.stop();
    if (error instanceof FeedError) {
      process.stderr.write(`\n${error.message}\n`);
      return 1;
    }
    process.stderr.write(`\nThe import failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv, {
    command: 'pnpm catalogue',
    usage: USAGE,
    options: { currency: { type: 'string' }, 'shop-url': { type: 'string' } },
    allowPositionals: true,
  });
  if (args.isDone) return args.exitCode;
  const [command, ...rest] = args.positionals;
  switch (command) {
    case 'import':
      return runImport(rest[0], args.values.currency, args.values['shop-url']);
    case undefined:
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
