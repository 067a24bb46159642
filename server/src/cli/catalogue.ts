import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { createCatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { databaseLocation, nowIso, openDatabase } from '../db/database';
import { createProductRepository, DEMO_SOURCE, IMPORT_SOURCE } from '../db/productRepository';
import { DEMO_REMOVED_STATUS, demoRemovedMessage, loadDemoCatalogue } from '../catalogue/demoCatalogue';
import { createCatalogueSync, type SyncProgress, type SyncResult } from '../catalogue/sync/catalogueSync';
import { FeedError, formatImportSummary, importCatalogue, type ImportProgress } from '../catalogue/import/importCatalogue';
import { parseHttpUrl } from '../catalogue/productRecord';
import { parseCliArgs } from './cliArgs';
import { loadCliConfig } from './cliConfig';
import type { LoadedConfig } from '../config/loadConfig';

const USAGE = `Aisle catalogue tool

Usage:
  pnpm catalogue import <file> [--currency EUR] [--shop-url https://shop.example]
                                 Import or update products from a Google Merchant Center feed or a
                                 Shopify product export;
                                 --currency reads prices written without one ("9.99") in that
                                 currency (required for Shopify exports, which have no currency column);
                                 --shop-url links Shopify products to <shop-url>/products/<handle>
  pnpm catalogue sync [name]     Sync the feed of that name in catalogue.feeds now (all feeds without
                                 a name); exit code 1 when a sync failed or was refused
  pnpm catalogue sources         List the catalogue's sources with product counts and last sync
  pnpm catalogue demo load       Load the built-in demo catalogue (only into a shop without real products)
  pnpm catalogue demo remove     Remove the demo products (the server will not load them again)
  pnpm catalogue help            Show this help (also --help, -h)

<file> is a product feed in Google Merchant Center format:
  .tsv / .txt   tab-separated, with a header row (id, title, description, price, availability, ...)
  .csv          comma-separated, with a header row
  .jsonl        one JSON object per line
  .json         an array of JSON objects
or Shopify's product CSV export (Products > Export), recognised by its header (Handle, Variant Price).
Without the options, catalogue.currency and catalogue.shopUrl from the config are used.

Importing or syncing a real catalogue removes the demo products. Products are matched by id:
importing again updates them. Rows with problems are skipped and
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
  const location = databaseLocation(loaded);
  const db = await openDatabase(location);
  const dbFile = db.dialect === 'postgres' ? db.location : location;
  const progress = createProgressReporter();
  try {
    process.stdout.write(`Importing ${file}\ninto ${dbFile}\n`);
    const products = createProductRepository(db);
    const sources = createCatalogueSourceRepository(db);
    let demoRemoved = 0;
    const startedAt = nowIso();
    const summary = await importCatalogue({
      file,
      repo: {
        upsertMany: async (records) => {
          const result = await products.upsertMany(records, { source: IMPORT_SOURCE });
          demoRemoved += result.demoRemoved;
          return result;
        },
      },
      onProgress: (p) => progress.update(p),
      onSource: (source) => {
        if (source === 'shopify') process.stdout.write('Format: Shopify product CSV (recognised by its header)\n');
      },
      ...(defaultCurrency ? { defaultCurrency } : {}),
      ...(shop ? { shopUrl: shop } : {}),
    });
    progress.stop();
    process.stdout.write(`\n${formatImportSummary(summary)}\n`);
    if (demoRemoved > 0) process.stdout.write(`\n${demoRemovedMessage(demoRemoved)}.\n`);
    const landed = summary.inserted + summary.updated;
    // In the history the console shows, next to feed syncs.
    if (landed > 0) {
      await sources.ensure(IMPORT_SOURCE, 'file');
      const id = await sources.startSync(IMPORT_SOURCE, startedAt);
      await sources.finishSync(id, {
        status: 'ok',
        finishedAt: nowIso(),
        added: summary.inserted,
        updated: summary.updated,
        skipped: summary.skipped,
        skipReasons: { problems: summary.problems.slice(0, 20), leftOut: summary.leftOut },
      });
      await sources.release(IMPORT_SOURCE, { status: 'ok', at: nowIso() });
    }
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

/** Opens the configured database for one command; null (after printing why) when the config is invalid. */
async function withDatabase<T>(
  run: (db: Awaited<ReturnType<typeof openDatabase>>, loaded: LoadedConfig) => Promise<T>,
): Promise<T | 1> {
  const loaded = loadCliConfig();
  if (!loaded) return 1;
  const db = await openDatabase(databaseLocation(loaded));
  try {
    return await run(db, loaded);
  } finally {
    await db.close();
  }
}

async function runSync(name: string | undefined): Promise<number> {
  return withDatabase(async (db, loaded) => {
    const feeds = loaded.config.catalogue.feeds;
    const chosen = name === undefined ? feeds : feeds.filter((f) => f.name === name);
    if (chosen.length === 0) {
      const known = feeds.map((f) => f.name).join(', ');
      process.stderr.write(
        name === undefined
          ? 'No feeds are configured: add catalogue.feeds to aisle.yaml (see the README, "Keeping the catalogue fresh").\n'
          : `No feed named "${name}" in catalogue.feeds${known ? ` (there are: ${known})` : ''}.\n`,
      );
      return 1;
    }
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const sync = createCatalogueSync({
      sources: createCatalogueSourceRepository(db),
      dataDir: loaded.dataDir,
      defaults: () => ({ currency: loaded.config.catalogue.currency, shopUrl: loaded.config.catalogue.shopUrl }),
      logger: quiet,
    });
    let exitCode = 0;
    for (const feed of chosen) {
      process.stdout.write(`Syncing ${feed.name} (${feed.mode})\n`);
      const progress = createProgressReporter();
      const result = await sync.sync(feed, {
        onProgress: (p: SyncProgress) => {
          if (p.phase === 'read') progress.update(p);
          else progress.update({ rowsRead: 0, bytesRead: p.bytes, totalBytes: p.totalBytes ?? 0 });
        },
      });
      progress.stop();
      process.stdout.write(`${formatSyncResult(result)}\n`);
      if (result.status !== 'ok' && result.status !== 'unchanged') exitCode = 1;
    }
    return exitCode;
  });
}

/** A sync's result in plain sentences. */
function formatSyncResult(r: SyncResult): string {
  if (r.status === 'unchanged') return `${r.source}: unchanged since the last sync (nothing to do).`;
  if (r.status === 'busy') return `${r.source}: another sync of this feed is running; try again when it has finished.`;
  if (r.status !== 'ok') return `${r.source}: ${r.status}: ${r.error ?? 'no reason given'}`;
  const lines = [
    `${r.source}: synced ${r.rowsRead.toLocaleString('en-US')} rows.`,
    `  new products:     ${r.added.toLocaleString('en-US')}`,
    `  updated products: ${r.updated.toLocaleString('en-US')}`,
    `  gone products:    ${r.gone.toLocaleString('en-US')}`,
    `  skipped rows:     ${r.skipped.toLocaleString('en-US')}`,
  ];
  for (const p of r.skipReasons?.problems.slice(0, 10) ?? []) lines.push(`    line ${p.line}: ${p.reason}`);
  if (r.demoRemoved > 0) lines.push(`${demoRemovedMessage(r.demoRemoved)}.`);
  return lines.join('\n');
}

async function runSources(): Promise<number> {
  return withDatabase(async (db, loaded) => {
    const list = await createCatalogueSourceRepository(db).list();
    const feeds = new Set(loaded.config.catalogue.feeds.map((f) => f.name));
    const rows = [
      ['source', 'kind', 'live', 'gone', 'last sync'],
      ...list.map((s) => [
        s.name,
        s.kind,
        String(s.live),
        String(s.gone),
        s.last_sync_at ? `${s.last_status ?? ''} ${s.last_sync_at}` : (s.last_status ?? 'never'),
      ]),
      ...[...feeds].filter((f) => !list.some((s) => s.name === f)).map((f) => [f, 'feed', '0', '0', 'never']),
    ];
    if (rows.length === 1) {
      process.stdout.write('The catalogue has no sources yet: import a file or configure catalogue.feeds.\n');
      return 0;
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      process.stdout.write(
        `${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  });
}

async function runDemo(action: string | undefined): Promise<number> {
  if (action !== 'load' && action !== 'remove') {
    process.stderr.write(`Say what to do with the demo: pnpm catalogue demo load, or pnpm catalogue demo remove.\n`);
    return 1;
  }
  return withDatabase(async (db) => {
    const sources = createCatalogueSourceRepository(db);
    const products = createProductRepository(db);
    if (action === 'remove') {
      const removed = await sources.removeDemoProducts();
      await sources.ensure(DEMO_SOURCE, 'demo');
      await sources.release(DEMO_SOURCE, { status: DEMO_REMOVED_STATUS, at: nowIso() });
      process.stdout.write(
        `Removed ${removed.toLocaleString('en-US')} demo products. The server will not load the demo again (pnpm catalogue demo load brings it back).\n`,
      );
      return 0;
    }
    const real = (await sources.list()).filter((s) => s.name !== DEMO_SOURCE).reduce((n, s) => n + s.live, 0);
    if (real > 0) {
      process.stderr.write(
        `The catalogue has ${real.toLocaleString('en-US')} real products; the demo's invented ones would be recommended next to them. Not loaded.\n`,
      );
      return 1;
    }
    const summary = await loadDemoCatalogue(products, sources);
    process.stdout.write(`Loaded ${(summary.inserted + summary.updated).toLocaleString('en-US')} demo products.\n`);
    return 0;
  });
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
    case 'sync':
      return runSync(rest[0]);
    case 'sources':
      return runSources();
    case 'demo':
      return runDemo(rest[0]);
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
