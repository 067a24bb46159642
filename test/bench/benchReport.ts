/**
 * The ratio table of `pnpm bench` (issue 8): each figure for Aisle and for the baseline relay measured
 * in the same run, their ratio, the goal and whether it is met; plus the per-run details and the JSON
 * written to `reports/`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failureText, tokensReceived, type RunResult } from './benchRunner';
import { fixed, mean, percentile, sortedCopy, table } from './measure';

/** Several runs of one target for one figure, taken together. */
export interface Pooled {
  runs: number;
  tokens: number;
  serverCpuNs: number;
  sortedLatenciesMs: Float64Array;
  sortedSendToRequestMs: Float64Array;
  failures: number;
}

/** Pools runs: samples concatenated, CPU and tokens summed (CPU per token is then a weighted mean). */
export function pool(runs: RunResult[]): Pooled {
  return {
    runs: runs.length,
    tokens: runs.reduce((n, r) => n + tokensReceived(r), 0),
    serverCpuNs: runs.reduce((n, r) => n + r.serverCpuNs, 0),
    sortedLatenciesMs: sortedCopy(runs.flatMap((r) => Array.from(r.sortedLatenciesMs))),
    sortedSendToRequestMs: sortedCopy(runs.flatMap((r) => Array.from(r.sortedSendToRequestMs))),
    failures: runs.reduce((n, r) => n + r.answers.failed + (r.shoppers - r.connected), 0),
  };
}

/** Server CPU time per delivered token, in µs. */
export function cpuPerTokenUs(p: Pooled): number {
  return p.tokens > 0 ? p.serverCpuNs / 1000 / p.tokens : Number.NaN;
}

/** One line of the ratio table. */
export interface FigureRow {
  figure: string;
  unit: string;
  aisle: number;
  baseline: number;
  /** Shown instead of the number when a bound was hit (">= 500", "< 10"). */
  aisleText?: string;
  baselineText?: string;
  /** Aisle / baseline; null when a ratio means nothing for this figure. */
  ratio: number | null;
  goal: string;
  /** null: no goal, or not measurable in this mode. */
  isMet: boolean | null;
}

/** A measured run and the figure it was for, for the details table and the JSON. */
export interface RunRecord {
  figure: string;
  run: RunResult;
}

function digitsFor(unit: string, value: number): number {
  if (unit === 'streams') return 0;
  return Math.abs(value) >= 100 ? 0 : 1;
}

/** The ratio table as aligned text. */
export function figureTable(rows: FigureRow[]): string {
  return table(
    ['figure', 'Aisle', 'baseline', 'ratio', 'goal', 'met'],
    rows.map((r) => [
      r.figure,
      r.aisleText ?? `${fixed(r.aisle, digitsFor(r.unit, r.aisle))} ${r.unit}`,
      r.baselineText ?? `${fixed(r.baseline, digitsFor(r.unit, r.baseline))} ${r.unit}`,
      r.ratio === null ? '-' : fixed(r.ratio, 1),
      r.goal,
      r.isMet === null ? '-' : r.isMet ? 'met' : 'NOT met',
    ]),
  );
}

/** One row per measured run, in the order they ran. */
export function runsTable(records: RunRecord[]): string {
  const ms = (r: RunResult, p: number) => fixed(percentile(r.sortedLatenciesMs, p), 1);
  return table(
    [
      'figure',
      'target',
      'shoppers',
      'tokens',
      'p50 ms',
      'p99 ms',
      'max ms',
      'send->req p95 ms',
      'emits/answer',
      'server CPU %',
      'server us/token',
      'others CPU %',
      'failures',
    ],
    records.map(({ figure, run }) => [
      figure,
      run.target,
      run.shoppers,
      tokensReceived(run),
      ms(run, 50),
      ms(run, 99),
      ms(run, 100),
      fixed(percentile(run.sortedSendToRequestMs, 95), 1),
      fixed(mean(run.answers.emitsPerAnswer), 1),
      fixed((run.serverCpuNs / 1e6 / run.wallMs) * 100, 0),
      fixed(run.serverCpuNs / 1000 / Math.max(1, tokensReceived(run)), 0),
      fixed((run.otherCpuNs / 1e6 / run.wallMs) * 100, 0),
      failureText(run),
    ]),
  );
}

/** Writes the results to `<repo>/reports/bench-<date>.json` (git-ignored) and returns the path. */
export function writeJsonReport(
  repoRoot: string,
  report: { startedAt: Date; mode: string; machine: string; figures: FigureRow[]; runs: RunRecord[] } & Record<string, unknown>,
): string {
  const dir = path.join(repoRoot, 'reports');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const file = path.join(dir, `bench-${stamp}.json`);
  const { runs, ...rest } = report;
  const json = {
    ...rest,
    startedAt: report.startedAt.toISOString(),
    cores: os.availableParallelism(),
    runs: runs.map(({ figure, run }) => ({
      figure,
      target: run.target,
      shoppers: run.shoppers,
      connected: run.connected,
      tokensPerAnswer: run.tokensPerAnswer,
      tokensReceived: tokensReceived(run),
      completed: run.answers.completed,
      failed: run.answers.failed,
      failures: failureText(run),
      missingTokens: run.answers.missingTokens,
      latencyMs: {
        p50: percentile(run.sortedLatenciesMs, 50),
        p95: percentile(run.sortedLatenciesMs, 95),
        p99: percentile(run.sortedLatenciesMs, 99),
        max: percentile(run.sortedLatenciesMs, 100),
      },
      sendToRequestMs: {
        p50: percentile(run.sortedSendToRequestMs, 50),
        p95: percentile(run.sortedSendToRequestMs, 95),
        max: percentile(run.sortedSendToRequestMs, 100),
      },
      emitsPerAnswer: mean(run.answers.emitsPerAnswer),
      wallMs: run.wallMs,
      serverCpuMs: run.serverCpuNs / 1e6,
      doubleCpuMs: run.doubleCpuNs / 1e6,
      workersCpuMs: run.workersCpuNs / 1e6,
      otherCpuMs: run.otherCpuNs / 1e6,
      achievedTokensPerSecond: run.achievedRate,
    })),
  };
  // NaN is not JSON; null says "not measured".
  fs.writeFileSync(
    file,
    `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
  return file;
}
