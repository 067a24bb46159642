/**
 * `pnpm bench:search`: how well and how fast the catalogue search finds what shoppers mean.
 *
 * 1. Quality: NDCG@10 on the graded demo query set (`queries.demo.yaml`) per group (exact, synonyms,
 *    typos, non-English), for the plain FTS5 search of git main (the repository's `search`, kept as
 *    the floor) and the catalogue search of this branch (stemming, synonyms, typo tolerance).
 * 2. Speed at 100k products (the seeded synthetic catalogue, imported by `pnpm catalogue import`):
 *    search p50/p95 for selective and broad queries, the pre-answer catalogue work, categories, and
 *    the import's rows/s and peak RSS next to a plain FTS5 load of the same rows.
 *
 * Flags: --products N (default 100000), --iterations N (per query, default 60), --skip-100k.
 * A benchmark, not a test: it prints figures against the goals and never fails on them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { prefetchArguments } from '@aisle/server/assistant/answerRunner';
import { createToolRunner } from '@aisle/server/assistant/tools';
import { loadDemoCatalogueIfEmpty } from '@aisle/server/catalogue/demoCatalogue';
import { createCatalogueSourceRepository } from '@aisle/server/db/catalogueSourceRepository';
import { parseCliArgs } from '@aisle/server/cli/cliArgs';
import { databaseFile, openSqliteDatabase, type SqliteDatabase } from '@aisle/server/db/database';
import { createProductRepository, type ProductHit, type ProductRepository } from '@aisle/server/db/productRepository';
import { createCatalogueSearch, type CatalogueSearch } from '@aisle/server/search/catalogueSearch';
import { fixed, machineSummary, percentile, sortedCopy } from '../measure';
import { REPO_ROOT, scriptEntry } from '../serverProcess';
import { writeSyntheticCatalogue } from '../syntheticCatalogue';
import { gradeOf, loadGradedQueries, ndcgAt, QUERY_GROUPS, type GradedQuery } from './relevance';

const GOALS = {
  selectiveP95Ms: 10,
  broadP95Ms: 25,
  preAnswerP95Ms: 20,
  importRowsPerS: 15_000,
  importPeakRssMiB: 200,
};

const log = (line: string) => console.log(line);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const searchConfig = () => ({ config: { search: { synonyms: [] as string[][] } } });

/** Part 1: NDCG@10 per query group, before and after. */
async function quality(): Promise<void> {
  const queries = loadGradedQueries(path.join(import.meta.dirname, 'queries.demo.yaml'));
  const db = await openSqliteDatabase(':memory:');
  const products = createProductRepository(db);
  await loadDemoCatalogueIfEmpty(products, createCatalogueSourceRepository(db));
  const search = createCatalogueSearch({ products, config: searchConfig });
  // One row per variant group, as search returns: the ideal ranking is over groups.
  const groups = db.sqlite
    .prepare(
      `SELECT title, product_type, min(price_minor) AS price_minor, min(sale_price_minor) AS sale_price_minor
       FROM products GROUP BY coalesce(item_group_id, id)`,
    )
    .all() as Array<{ title: string; product_type: string | null; price_minor: number; sale_price_minor: number | null }>;

  const score = (q: GradedQuery, hits: ProductHit[]) =>
    ndcgAt(
      10,
      hits.map((h) => gradeOf(q, h.row)),
      groups.map((g) => gradeOf(q, g)),
    );
  const perGroup = new Map<string, { before: number[]; after: number[] }>();
  const misses: string[] = [];
  for (const q of queries) {
    const f = { q: q.q, limit: 10, ...(q.filters ?? {}) };
    const before = score(q, await products.search(f));
    const result = await search.search({ ...f, origin: 'api' });
    const after = score(q, result.hits);
    const entry = perGroup.get(q.group) ?? { before: [], after: [] };
    entry.before.push(before);
    entry.after.push(after);
    perGroup.set(q.group, entry);
    if (after < 0.5)
      misses.push(
        `  ${q.group.padEnd(11)} ${JSON.stringify(q.q)}: ${fixed(after, 2)}${result.correctedQuery ? ` (searched "${result.correctedQuery}")` : ''}`,
      );
  }
  await db.close();
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const hybrid = 'n/a';
  const rows = [...QUERY_GROUPS, 'all' as const].map((group) => {
    const all = group === 'all' ? [...perGroup.values()] : [perGroup.get(group) ?? { before: [], after: [] }];
    const before = all.flatMap((e) => e.before);
    const after = all.flatMap((e) => e.after);
    return [group, String(after.length), fixed(avg(before), 3), fixed(avg(after), 3), hybrid];
  });
  log(`\n## Search quality: NDCG@10 on ${queries.length} graded demo queries (queries.demo.yaml)\n`);
  log(table(['group', 'queries', 'lexical (before: plain FTS, as in git main)', 'lexical (this)', 'hybrid'], rows));
  log(
    "\nhybrid: n/a here. Hybrid search needs an embedding model (embedding.model); the Ollama double's /api/embed hashes words and trigrams, which is not semantic, so a hybrid column against it would show mechanics, not quality. Run it against a real Ollama with qwen3-embedding to compare.",
  );
  if (misses.length > 0) log(`\nQueries under 0.5 with this search:\n${misses.join('\n')}`);
}

/** Runs `pnpm catalogue import` under /usr/bin/time -v: rows/s and the child's peak RSS. */
function importMeasured(file: string, dataDir: string): { rows: number; seconds: number; peakRssMiB: number | null } {
  const cli = [process.execPath, '--import', 'tsx', scriptEntry('catalogue'), 'import', file];
  const hasTime = fs.existsSync('/usr/bin/time');
  const started = performance.now();
  const run = spawnSync(hasTime ? '/usr/bin/time' : (cli[0] ?? 'node'), hasTime ? ['-v', ...cli] : cli.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, AISLE_DATA_DIR: dataDir },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) throw new Error(`catalogue import failed (exit ${run.status}): ${output.slice(-2000)}`);
  const count = (pattern: RegExp) => Number((pattern.exec(output)?.[1] ?? '0').replaceAll(',', ''));
  const rss = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(output)?.[1];
  return {
    rows: count(/new products:\s+([\d,]+)/) + count(/updated products:\s+([\d,]+)/),
    seconds,
    peakRssMiB: rss ? Number(rss) / 1024 : null,
  };
}

/** The floor: the same rows into a bare table with a porter FTS5 index, one transaction, no validation. */
async function plainFtsLoad(file: string, dir: string): Promise<number> {
  const db = await openSqliteDatabase(path.join(dir, 'plain.sqlite'));
  db.sqlite
    .exec(`CREATE TABLE plain (id TEXT PRIMARY KEY, title TEXT, brand TEXT, product_type TEXT, color TEXT, material TEXT, description TEXT);
    CREATE VIRTUAL TABLE plain_fts USING fts5(title, brand, product_type, color, material, description, content='plain', tokenize='porter unicode61 remove_diacritics 2');`);
  const insert = db.sqlite.prepare('INSERT INTO plain VALUES (?, ?, ?, ?, ?, ?, ?)');
  const index = db.sqlite.prepare(
    'INSERT INTO plain_fts (rowid, title, brand, product_type, color, material, description) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const started = performance.now();
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  db.sqlite.transaction(() => {
    for (const line of lines) {
      const r = JSON.parse(line) as Record<string, string>;
      const info = insert.run(r.id, r.title, r.brand, r.product_type, r.color, r.material, r.description);
      index.run(info.lastInsertRowid, r.title, r.brand, r.product_type, r.color, r.material, r.description);
    }
  })();
  const rate = lines.length / ((performance.now() - started) / 1000);
  await db.close();
  return rate;
}

/** p50/p95 in ms of `iterations` calls after 5 warm-up calls. */
async function latency(iterations: number, call: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i += 1) await call();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  const sorted = sortedCopy(samples);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

const SELECTIVE = [
  'Ironbark Fjord tent',
  'Bothy headlamp',
  'Tideline Cobble sandal',
  'Glenmoor Heron trekking pole',
  'Talon gaiter',
];
const BROAD = [
  'waterproof',
  'hiking boots',
  'lightweight jacket',
  'waterproof hiking boots for wide feet',
  'rucksack',
  'jaket',
  'trainers',
];
const ANSWERS = [
  'I need waterproof hiking boots for wide feet under $150',
  'do you have a rain jaket?',
  'a rucksack for day hikes',
  'Cairnwell Shrike trail shoe in size 44',
];

/** Part 2: speed at N products. */
async function speed(count: number, iterations: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-bench-search-'));
  try {
    const feed = path.join(dir, 'catalogue.jsonl');
    log(`\n## Speed at ${count.toLocaleString('en')} products (seeded synthetic catalogue)\n`);
    log('writing the catalogue and importing it with `pnpm catalogue import` (under /usr/bin/time -v)…');
    await writeSyntheticCatalogue(feed, count);
    const imported = importMeasured(feed, path.join(dir, 'data'));
    const floor = await plainFtsLoad(feed, path.join(dir, 'plain'));
    const db: SqliteDatabase = await openSqliteDatabase(databaseFile({ dataDir: path.join(dir, 'data') }));
    const products: ProductRepository = createProductRepository(db);
    const search: CatalogueSearch = createCatalogueSearch({ products, config: searchConfig });
    const tools = createToolRunner(products, search, () => undefined);

    const vocabStarted = performance.now();
    const vocabulary = await products.vocabulary();
    const vocabMs = performance.now() - vocabStarted;

    const rows: string[][] = [];
    const worst = { selective: 0, broad: 0 };
    for (const [kind, queries] of [
      ['selective', SELECTIVE],
      ['broad', BROAD],
    ] as const) {
      for (const q of queries) {
        const before = await latency(iterations, () => products.search({ q, limit: 8 }));
        const after = await latency(iterations, () => search.search({ q, limit: 8, origin: 'api' }));
        worst[kind] = Math.max(worst[kind], after.p95);
        rows.push([kind, q, fixed(before.p50, 2), fixed(before.p95, 2), fixed(after.p50, 2), fixed(after.p95, 2)]);
      }
    }
    log(table(['kind', 'query', 'before p50 ms', 'before p95', 'this p50 ms', 'this p95'], rows));

    const preAnswer = { p50: 0, p95: 0 };
    for (const text of ANSWERS) {
      const l = await latency(iterations, async () => {
        await tools.run({ id: null, name: 'search_products', arguments: prefetchArguments(text, []) }, 'prefetch', 6);
        await products.categories();
      });
      preAnswer.p50 = Math.max(preAnswer.p50, l.p50);
      preAnswer.p95 = Math.max(preAnswer.p95, l.p95);
    }
    db.sqlite.prepare('UPDATE catalogue_version SET version = version + 1 WHERE id = 1').run();
    const coldStarted = performance.now();
    await products.categories();
    const categoriesCold = performance.now() - coldStarted;
    const categoriesWarm = await latency(iterations, () => products.categories());
    await db.close();

    const rate = imported.rows / imported.seconds;
    log(
      `\nvocabulary: ${vocabulary.length.toLocaleString('en')} terms, read in ${fixed(vocabMs, 1)} ms once per catalogue version`,
    );
    log(`\n### Against the goals\n`);
    log(
      table(
        ['figure', 'measured', 'goal', ''],
        [
          [
            'search p95, selective (worst query)',
            `${fixed(worst.selective, 2)} ms`,
            `<= ${GOALS.selectiveP95Ms} ms`,
            verdict(worst.selective <= GOALS.selectiveP95Ms),
          ],
          [
            'search p95, broad (worst query)',
            `${fixed(worst.broad, 2)} ms`,
            `<= ${GOALS.broadP95Ms} ms`,
            verdict(worst.broad <= GOALS.broadP95Ms),
          ],
          [
            'pre-answer catalogue work p95 (prefetch search + tool result + categories; worst question)',
            `${fixed(preAnswer.p95, 2)} ms`,
            `<= ${GOALS.preAnswerP95Ms} ms`,
            verdict(preAnswer.p95 <= GOALS.preAnswerP95Ms),
          ],
          [
            `import, pnpm catalogue import (${imported.rows.toLocaleString('en')} rows in ${fixed(imported.seconds, 1)} s, process start included)`,
            `${Math.round(rate).toLocaleString('en')} rows/s`,
            `>= ${GOALS.importRowsPerS.toLocaleString('en')} rows/s`,
            verdict(rate >= GOALS.importRowsPerS),
          ],
          [
            '  floor: a plain FTS5 load of the same rows (bare table, one transaction)',
            `${Math.round(floor).toLocaleString('en')} rows/s`,
            '',
            '',
          ],
          [
            'import peak RSS (the child process)',
            imported.peakRssMiB === null ? 'n/a' : `${fixed(imported.peakRssMiB, 0)} MiB`,
            `<= ${GOALS.importPeakRssMiB} MiB`,
            imported.peakRssMiB === null ? 'n/a' : verdict(imported.peakRssMiB <= GOALS.importPeakRssMiB),
          ],
          [
            'categories: after an import (recomputed) / p95 per answer (cached)',
            `${fixed(categoriesCold, 1)} / ${fixed(categoriesWarm.p95, 3)} ms`,
            'cached, refreshed by imports',
            verdict(categoriesWarm.p95 < 1),
          ],
        ],
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), {
    command: 'pnpm bench:search',
    usage: 'Usage: pnpm bench:search [--products N] [--iterations N] [--skip-100k]\n',
    options: { products: { type: 'string' }, iterations: { type: 'string' }, 'skip-100k': { type: 'boolean' } },
  });
  if (args.isDone) {
    process.exitCode = args.exitCode;
    return;
  }
  log(`# pnpm bench:search\n\n${machineSummary()}`);
  await quality();
  if (!args.values['skip-100k']) await speed(Number(args.values.products ?? 100_000), Number(args.values.iterations ?? 60));
}

await main();
