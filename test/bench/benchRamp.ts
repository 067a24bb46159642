/**
 * The parts of a streaming bench that run scenarios against several targets: alternating rounds, and
 * the "streams held" ramp (issue 8). Shared by `pnpm bench` and `pnpm bench:cluster`.
 */
import type { RunRecord } from './benchReport';
import type { Bench, RunResult, Scenario, Target } from './benchRunner';
import { failureText } from './benchRunner';
import { fixed, percentile } from './measure';

/** Progress lines on stderr. */
export type BenchLog = (message: string) => void;

/** What the ramp needs of a bench's plan. */
export interface RampPlan {
  question: string;
  answerTokens: number;
  /** Tokens per second per stream. */
  rate: number;
  spreadMs: number;
  p99LimitMs: number;
  /** Streams held: levels tried in order; a target stops at its first failing level. */
  rampLevels: number[];
}

/**
 * Runs `scenario` against every target `rounds` times, reversing the order every other round
 * (A B, B A, ...) so a burst of noise from other work lands on both sides.
 */
export async function alternate(
  log: BenchLog,
  bench: Bench,
  records: RunRecord[],
  figure: string,
  targets: Target[],
  rounds: number,
  scenario: Scenario,
): Promise<Map<string, RunResult[]>> {
  const results = new Map<string, RunResult[]>(targets.map((t) => [t.key, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      log(`${figure}: ${target.label}, round ${round + 1}/${rounds}`);
      const run = await bench.run(target, scenario);
      records.push({ figure, run });
      results.get(target.key)?.push(run);
    }
  }
  return results;
}

export function runsOf(results: Map<string, RunResult[]>, key: string): RunResult[] {
  return results.get(key) ?? [];
}

/** Why a ramp level does not count as held, or an empty list when it does. */
export function rampProblems(run: RunResult, p99LimitMs: number): string[] {
  const p99 = percentile(run.sortedLatenciesMs, 99);
  return [
    ...(p99 > p99LimitMs ? [`p99 ${fixed(p99)} ms > ${p99LimitMs} ms`] : []),
    ...(run.answers.failed > 0 || run.connected < run.shoppers ? [`failures (${failureText(run)})`] : []),
    ...(run.answers.missingTokens > 0 ? [`${run.answers.missingTokens} tokens never arrived as deltas`] : []),
  ];
}

export interface Held {
  level: number | null;
  stop: string;
}

/** Streams held with p99 under the limit: a bounded step search, both targets at each level in turn. */
export async function streamsHeld(
  log: BenchLog,
  bench: Bench,
  records: RunRecord[],
  plan: RampPlan,
  targets: Target[],
): Promise<Map<string, Held>> {
  const held = new Map<string, Held>(targets.map((t) => [t.key, { level: null, stop: '' }]));
  let active = [...targets];
  for (const [i, level] of plan.rampLevels.entries()) {
    if (active.length === 0) break;
    const order = i % 2 === 0 ? active : [...active].reverse();
    for (const target of order) {
      log(`streams held: ${target.label}, ${level} streams`);
      const run = await bench.run(target, {
        shoppers: level,
        question: plan.question,
        tokens: plan.answerTokens,
        ratePerSecond: plan.rate,
        rounds: 1,
        spreadMs: plan.spreadMs,
      });
      records.push({ figure: `held, ${level} streams`, run });
      const state = held.get(target.key);
      if (!state) continue;
      const problems = rampProblems(run, plan.p99LimitMs);
      if (problems.length > 0) {
        state.stop = `stopped at ${level}: ${problems.join(', ')}`;
        active = active.filter((t) => t !== target);
      } else state.level = level;
    }
  }
  for (const state of held.values()) if (!state.stop) state.stop = `no limit reached up to ${plan.rampLevels.at(-1)} streams`;
  return held;
}

export function heldText(held: Held, plan: RampPlan): string {
  if (held.level === null) return `< ${plan.rampLevels[0]}`;
  return held.stop.startsWith('no limit') ? `>= ${held.level}` : String(held.level);
}

/** a / b, or null when either is not a finite positive figure. */
export function ratio(aisle: number, baseline: number): number | null {
  return Number.isFinite(aisle) && Number.isFinite(baseline) && baseline > 0 ? aisle / baseline : null;
}
