/**
 * Streaming benchmark (`pnpm bench`, `pnpm bench --quick`): what Aisle's server costs on top of the
 * model, as ratios to a baseline measured in the same run (issue 8). The baseline is the least a relay
 * can do (test/bench/baseline/: Express + Socket.IO + ollama-js, same coalescing, no database). Both
 * are driven by the same shopper workers against the same Ollama double, one run after the other in
 * alternating order, so noise from a shared machine hits both. Not a test: it prints a table and
 * writes `reports/bench-<date>.json`. Loopback only, every wait bounded.
 *
 * Processes (all on the same machine, so every latency is an upper bound):
 *   aisle       `node --import tsx server/src/index.ts` on the demo catalogue
 *   aisle-100k  the same on a seeded synthetic catalogue imported with `pnpm catalogue import`
 *   baseline    `node --import tsx test/bench/baseline/baselineRelay.ts`
 *   double      the Ollama test double plus a stamping relay (see doubleProcess.ts)
 *   workers     socket.io-client shoppers, forked so the clients do not share the bench's event loop
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ask, doubleReplySchema, workerReplySchema } from './benchProtocol';
import { figureTable, pool, cpuPerTokenUs, runsTable, writeJsonReport, type FigureRow, type RunRecord } from './benchReport';
import { alternate, heldText, ratio, runsOf, streamsHeld } from './benchRamp';
import {
  aisleTarget,
  baselineTarget,
  Bench,
  closeChild,
  failureText,
  forkChild,
  startBenchRun,
  type RunResult,
  type Scenario,
} from './benchRunner';
import { cpuClockSource, fixed, machineSummary, percentile } from './measure';
import { importCatalogueFile, REPO_ROOT, startBaselineProcess, startServerProcess } from './serverProcess';
import { writeSyntheticCatalogue } from './syntheticCatalogue';

const COMMON = {
  workers: 2,
  question: 'Do you have waterproof hiking boots for wide feet?',
  coalesceMs: 25,
  messagesPerMinute: 1000,
  /** Streams run at a steady model-like pace: 50 tok/s is a fast local model. */
  rate: 50,
  spreadMs: 1000,
  p99LimitMs: 100,
  /** `chat:send` to model request: a few shoppers asking one question after another, short answers. */
  sendShoppers: 5,
  sendTokens: 20,
  sendRate: 400,
};

const PLANS = {
  full: {
    ...COMMON,
    answerTokens: 200,
    catalogueProducts: 100_000,
    /** Rounds per figure; each round runs every target once, the order reversed every other round. */
    cpuRounds: 2,
    sendQuestions: 4,
    sendRounds: 3,
    tenStreamsRounds: 2,
    /** Streams held: levels tried in order; a target stops at its first failing level. */
    rampLevels: [10, 25, 50, 75, 100, 150, 200, 250, 300, 400, 500],
  },
  quick: {
    ...COMMON,
    answerTokens: 100,
    catalogueProducts: 10_000,
    cpuRounds: 1,
    sendQuestions: 3,
    sendRounds: 1,
    tenStreamsRounds: 1,
    rampLevels: [10, 50, 100, 300],
  },
};
type Plan = (typeof PLANS)['full'];

const CPU_LEVELS = [50, 100] as const;
const LATENCY_LEVEL = 100;
const HELD_GOAL = 300;

const benchStart = performance.now();
const log = (message: string) =>
  process.stderr.write(`[bench ${fixed((performance.now() - benchStart) / 1000, 0).padStart(4)} s] ${message}\n`);

function catalogueLabel(products: number): string {
  return products >= 1000 ? `${products / 1000}k` : String(products);
}

const USAGE = `Aisle streaming benchmark: Aisle and a minimal baseline relay, side by side

Usage:
  pnpm bench           The full run (about 5-10 minutes): prints figures, ratios and goals
  pnpm bench --quick   Small counts (1-2 minutes), for a smoke run
  pnpm bench --help    Show this help (also -h)

Writes reports/bench-<date>.json. Every process listens on 127.0.0.1 and is stopped at the end.
`;

async function main(): Promise<void> {
  const run = await startBenchRun({ command: 'pnpm bench', usage: USAGE, tmpPrefix: 'aisle-bench-', loadSampleMs: 2_000, log });
  if (run === null) return;
  const { mode, startedAt, tmpRoot, loadavg, backgroundPct } = run;
  const plan: Plan = PLANS[mode];

  const bigLabel = catalogueLabel(plan.catalogueProducts);
  const demoDir = fs.mkdtempSync(path.join(tmpRoot, 'aisle-demo-'));
  const bigDir = fs.mkdtempSync(path.join(tmpRoot, `aisle-${bigLabel}-`));
  const feed = path.join(tmpRoot, `catalogue-${bigLabel}.jsonl`);
  log(`writing a seeded ${bigLabel}-product catalogue and importing it with the catalogue CLI`);
  await writeSyntheticCatalogue(feed, plan.catalogueProducts);
  const importStarted = performance.now();
  const imported = await importCatalogueFile(feed, bigDir, 10 * 60_000);
  const importS = (performance.now() - importStarted) / 1000;
  if (imported !== plan.catalogueProducts)
    throw new Error(`catalogue import landed ${imported} products, expected ${plan.catalogueProducts}`);
  log(`imported ${imported} products in ${fixed(importS, 0)} s`);

  log('starting the Ollama double, the shopper workers and the three servers');
  const doubleChild = forkChild('doubleProcess.ts');
  const { url: ollamaUrl } = await ask(doubleChild, doubleReplySchema, null, 'ready', 60_000);
  const workers = Array.from({ length: plan.workers }, () => forkChild('shopperWorker.ts'));
  await Promise.all(workers.map((worker) => ask(worker, workerReplySchema, null, 'ready', 60_000)));
  const chat = { coalesceMs: plan.coalesceMs, messagesPerMinute: plan.messagesPerMinute };
  const [demoServer, bigServer, baselineServer] = await Promise.all([
    startServerProcess({ ollamaUrl, dataDir: demoDir, chat }),
    startServerProcess({ ollamaUrl, dataDir: bigDir, chat }),
    startBaselineProcess({ ollamaUrl, coalesceMs: plan.coalesceMs }),
  ]);
  const aisle = aisleTarget('aisle', 'Aisle (demo catalogue)', demoServer);
  const aisleBig = aisleTarget(`aisle-${bigLabel}`, `Aisle (${bigLabel} catalogue)`, bigServer);
  const baseline = baselineTarget(baselineServer);
  const bench = new Bench(doubleChild, workers);
  const records: RunRecord[] = [];

  const streams = (shoppers: number): Scenario => ({
    shoppers,
    question: plan.question,
    tokens: plan.answerTokens,
    ratePerSecond: plan.rate,
    rounds: 1,
    spreadMs: plan.spreadMs,
  });

  log('warm-up (JIT, SQLite page cache, connection pools)');
  await alternate(log, bench, [], 'warm-up', [aisle, aisleBig, baseline], 1, {
    shoppers: 20,
    question: plan.question,
    tokens: 100,
    ratePerSecond: 400,
    rounds: 2,
    spreadMs: 100,
  });

  const cpu = new Map<number, Map<string, RunResult[]>>();
  for (const level of CPU_LEVELS)
    cpu.set(
      level,
      await alternate(log, bench, records, `CPU+latency, ${level} streams`, [aisle, baseline], plan.cpuRounds, streams(level)),
    );

  const send = await alternate(log, bench, records, 'send->request', [aisle, aisleBig, baseline], plan.sendRounds, {
    shoppers: plan.sendShoppers,
    question: plan.question,
    tokens: plan.sendTokens,
    ratePerSecond: plan.sendRate,
    rounds: plan.sendQuestions,
    spreadMs: 200,
  });

  const ten = await alternate(
    log,
    bench,
    records,
    'catalogue size, 10 streams',
    [aisle, aisleBig, baseline],
    plan.tenStreamsRounds,
    streams(10),
  );

  const held = await streamsHeld(log, bench, records, plan, [aisle, baseline]);

  await Promise.all([demoServer.stop(), bigServer.stop(), baselineServer.stop()]);
  await Promise.all([doubleChild, ...workers].map(closeChild));

  // ---- Figures ----
  const figures: FigureRow[] = [];
  for (const level of CPU_LEVELS) {
    const results = cpu.get(level) ?? new Map<string, RunResult[]>();
    const a = cpuPerTokenUs(pool(runsOf(results, aisle.key)));
    const b = cpuPerTokenUs(pool(runsOf(results, baseline.key)));
    const r = ratio(a, b);
    figures.push({
      figure: `server CPU per token, ${level} streams`,
      unit: 'µs',
      aisle: a,
      baseline: b,
      ratio: r,
      goal: 'ratio <= 1.3',
      isMet: r === null ? null : r <= 1.3,
    });
  }
  const latency = cpu.get(LATENCY_LEVEL) ?? new Map<string, RunResult[]>();
  const latA = pool(runsOf(latency, aisle.key)).sortedLatenciesMs;
  const latB = pool(runsOf(latency, baseline.key)).sortedLatenciesMs;
  for (const p of [50, 99]) {
    const a = percentile(latA, p);
    const b = percentile(latB, p);
    const r = ratio(a, b);
    figures.push({
      figure: `added latency p${p}, ${LATENCY_LEVEL} streams`,
      unit: 'ms',
      aisle: a,
      baseline: b,
      ratio: r,
      goal: p === 99 ? 'ratio <= 2' : '-',
      isMet: p === 99 && r !== null ? r <= 2 : null,
    });
  }
  const heldA = held.get(aisle.key) ?? { level: null, stop: '' };
  const heldB = held.get(baseline.key) ?? { level: null, stop: '' };
  const maxLevel = plan.rampLevels.at(-1) ?? 0;
  figures.push({
    figure: `streams held with p99 < ${plan.p99LimitMs} ms`,
    unit: 'streams',
    aisle: heldA.level ?? 0,
    baseline: heldB.level ?? 0,
    aisleText: heldText(heldA, plan),
    baselineText: heldText(heldB, plan),
    ratio: null,
    goal: `>= ${HELD_GOAL}`,
    isMet: (heldA.level ?? 0) >= HELD_GOAL ? true : maxLevel < HELD_GOAL ? null : false,
  });
  const sendB = percentile(pool(runsOf(send, baseline.key)).sortedSendToRequestMs, 95);
  for (const [target, goalMs] of [
    [aisle, 5],
    [aisleBig, 20],
  ] as const) {
    const a = percentile(pool(runsOf(send, target.key)).sortedSendToRequestMs, 95);
    figures.push({
      figure: `chat:send to model request p95, ${target === aisle ? 'demo' : `${bigLabel} products`}`,
      unit: 'ms',
      aisle: a,
      baseline: sendB,
      ratio: ratio(a, sendB),
      goal: `<= ${goalMs} ms`,
      isMet: Number.isFinite(a) ? a <= goalMs : null,
    });
  }
  const tenDemo = percentile(pool(runsOf(ten, aisle.key)).sortedLatenciesMs, 99);
  const tenBig = percentile(pool(runsOf(ten, aisleBig.key)).sortedLatenciesMs, 99);
  const tenB = percentile(pool(runsOf(ten, baseline.key)).sortedLatenciesMs, 99);
  figures.push({
    figure: 'p99 at 10 streams, demo catalogue',
    unit: 'ms',
    aisle: tenDemo,
    baseline: tenB,
    ratio: ratio(tenDemo, tenB),
    goal: '-',
    isMet: null,
  });
  figures.push({
    figure: `p99 at 10 streams, ${bigLabel} catalogue`,
    unit: 'ms',
    aisle: tenBig,
    baseline: tenB,
    ratio: ratio(tenBig, tenB),
    goal: `<= 2x demo (${fixed(2 * tenDemo, 0)} ms)`,
    isMet: Number.isFinite(tenBig) && Number.isFinite(tenDemo) ? tenBig <= 2 * tenDemo : null,
  });

  const totalS = (performance.now() - benchStart) / 1000;
  const failedRuns = records.filter((r) => failureText(r.run) !== '-' && !r.figure.startsWith('held'));
  const out: string[] = [];
  out.push(`Aisle streaming benchmark (${mode}), ratios to the baseline relay measured in the same run`);
  out.push('='.repeat(88));
  out.push(`machine  ${machineSummary()}`);
  out.push(
    `load     before start ${fixed(backgroundPct, 0)}% of all cores busy (load average ${loadavg}); "others CPU %" in the runs is what other processes took`,
  );
  if (backgroundPct > 20)
    out.push('WARNING  the machine was busy with other work: absolute figures are inflated; the ratios are the figures to read.');
  out.push(
    `setup    Aisle (demo catalogue), Aisle (${bigLabel}-product seeded catalogue, imported in ${fixed(importS, 0)} s with the catalogue CLI)`,
    `         and the baseline relay (test/bench/baseline/), all with coalesceMs ${plan.coalesceMs}, one Ollama double, ${plan.workers} client processes;`,
    `         every process shares the same ${os.availableParallelism()} cores, so latencies are upper bounds. Runs alternate between targets (A B, B A).`,
  );
  out.push(
    `streams  each shopper asks "${plan.question}"; ${plan.answerTokens} tokens at ${plan.rate} tok/s, starts spread over ${plan.spreadMs} ms`,
  );
  out.push('');
  out.push(figureTable(figures));
  out.push('');
  out.push('ratio = Aisle / baseline. CPU per token = server process CPU time over the runs / tokens delivered');
  out.push(`(${cpuClockSource}). Added latency = shopper receive time - time the token left the double (stamped).`);
  out.push('chat:send to model request = time the /api/chat request reached the double - the client time just before');
  out.push(
    `chat:send (same monotonic clock), ${plan.sendShoppers} shoppers asking ${plan.sendQuestions} questions one after another; the baseline does no`,
  );
  out.push('catalogue work, so its figure is the same for both rows. Streams held: levels tried in order until p99 exceeds');
  out.push(`${plan.p99LimitMs} ms or an answer fails (Aisle: ${heldA.stop}; baseline: ${heldB.stop}).`);
  if (mode === 'quick')
    out.push(
      `--quick: one round per figure, ${plan.answerTokens}-token answers, ${bigLabel} products, levels up to ${maxLevel}: a smoke run, not figures to quote.`,
    );
  for (const r of failedRuns) out.push(`  failures in "${r.figure}" on ${r.run.target}: ${failureText(r.run)}`);
  out.push('');
  out.push('Runs, in the order they ran:');
  out.push(runsTable(records));
  out.push('');
  const file = writeJsonReport(REPO_ROOT, {
    startedAt,
    mode,
    machine: machineSummary(),
    backgroundLoadPct: backgroundPct,
    loadavg,
    plan,
    catalogue: { products: imported, importSeconds: importS },
    streamsHeld: { aisle: heldA, baseline: heldB },
    figures,
    runs: records,
    totalSeconds: totalS,
  });
  out.push(`JSON: ${path.relative(REPO_ROOT, file)}. Total bench time ${fixed(totalS, 0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
