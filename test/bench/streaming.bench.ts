/**
 * Streaming benchmark (`pnpm bench`): what Aisle's server adds to a streamed answer, measured against
 * the Ollama test double at fixed token rates, so the figures are Aisle's overhead and not a model's
 * speed. Not a test: it prints tables for the README. Loopback only, bounded, about 2-4 minutes.
 *
 * Processes (all on the same machine, so every latency is an upper bound):
 *   server   `node --import tsx server/src/index.ts`, CPU read from /proc/<pid>
 *   double   the Ollama test double plus a stamping relay (see doubleProcess.ts)
 *   workers  socket.io-client shoppers, forked so the clients do not share the bench's event loop
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ask, doubleReplySchema, workerReplySchema, type Answers } from './benchProtocol';
import {
  cpuClockSource,
  fixed,
  machineBusyNs,
  machineSummary,
  mean,
  sampleMachineLoad,
  percentile,
  processCpuNs,
  sortedCopy,
  table,
} from './measure';
import { REPO_ROOT, SessionPool, startServerProcess, type ServerProcess } from './serverProcess';

const PLAN = {
  workers: 2,
  question: 'Do you have waterproof hiking boots for wide feet?',
  answerTokens: 200,
  /** Part 1 and 2: a light, steady load. */
  latencyShoppers: 20,
  latencySpreadMs: 500,
  rates: [50, 400],
  coalesceMs: [0, 25],
  /** Answers of one token, to separate the per-answer cost from the per-token cost. */
  fixedCostRounds: 5,
  /** Part 3, at the default coalescing. */
  rampLevels: [10, 50, 100, 200, 300, 400, 500],
  rampRate: 50,
  rampSpreadMs: 1000,
  rampCoalesceMs: 25,
  p99LimitMs: 100,
  messagesPerMinute: 1000,
} as const;

interface Scenario {
  cookies: string[];
  tokens: number;
  ratePerSecond: number | null;
  rounds: number;
  spreadMs: number;
}

interface RunResult {
  shoppers: number;
  connected: number;
  connectErrors: Record<string, number>;
  tokensPerAnswer: number;
  answers: Answers;
  sortedLatenciesMs: Float64Array;
  wallMs: number;
  serverCpuNs: number;
  doubleCpuNs: number;
  workersCpuNs: number;
  /** Machine CPU used by anything but the bench's own processes (other work, steal) during the run. */
  otherCpuNs: number;
  achievedRate: number | null;
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function forkChild(file: string): ChildProcess {
  return fork(path.join(import.meta.dirname, file), [], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Asks a child to exit and waits a little for it; `killAll` deals with one that does not. */
async function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.send({ type: 'close' });
  await Promise.race([exited, sleep(2_000)]);
}

function mergeAnswers(all: Answers[]): Answers {
  const merged: Answers = {
    latenciesUs: [],
    emitsPerAnswer: [],
    completed: 0,
    failed: 0,
    failures: {},
    missingTokens: 0,
    truncatedAnswers: 0,
  };
  for (const a of all) {
    for (const v of a.latenciesUs) merged.latenciesUs.push(v);
    merged.emitsPerAnswer.push(...a.emitsPerAnswer);
    merged.completed += a.completed;
    merged.failed += a.failed;
    merged.missingTokens += a.missingTokens;
    merged.truncatedAnswers += a.truncatedAnswers;
    for (const [reason, count] of Object.entries(a.failures)) merged.failures[reason] = (merged.failures[reason] ?? 0) + count;
  }
  return merged;
}

class Bench {
  private server: ServerProcess | null = null;

  constructor(
    private readonly double: ChildProcess,
    private readonly workers: ChildProcess[],
  ) {}

  useServer(server: ServerProcess): void {
    this.server = server;
  }

  private cpuOf(children: ChildProcess[]): number {
    return children.reduce((sum, child) => sum + (child.pid ? processCpuNs(child.pid) : 0), 0);
  }

  /** One measured run: connect every shopper, then time the questions and read CPU around them. */
  async run(scenario: Scenario): Promise<RunResult> {
    const server = this.server;
    if (!server) throw new Error('no server');
    const tokenDelayMs = scenario.ratePerSecond ? 1000 / scenario.ratePerSecond : 0;
    await ask(this.double, doubleReplySchema, { type: 'configure', tokens: scenario.tokens, tokenDelayMs }, 'configured', 5_000);

    const shares = this.workers.map((_, w) => scenario.cookies.filter((__, i) => i % this.workers.length === w));
    const connectTimeout = 30_000 + scenario.cookies.length * 200;
    const connected = await Promise.all(
      this.workers.map((worker, w) =>
        ask(
          worker,
          workerReplySchema,
          { type: 'connect', url: server.url, cookies: shares[w] ?? [] },
          'connected',
          connectTimeout,
        ),
      ),
    );

    const answerMs = scenario.tokens * tokenDelayMs;
    const timeoutMs = Math.round(answerMs * 4 + 20_000);
    const serverCpu0 = processCpuNs(server.pid);
    const doubleCpu0 = this.cpuOf([this.double]);
    const workersCpu0 = this.cpuOf(this.workers);
    const machine0 = machineBusyNs();
    const self0 = process.cpuUsage();
    const started = performance.now();
    const replies = await Promise.all(
      this.workers.map((worker) =>
        ask(
          worker,
          workerReplySchema,
          {
            type: 'ask',
            question: PLAN.question,
            tokens: scenario.tokens,
            rounds: scenario.rounds,
            spreadMs: scenario.spreadMs,
            timeoutMs,
          },
          'answered',
          scenario.spreadMs + scenario.rounds * timeoutMs + 30_000,
        ),
      ),
    );
    const wallMs = performance.now() - started;
    const serverCpuNs = processCpuNs(server.pid) - serverCpu0;
    const doubleCpuNs = this.cpuOf([this.double]) - doubleCpu0;
    const workersCpuNs = this.cpuOf(this.workers) - workersCpu0;
    const self = process.cpuUsage(self0);
    const selfNs = (self.user + self.system) * 1000;
    const otherCpuNs = Math.max(0, machineBusyNs() - machine0 - serverCpuNs - doubleCpuNs - workersCpuNs - selfNs);

    const rates = await ask(this.double, doubleReplySchema, { type: 'rates' }, 'rates', 5_000);
    await Promise.all(
      this.workers.map((worker) => ask(worker, workerReplySchema, { type: 'disconnect' }, 'disconnected', 30_000)),
    );

    const answers = mergeAnswers(replies.map((r) => r.answers));
    const connectErrors: Record<string, number> = {};
    for (const c of connected)
      for (const [reason, n] of Object.entries(c.errors)) connectErrors[reason] = (connectErrors[reason] ?? 0) + n;
    return {
      shoppers: scenario.cookies.length,
      connected: connected.reduce((sum, c) => sum + c.connected, 0),
      connectErrors,
      tokensPerAnswer: scenario.tokens,
      answers,
      sortedLatenciesMs: sortedCopy(answers.latenciesUs.map((us) => us / 1000)),
      wallMs,
      serverCpuNs,
      doubleCpuNs,
      workersCpuNs,
      otherCpuNs,
      achievedRate: rates.meanTokensPerSecond,
    };
  }
}

function tokensReceived(r: RunResult): number {
  return r.answers.latenciesUs.length;
}

function failureText(r: RunResult): string {
  const reasons = { ...r.answers.failures };
  for (const [reason, n] of Object.entries(r.connectErrors)) reasons[`connect: ${reason}`] = n;
  const text = Object.entries(reasons)
    .map(([reason, n]) => `${n}x ${reason}`)
    .join('; ');
  return text || '-';
}

interface LatencyRow {
  coalesceMs: number;
  rate: number;
  run: RunResult;
}

interface CostRow {
  coalesceMs: number;
  long: RunResult;
  short: RunResult;
}

interface RampRow {
  level: number;
  sharedSessions: number;
  run: RunResult;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-bench-'));
  const children: ChildProcess[] = [];
  const servers: ServerProcess[] = [];
  const killAll = () => {
    for (const s of servers) s.kill();
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  const latencyRows: LatencyRow[] = [];
  const costRows: CostRow[] = [];
  const rampRows: RampRow[] = [];
  let rampStop = '';
  let sessionsRateLimited = 0;
  const loadavg = os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
  log('sampling the machine load for 2 s before starting');
  const backgroundPct = await sampleMachineLoad(2_000);

  try {
    log('starting the Ollama double and the shopper workers');
    const doubleChild = forkChild('doubleProcess.ts');
    children.push(doubleChild);
    const { url: doubleUrl } = await ask(doubleChild, doubleReplySchema, null, 'ready', 60_000);
    const workers = Array.from({ length: PLAN.workers }, () => forkChild('shopperWorker.ts'));
    children.push(...workers);
    await Promise.all(workers.map((worker) => ask(worker, workerReplySchema, null, 'ready', 60_000)));
    const bench = new Bench(doubleChild, workers);

    // The ramp runs last on the server with the default coalescing, reusing its sessions.
    const coalesceOrder = [...PLAN.coalesceMs].sort(
      (a, b) => Number(a === PLAN.rampCoalesceMs) - Number(b === PLAN.rampCoalesceMs),
    );
    for (const coalesceMs of coalesceOrder) {
      log(`starting the server with chat.coalesceMs ${coalesceMs}`);
      const server = await startServerProcess({
        ollamaUrl: doubleUrl,
        dataDir,
        chat: { coalesceMs, messagesPerMinute: PLAN.messagesPerMinute },
      });
      servers.push(server);
      bench.useServer(server);
      const sessions = new SessionPool(server.url);
      const cookies = await sessions.take(PLAN.latencyShoppers);

      log('warm-up (JIT, SQLite page cache, connection pools)');
      await bench.run({ cookies, tokens: 100, ratePerSecond: 400, rounds: 2, spreadMs: 100 });

      let longRun: RunResult | null = null;
      for (const rate of PLAN.rates) {
        log(`latency: ${PLAN.latencyShoppers} shoppers, ${PLAN.answerTokens} tokens at ${rate} tok/s, coalesceMs ${coalesceMs}`);
        const run = await bench.run({
          cookies,
          tokens: PLAN.answerTokens,
          ratePerSecond: rate,
          rounds: 1,
          spreadMs: PLAN.latencySpreadMs,
        });
        latencyRows.push({ coalesceMs, rate, run });
        if (rate === PLAN.rampRate) longRun = run;
      }
      log(`fixed cost: ${PLAN.latencyShoppers} shoppers x ${PLAN.fixedCostRounds} one-token answers`);
      const short = await bench.run({
        cookies,
        tokens: 1,
        ratePerSecond: null,
        rounds: PLAN.fixedCostRounds,
        spreadMs: PLAN.latencySpreadMs,
      });
      if (longRun) costRows.push({ coalesceMs, long: longRun, short });

      if (coalesceMs === PLAN.rampCoalesceMs) {
        for (const level of PLAN.rampLevels) {
          const levelCookies = await sessions.take(level);
          log(`ramp: ${level} shoppers, ${PLAN.answerTokens} tokens at ${PLAN.rampRate} tok/s`);
          const run = await bench.run({
            cookies: levelCookies,
            tokens: PLAN.answerTokens,
            ratePerSecond: PLAN.rampRate,
            rounds: 1,
            spreadMs: PLAN.rampSpreadMs,
          });
          rampRows.push({ level, sharedSessions: sessions.sharedBeyond(level), run });
          const p99 = percentile(run.sortedLatenciesMs, 99);
          const problems = [
            ...(p99 > PLAN.p99LimitMs ? [`p99 ${fixed(p99)} ms > ${PLAN.p99LimitMs} ms`] : []),
            ...(run.answers.failed > 0 || run.connected < run.shoppers ? [`failures (${failureText(run)})`] : []),
            ...(run.answers.missingTokens > 0 ? [`${run.answers.missingTokens} tokens never arrived as deltas`] : []),
          ];
          if (problems.length > 0) {
            rampStop = `stopped at ${level} shoppers: ${problems.join(', ')}`;
            break;
          }
        }
        if (!rampStop) rampStop = `no limit reached up to ${PLAN.rampLevels.at(-1)} shoppers`;
        sessionsRateLimited = sessions.rateLimited;
      }
      await server.stop();
    }
    await Promise.all(children.map(closeChild));
  } finally {
    killAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  process.stdout.write(
    report({
      latencyRows,
      costRows,
      rampRows,
      rampStop,
      sessionsRateLimited,
      backgroundPct,
      loadavg,
      totalS: (performance.now() - startedAt) / 1000,
    }),
  );
}

function report(input: {
  latencyRows: LatencyRow[];
  costRows: CostRow[];
  rampRows: RampRow[];
  rampStop: string;
  sessionsRateLimited: number;
  backgroundPct: number;
  loadavg: string;
  totalS: number;
}): string {
  const ms = (r: RunResult, p: number) => fixed(percentile(r.sortedLatenciesMs, p), 2);
  const negative = [...input.latencyRows.map((r) => r.run), ...input.rampRows.map((r) => r.run)].reduce(
    (n, r) => n + r.answers.latenciesUs.filter((v) => v < 0).length,
    0,
  );
  const out: string[] = [];
  out.push('Aisle streaming benchmark');
  out.push('=========================');
  out.push(`machine  ${machineSummary()}`);
  out.push(
    `setup    server (node --import tsx server/src/index.ts, demo catalogue, log silent), Ollama double + stamping relay,`,
    `         ${PLAN.workers} socket.io-client worker processes: all share the same cores, so latencies are upper bounds`,
  );
  out.push(
    `load     before start ${fixed(input.backgroundPct, 0)}% of all cores busy (load average ${input.loadavg}); "others CPU %" below is what other processes and the hypervisor took during each run`,
  );
  if (input.backgroundPct > 20) {
    out.push(
      'WARNING  the machine was busy with other work when the bench started: latencies and CPU figures are inflated; re-run on an idle machine.',
    );
  }
  out.push(
    `question "${PLAN.question}" (the server runs its catalogue prefetch search on it; the reply is ${PLAN.answerTokens} plain tokens, no tool calls)`,
  );
  out.push('');
  out.push('Method: every token leaves the double as " t<seq>#TS#"; the relay in front of the double replaces #TS# with the');
  out.push(
    'monotonic clock (CLOCK_MONOTONIC, shared by all processes) at the moment it writes the line to the server. A shopper',
  );
  out.push(
    'reads the clock when its chat:delta handler runs; latency = receive - stamp, for every token (coalesced deltas carry',
  );
  out.push('several). It covers loopback to the server, ollama-js parsing, the answer loop, coalescing, Socket.IO, loopback and');
  out.push(`client decoding. CPU: ${cpuClockSource}, read just before the first question and after the last answer.`);
  if (negative > 0)
    out.push(`WARNING: ${negative} negative latencies: the clocks of the processes do not agree, figures are unreliable.`);
  out.push('');

  out.push(
    `1. Added latency per token: ${PLAN.latencyShoppers} concurrent shoppers, ${PLAN.answerTokens}-token answers, starts spread over ${PLAN.latencySpreadMs} ms`,
  );
  out.push(
    table(
      [
        'coalesceMs',
        'target tok/s',
        'achieved tok/s',
        'tokens',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'emits/answer',
        'tokens/emit',
        'failed',
        'others CPU %',
      ],
      input.latencyRows.map(({ coalesceMs, rate, run }) => {
        const emits = mean(run.answers.emitsPerAnswer);
        return [
          coalesceMs,
          rate,
          fixed(run.achievedRate ?? Number.NaN, 0),
          tokensReceived(run),
          ms(run, 50),
          ms(run, 95),
          ms(run, 99),
          ms(run, 100),
          fixed(emits, 1),
          fixed(run.tokensPerAnswer / emits, 1),
          run.answers.failed,
          fixed((run.otherCpuNs / 1e6 / run.wallMs) * 100, 0),
        ];
      }),
    ),
  );
  for (const { coalesceMs, rate, run } of input.latencyRows) {
    if (failureText(run) !== '-') out.push(`  failures at coalesceMs ${coalesceMs}, ${rate} tok/s: ${failureText(run)}`);
  }
  out.push(
    'With coalescing a token waits up to coalesceMs for the next emit of its stream (by design: the first token goes at once).',
  );
  out.push(
    'The double paces tokens with setTimeout, which rounds 2.5 ms down to whole ms; "achieved" is what the relay saw per stream.',
  );
  out.push('');

  out.push(
    `2. Server CPU: ${PLAN.latencyShoppers} shoppers; long = one ${PLAN.answerTokens}-token answer at ${PLAN.rampRate} tok/s each, short = ${PLAN.fixedCostRounds} one-token answers each`,
  );
  out.push(
    table(
      [
        'coalesceMs',
        'answers',
        'tokens',
        'server CPU ms',
        'us/answer (long)',
        'us/token (all-in)',
        'us/answer (short)',
        'us/token (marginal)',
      ],
      input.costRows.map(({ coalesceMs, long, short }) => {
        const perLong = long.serverCpuNs / 1000 / long.answers.completed;
        const perShort = short.serverCpuNs / 1000 / short.answers.completed;
        return [
          coalesceMs,
          long.answers.completed,
          tokensReceived(long),
          fixed(long.serverCpuNs / 1e6, 1),
          fixed(perLong, 0),
          fixed(long.serverCpuNs / 1000 / tokensReceived(long), 1),
          fixed(perShort, 0),
          fixed((perLong - perShort) / (long.tokensPerAnswer - 1), 1),
        ];
      }),
    ),
  );
  out.push('all-in = server CPU of the run / tokens delivered (includes storing the question and answer, the prefetch search,');
  out.push(
    `cards and events); marginal = (us/answer long - us/answer short) / ${PLAN.answerTokens - 1}: the cost of one more streamed token.`,
  );
  out.push('');

  out.push(
    `3. Concurrent streams: each shopper asks once, ${PLAN.answerTokens} tokens at ${PLAN.rampRate} tok/s, coalesceMs ${PLAN.rampCoalesceMs}, starts spread over ${PLAN.rampSpreadMs} ms`,
  );
  out.push(
    table(
      [
        'shoppers',
        'shared sessions',
        'completed',
        'failed',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'emits/answer',
        'server CPU %',
        'server us/token',
        'double CPU %',
        'clients CPU %',
        'others CPU %',
      ],
      input.rampRows.map(({ level, sharedSessions, run }) => {
        const pct = (ns: number) => fixed((ns / 1e6 / run.wallMs) * 100, 0);
        return [
          level,
          sharedSessions,
          run.answers.completed,
          run.answers.failed + (run.shoppers - run.connected),
          ms(run, 50),
          ms(run, 95),
          ms(run, 99),
          ms(run, 100),
          fixed(mean(run.answers.emitsPerAnswer), 1),
          pct(run.serverCpuNs),
          fixed(run.serverCpuNs / 1000 / Math.max(1, tokensReceived(run)), 1),
          pct(run.doubleCpuNs),
          pct(run.workersCpuNs),
          pct(run.otherCpuNs),
        ];
      }),
    ),
  );
  out.push(
    `CPU % is of one core over the run (questions sent to last answer); ${os.availableParallelism()} cores are shared by every process.`,
  );
  out.push(`Result: ${input.rampStop}.`);
  const failures = input.rampRows.filter((r) => failureText(r.run) !== '-');
  for (const r of failures) out.push(`  failures at ${r.level}: ${failureText(r.run)}`);
  const missing = input.rampRows.filter((r) => r.run.answers.missingTokens > 0 || r.run.answers.truncatedAnswers > 0);
  for (const r of missing)
    out.push(
      `  at ${r.level}: ${r.run.answers.missingTokens} stored tokens missing from deltas, ${r.run.answers.truncatedAnswers} truncated answers`,
    );
  if (input.sessionsRateLimited > 0) {
    out.push(
      `Note: GET /api/session was refused (429) once the API rate limit (300 requests/min per IP) was used up; shoppers beyond`,
      `that share session cookies ("shared sessions"), which does not change the streaming load. Real shoppers behind one NAT`,
      `address would hit the same limit: consider exempting /api/session or raising the limit.`,
    );
  }
  out.push('');
  out.push(`Total bench time ${fixed(input.totalS, 0)} s.`);
  return `${out.join('\n')}\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
