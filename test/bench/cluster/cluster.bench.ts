/**
 * Cluster benchmark (`pnpm bench:cluster`, `--quick`): what a second and third Aisle node buy (issue
 * 12). One node and three nodes, each behind the same round-robin TCP proxy (roundRobinProxy.ts), plus
 * the baseline relay behind it too, all driven by the same shopper workers against the same Ollama
 * double, one run after the other in alternating order. Figures: streams held with p99 added latency
 * under 100 ms, server CPU per token (every node's CPU summed / tokens delivered), and the scaling
 * factor 3 nodes / 1 node. Not a test: it prints a table and writes `reports/bench-cluster-<date>.json`.
 *
 * Every process shares this machine's cores: three nodes cannot hold more streams than one when the
 * cores are already busy, so the factor is only worth quoting from a machine with cores to spare (the
 * README, "When one machine is not enough", says so). Loopback only, every wait bounded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ask, doubleReplySchema, workerReplySchema } from '../benchProtocol';
import { alternate, heldText, ratio, runsOf, streamsHeld, type Held } from '../benchRamp';
import { cpuPerTokenUs, pool, runsTable, type RunRecord } from '../benchReport';
import {
  aisleTarget,
  baselineTarget,
  Bench,
  closeChild,
  forkChild,
  startBenchRun,
  tokensReceived,
  type RunResult,
  type Target,
} from '../benchRunner';
import { cpuClockSource, fixed, machineSummary, percentile, processCpuNs, table } from '../measure';
import { REPO_ROOT, startBaselineProcess } from '../serverProcess';
import { behindProxy, chooseStores, dropBenchDatabase, startCluster, type Proxied, type StoreChoice } from './clusterNodes';

const COMMON = {
  workers: 2,
  question: 'Do you have waterproof hiking boots for wide feet?',
  coalesceMs: 25,
  messagesPerMinute: 1000,
  /** Streams run at a steady model-like pace: 50 tok/s is a fast local model. */
  rate: 50,
  spreadMs: 1000,
  p99LimitMs: 100,
};

const PLANS = {
  full: {
    ...COMMON,
    answerTokens: 200,
    cpuLevel: 100,
    cpuRounds: 2,
    rampLevels: [10, 25, 50, 100, 150, 200, 300, 400, 500, 600, 800],
  },
  quick: {
    ...COMMON,
    answerTokens: 50,
    cpuLevel: 50,
    cpuRounds: 1,
    rampLevels: [10, 25, 50, 100, 200],
  },
};
type Plan = (typeof PLANS)['full'];

const benchStart = performance.now();
const log = (message: string) =>
  process.stderr.write(`[bench:cluster ${fixed((performance.now() - benchStart) / 1000, 0).padStart(4)} s] ${message}\n`);

const USAGE = `Aisle cluster benchmark: 1 node vs 3 nodes behind a round-robin proxy, with the baseline relay

Usage:
  pnpm bench:cluster           The full run (about 10 minutes)
  pnpm bench:cluster --quick   Small counts (about a minute), for a smoke run
  pnpm bench:cluster --help    Show this help (also -h)

Nodes get DATABASE_URL and REDIS_URL when PostgreSQL and Redis answer and this checkout's config has
database.url / redis.url; otherwise they share one SQLite file. The bench makes its own databases
(aisle_bench_1node, aisle_bench_3nodes, made afresh and dropped at the end with psql) on the server that
AISLE_BENCH_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/postgres), and empties Redis
databases 11 and 12 on AISLE_BENCH_REDIS_URL (default redis://127.0.0.1:6379).
Writes reports/bench-cluster-<date>.json. Every process listens on 127.0.0.1 and is stopped at the end.
`;

/** A proxied target and what its proxy cost. */
interface Side {
  target: Target;
  proxied: Proxied;
  stores: StoreChoice | null;
  proxyCpuNs: number;
}

function heldRatio(a: Held, b: Held, plan: Plan): string {
  if (a.level === null || b.level === null) return '-';
  const top = plan.rampLevels.at(-1);
  const r = fixed(a.level / b.level, 2);
  // A side that never failed only says "at least": the ratio is a bound, not a figure.
  if (b.level === top && a.level === top) return `n/a (both >= ${top})`;
  if (a.level === top) return `>= ${r}`;
  if (b.level === top) return `<= ${r}`;
  return r;
}

async function main(): Promise<void> {
  const run = await startBenchRun({
    command: 'pnpm bench:cluster',
    usage: USAGE,
    tmpPrefix: 'aisle-bench-cluster-',
    loadSampleMs: 1_000,
    log,
  });
  if (run === null) return;
  const { mode, startedAt, tmpRoot, loadavg, backgroundPct } = run;
  const plan: Plan = PLANS[mode];

  const databaseUrl = process.env.AISLE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.AISLE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const [stores1, stores3] = await Promise.all([
    chooseStores({ databaseUrl, redisUrl, slot: '1node', redisDb: 11 }),
    chooseStores({ databaseUrl, redisUrl, slot: '3nodes', redisDb: 12 }),
  ]);

  log('starting the Ollama double, the shopper workers, 1 + 3 Aisle nodes, the baseline relay and three proxies');
  const doubleChild = forkChild('doubleProcess.ts');
  const { url: ollamaUrl } = await ask(doubleChild, doubleReplySchema, null, 'ready', 60_000);
  const workers = Array.from({ length: plan.workers }, () => forkChild('shopperWorker.ts'));
  await Promise.all(workers.map((worker) => ask(worker, workerReplySchema, null, 'ready', 60_000)));
  const chat = { coalesceMs: plan.coalesceMs, messagesPerMinute: plan.messagesPerMinute };
  const dataDir = (name: string) => fs.mkdtempSync(path.join(tmpRoot, `aisle-${name}-`));
  // Start-up is not measured: the clusters boot side by side (each cluster's first node alone first).
  const [one, three, relay] = await Promise.all([
    startCluster({ nodes: 1, ollamaUrl, dataDir: dataDir('1node'), chat, stores: stores1 }),
    startCluster({ nodes: 3, ollamaUrl, dataDir: dataDir('3nodes'), chat, stores: stores3 }),
    startBaselineProcess({ ollamaUrl, coalesceMs: plan.coalesceMs }).then((baseline) => behindProxy([baseline])),
  ]);
  const sides: Side[] = [
    { target: aisleTarget('aisle-1', 'Aisle, 1 node', one.server), proxied: one, stores: stores1, proxyCpuNs: 0 },
    { target: aisleTarget('aisle-3', 'Aisle, 3 nodes', three.server), proxied: three, stores: stores3, proxyCpuNs: 0 },
    { target: baselineTarget(relay.server), proxied: relay, stores: null, proxyCpuNs: 0 },
  ];
  const [side1, side3, sideB] = sides;
  if (!side1 || !side3 || !sideB) throw new Error('three sides expected');
  const bench = new Bench(doubleChild, workers);
  const targets = sides.map((s) => s.target);
  const records: RunRecord[] = [];

  log('warm-up (JIT, SQLite page cache, connection pools)');
  await alternate(log, bench, [], 'warm-up', targets, 1, {
    shoppers: 20,
    question: plan.question,
    tokens: 50,
    ratePerSecond: 400,
    rounds: 1,
    spreadMs: 100,
  });
  const warmCpu = sides.map((s) => processCpuNs(s.proxied.proxyPid));

  const cpu = await alternate(log, bench, records, `CPU+latency, ${plan.cpuLevel} streams`, targets, plan.cpuRounds, {
    shoppers: plan.cpuLevel,
    question: plan.question,
    tokens: plan.answerTokens,
    ratePerSecond: plan.rate,
    rounds: 1,
    spreadMs: plan.spreadMs,
  });
  const held = await streamsHeld(log, bench, records, plan, targets);

  sides.forEach((s, i) => (s.proxyCpuNs = processCpuNs(s.proxied.proxyPid) - (warmCpu[i] ?? 0)));
  const connections = await Promise.all(sides.map((s) => s.proxied.connections()));
  await Promise.all(sides.map((s) => s.proxied.server.stop()));
  await Promise.all([doubleChild, ...workers].map(closeChild));
  for (const stores of [stores1, stores3]) if (stores.databaseUrl) dropBenchDatabase(stores.databaseUrl);

  // ---- Figures ----
  const keys = sides.map((s) => s.target.key);
  const cpuUs = sides.map((s) => cpuPerTokenUs(pool(runsOf(cpu, s.target.key))));
  const p99 = sides.map((s) => percentile(pool(runsOf(cpu, s.target.key)).sortedLatenciesMs, 99));
  const heldOf = sides.map((s) => held.get(s.target.key) ?? { level: null, stop: '' });
  const measuredTokens = (key: string) =>
    records.filter((r) => r.run.target === key).reduce((n, r) => n + tokensReceived(r.run), 0);
  const proxyUs = sides.map((s) => s.proxyCpuNs / 1000 / Math.max(1, measuredTokens(s.target.key)));
  const [h1, h3, hB] = heldOf;
  const [c1 = Number.NaN, c3 = Number.NaN, cB = Number.NaN] = cpuUs;
  const [l1 = Number.NaN, l3 = Number.NaN, lB = Number.NaN] = p99;
  if (!h1 || !h3 || !hB) throw new Error('a held figure is missing');
  const r = (a: number, b: number, digits = 2) => {
    const value = ratio(a, b);
    return value === null ? '-' : fixed(value, digits);
  };

  const rows: Array<Array<string | number>> = [
    [
      `streams held, p99 < ${plan.p99LimitMs} ms`,
      heldText(h1, plan),
      heldText(h3, plan),
      heldRatio(h3, h1, plan),
      heldText(hB, plan),
      heldRatio(h1, hB, plan),
      heldRatio(h3, hB, plan),
    ],
    [
      `CPU per token, ${plan.cpuLevel} streams`,
      `${fixed(c1, 0)} µs`,
      `${fixed(c3, 0)} µs`,
      r(c3, c1),
      `${fixed(cB, 0)} µs`,
      r(c1, cB),
      r(c3, cB),
    ],
    [
      `added latency p99, ${plan.cpuLevel} streams`,
      `${fixed(l1)} ms`,
      `${fixed(l3)} ms`,
      r(l3, l1),
      `${fixed(lB)} ms`,
      r(l1, lB),
      r(l3, lB),
    ],
  ];

  const cores = os.availableParallelism();
  const totalS = (performance.now() - benchStart) / 1000;
  const out: string[] = [];
  out.push(`Aisle cluster benchmark (${mode}): 1 node vs 3 nodes behind a round-robin proxy, baseline relay in the same run`);
  out.push('='.repeat(100));
  out.push(`machine  ${machineSummary()}`);
  out.push(
    `load     before start ${fixed(backgroundPct, 0)}% of all cores busy (load average ${loadavg}); "others CPU %" in the runs is what other processes took`,
  );
  if (backgroundPct > 20)
    out.push('WARNING  the machine was busy with other work: absolute figures are inflated; read the ratios.');
  out.push(`store    1 node:  ${stores1.store}`, `         3 nodes: ${stores3.store}`);
  out.push(`adapter  1 node:  ${stores1.adapter}`, `         3 nodes: ${stores3.adapter}`);
  out.push(
    `streams  each shopper asks "${plan.question}"; ${plan.answerTokens} tokens at ${plan.rate} tok/s, starts spread over ${plan.spreadMs} ms;`,
    `         ${plan.workers} client processes (WebSocket only), one Ollama double; every target behind its own proxy process.`,
  );
  out.push('');
  out.push(table(['figure', '1 node', '3 nodes', '3 / 1', 'baseline', '1 node / baseline', '3 nodes / baseline'], rows));
  out.push('');
  const factor = heldRatio(h3, h1, plan);
  out.push(
    `SCALING FACTOR (streams held, 3 nodes / 1 node): ${factor}, on ${cores} core${cores === 1 ? '' : 's'} shared by all ${
      3 + 1 + 1 + 3 + plan.workers + 1
    } processes.`,
  );
  if (cores < 8)
    out.push(
      `         With ${cores} cores the nodes, the double, the shopper workers and the proxies take turns on the same CPUs, so a`,
      '         factor near 1 (or below: three processes cost more than one) is what this machine can show. Spread the nodes',
      '         over machines, or run this on one with a core per node and more for the clients, before quoting a factor.',
    );
  out.push(
    `CPU per token = CPU time of every node process over the runs / tokens delivered (${cpuClockSource}).`,
    'Added latency = shopper receive time - time the token left the double (stamped), through the proxy.',
    `Streams held: levels ${plan.rampLevels.join(', ')} in order until p99 exceeds ${plan.p99LimitMs} ms or an answer fails`,
    `(1 node: ${h1.stop}; 3 nodes: ${h3.stop}; baseline: ${hB.stop}).`,
    `Proxy CPU per token (not in the figures above): ${keys.map((k, i) => `${k} ${fixed(proxyUs[i] ?? Number.NaN, 0)} µs`).join(', ')}.`,
    `Connections per node (proxy round robin, whole run): ${keys.map((k, i) => `${k} [${(connections[i] ?? []).join(', ')}]`).join(', ')}.`,
  );
  if (mode === 'quick')
    out.push(
      `--quick: one round, ${plan.answerTokens}-token answers, levels up to ${plan.rampLevels.at(-1)}: a smoke run, not figures to quote.`,
    );
  out.push('');
  out.push('Runs, in the order they ran:');
  out.push(runsTable(records));
  out.push('');

  const dir = path.join(REPO_ROOT, 'reports');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(
    dir,
    `bench-cluster-${startedAt
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replaceAll(':', '-')}.json`,
  );
  const summary = (run: RunResult) => ({
    target: run.target,
    shoppers: run.shoppers,
    connected: run.connected,
    tokensReceived: tokensReceived(run),
    p50Ms: percentile(run.sortedLatenciesMs, 50),
    p99Ms: percentile(run.sortedLatenciesMs, 99),
    serverCpuNs: run.serverCpuNs,
    wallMs: run.wallMs,
    failed: run.answers.failed,
    failures: run.answers.failures,
  });
  fs.writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        mode,
        machine: machineSummary(),
        cores,
        backgroundLoadPct: backgroundPct,
        loadavg,
        plan,
        stores: { '1node': stores1, '3nodes': stores3 },
        figures: {
          streamsHeld: { '1node': h1, '3nodes': h3, baseline: hB, scalingFactor: factor },
          cpuPerTokenUs: { '1node': c1, '3nodes': c3, baseline: cB },
          p99Ms: { '1node': l1, '3nodes': l3, baseline: lB },
          proxyCpuPerTokenUs: Object.fromEntries(keys.map((k, i) => [k, proxyUs[i]])),
          connectionsPerNode: Object.fromEntries(keys.map((k, i) => [k, connections[i]])),
        },
        runs: records.map(({ figure, run }) => ({ figure, ...summary(run) })),
        totalSeconds: totalS,
      },
      null,
      2,
    )}\n`,
  );
  out.push(`JSON: ${path.relative(REPO_ROOT, file)}. Total bench time ${fixed(totalS, 0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:cluster failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
