/**
 * One measured run of the streaming bench against one server under test: connect the shoppers, ask,
 * read the CPU of every process around the questions, collect what the shoppers saw.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCliArgs } from '@aisle/server/cli/cliArgs';
import { ask, doubleReplySchema, workerReplySchema, type Answers } from './benchProtocol';
import { machineBusyNs, processCpuNs, sampleMachineLoad, sortedCopy } from './measure';
import { killAllChildren, REPO_ROOT, SessionPool, trackChild, type ServerProcess } from './serverProcess';

/** A server under test, with the session cookies its shoppers connect with. */
export interface Target {
  /** Short key used in the JSON report, e.g. `aisle`, `aisle-100k`, `baseline`. */
  key: string;
  label: string;
  server: ServerProcess;
  /** `count` cookies (shared round robin when the server hands out fewer). */
  cookies(count: number): Promise<string[]>;
}

/** Aisle: every shopper gets a session cookie from `GET /api/session`, as in a browser. */
export function aisleTarget(key: string, label: string, server: ServerProcess): Target & { sessions: SessionPool } {
  const sessions = new SessionPool(server.url);
  return { key, label, server, sessions, cookies: (count) => sessions.take(count) };
}

/** The baseline relay has no sessions; the cookie header is sent anyway, so the handshake is alike. */
export function baselineTarget(server: ServerProcess): Target {
  return {
    key: 'baseline',
    label: 'baseline',
    server,
    cookies: async (count) => Array.from({ length: count }, (_, i) => `bench=${i}`),
  };
}

export interface Scenario {
  shoppers: number;
  question: string;
  tokens: number;
  /** Tokens per second per stream; null streams as fast as the double can. */
  ratePerSecond: number | null;
  /** Questions each shopper asks, one after another. */
  rounds: number;
  spreadMs: number;
}

export interface RunResult {
  target: string;
  shoppers: number;
  connected: number;
  connectErrors: Record<string, number>;
  tokensPerAnswer: number;
  answers: Answers;
  sortedLatenciesMs: Float64Array;
  sortedSendToRequestMs: Float64Array;
  wallMs: number;
  serverCpuNs: number;
  doubleCpuNs: number;
  workersCpuNs: number;
  /** Machine CPU used by anything but the bench's own processes (other work, steal) during the run. */
  otherCpuNs: number;
  achievedRate: number | null;
}

/** Starts a bench child (`doubleProcess.ts`, `shopperWorker.ts`) with tsx and an IPC channel. */
export function forkChild(file: string, args: string[] = []): ChildProcess {
  return trackChild(
    fork(path.join(import.meta.dirname, file), args, {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
}

/** Asks a child to exit and waits a little for it; {@link killAllChildren} deals with one that does not. */
export async function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.send({ type: 'close' });
  await Promise.race([exited, sleep(2_000)]);
}

/** An empty tally of answers. */
export function noAnswers(): Answers {
  return {
    latenciesUs: [],
    sendToRequestUs: [],
    emitsPerAnswer: [],
    completed: 0,
    failed: 0,
    failures: {},
    missingTokens: 0,
    truncatedAnswers: 0,
  };
}

/** Adds the answers of several workers (or runs) together. */
export function mergeAnswers(all: Answers[]): Answers {
  const merged = noAnswers();
  for (const a of all) {
    // push(...spread) overflows the stack at a few hundred thousand samples.
    for (const v of a.latenciesUs) merged.latenciesUs.push(v);
    for (const v of a.sendToRequestUs) merged.sendToRequestUs.push(v);
    merged.emitsPerAnswer.push(...a.emitsPerAnswer);
    merged.completed += a.completed;
    merged.failed += a.failed;
    merged.missingTokens += a.missingTokens;
    merged.truncatedAnswers += a.truncatedAnswers;
    for (const [reason, count] of Object.entries(a.failures)) merged.failures[reason] = (merged.failures[reason] ?? 0) + count;
  }
  return merged;
}

/** Tokens the shoppers received (each timed). */
export function tokensReceived(r: RunResult): number {
  return r.answers.latenciesUs.length;
}

/** Failure reasons of a run, `-` when there were none. */
export function failureText(r: RunResult): string {
  const reasons = { ...r.answers.failures };
  for (const [reason, n] of Object.entries(r.connectErrors)) reasons[`connect: ${reason}`] = n;
  const text = Object.entries(reasons)
    .map(([reason, n]) => `${n}x ${reason}`)
    .join('; ');
  return text || '-';
}

/** Runs scenarios against any target with one Ollama double and a fixed set of shopper workers. */
export class Bench {
  constructor(
    private readonly double: ChildProcess,
    private readonly workers: ChildProcess[],
  ) {}

  private cpuOf(children: ChildProcess[]): number {
    return children.reduce((sum, child) => sum + (child.pid ? processCpuNs(child.pid) : 0), 0);
  }

  /** One measured run: connect every shopper, then time the questions and read CPU around them. */
  async run(target: Target, scenario: Scenario): Promise<RunResult> {
    const { server } = target;
    const cookies = await target.cookies(scenario.shoppers);
    const tokenDelayMs = scenario.ratePerSecond ? 1000 / scenario.ratePerSecond : 0;
    await ask(this.double, doubleReplySchema, { type: 'configure', tokens: scenario.tokens, tokenDelayMs }, 'configured', 5_000);

    const shares = this.workers.map((_, w) => cookies.filter((__, i) => i % this.workers.length === w));
    const connectTimeout = 30_000 + cookies.length * 200;
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
    const serverPids = server.pids ?? [server.pid];
    const serverCpuOf = () => serverPids.reduce((sum, pid) => sum + processCpuNs(pid), 0);
    const serverCpu0 = serverCpuOf();
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
            question: scenario.question,
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
    const serverCpuNs = serverCpuOf() - serverCpu0;
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
      target: target.key,
      shoppers: cookies.length,
      connected: connected.reduce((sum, c) => sum + c.connected, 0),
      connectErrors,
      tokensPerAnswer: scenario.tokens,
      answers,
      sortedLatenciesMs: sortedCopy(answers.latenciesUs.map((us) => us / 1000)),
      sortedSendToRequestMs: sortedCopy(answers.sendToRequestUs.map((us) => us / 1000)),
      wallMs,
      serverCpuNs,
      doubleCpuNs,
      workersCpuNs,
      otherCpuNs,
      achievedRate: rates.meanTokensPerSecond,
    };
  }
}

/** What every bench run starts with: its mode, a scratch dir removed at exit, and the machine's load. */
export interface BenchRunStart {
  mode: 'quick' | 'full';
  startedAt: Date;
  /** Scratch space for data dirs; removed (and every child killed) when the process exits. */
  tmpRoot: string;
  /** `os.loadavg()` at the start, formatted. */
  loadavg: string;
  /** Share of all cores other processes kept busy while the bench sampled before starting. */
  backgroundPct: number;
}

/**
 * Parses `--quick`/`--help`, makes the scratch dir, cleans up on exit and signals, and samples the
 * machine's load before anything starts. Null when `--help` (or a usage error) already answered.
 */
export async function startBenchRun(options: {
  command: string;
  usage: string;
  tmpPrefix: string;
  loadSampleMs: number;
  log: (line: string) => void;
}): Promise<BenchRunStart | null> {
  const args = parseCliArgs(process.argv.slice(2), {
    command: options.command,
    usage: options.usage,
    options: { quick: { type: 'boolean' } },
  });
  if (args.isDone) {
    process.exitCode = args.exitCode;
    return null;
  }
  const mode = args.values.quick ? 'quick' : 'full';
  const startedAt = new Date();
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), options.tmpPrefix));
  process.once('exit', () => {
    killAllChildren();
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  const loadavg = os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
  options.log(`${mode} run; sampling the machine load for ${options.loadSampleMs / 1000} s before starting`);
  const backgroundPct = await sampleMachineLoad(options.loadSampleMs);
  return { mode, startedAt, tmpRoot, loadavg, backgroundPct };
}
