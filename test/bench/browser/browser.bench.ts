/**
 * Browser benchmark (`pnpm bench:browser`, issue 8): how long a streamed word takes from the socket
 * frame that carries it to the text in the page, and the long tasks the page runs while a model
 * streams at 400 tokens/s, for Aisle's chat page and for a baseline page measured in the same run.
 *
 * The baseline is the least a browser can do: a plain page appending each delta to a `<div>` with
 * `textContent +=` (baselinePage.ts), fed by the bench's baseline relay (test/bench/baseline/). Aisle
 * is the production server (`node --import tsx server/src/index.ts`, demo catalogue) serving the
 * built client. Both relay the same Ollama double streaming the same long Markdown answer
 * (benchAnswer.ts), in Debian's Chromium driven by playwright-core, runs alternating A B A B.
 * Not a test: it prints a table and writes `reports/browser-bench-<date>.json`. With `--profile` it
 * also records a CPU profile of one more Aisle run (`reports/browser-profile-<date>.cpuprofile`, open
 * it in Chrome DevTools) and prints the functions that took the most time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCliArgs } from '@aisle/server/cli/cliArgs';
import { chromium, type Browser } from 'playwright-core';
import { ChatPage } from '../../e2e/pages/chat-page';
import { chromiumPath } from '../../e2e/support/browser';
import { startOllamaDouble } from '../../ollama-double';
import { type FigureRow, figureTable } from '../benchReport';
import { fixed, machineSummary, percentile, sampleMachineLoad, sortedCopy, table } from '../measure';
import { killAllChildren, REPO_ROOT, startBaselineProcess, startServerProcess } from '../serverProcess';
import { benchAnswerMarkdown, benchAnswerTokens } from './benchAnswer';
import { startBaselinePageServer } from './baselinePage';
import { runInBrowser, type BrowserRun, type BrowserTarget, type MainThread } from './browserRun';
import { topFunctions } from './profileSummary';

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const QUESTION = 'Which waterproof hiking shoes do you have for wide feet?';
const TOKENS_PER_SECOND = 400;
/** The server's delta coalescing (Aisle's default), the same for the baseline relay. */
const COALESCE_MS = 25;
const GOAL_P95_MS = 16;
const LONG_TASK_MS = 50;

/**
 * Answers stay under 1,024 tokens, Aisle's default `num_predict`: the double honours it, so a longer
 * answer would be cut for Aisle and not for the baseline relay (which sets no limit).
 */
const PLANS = {
  full: { sections: 3, rounds: 5 },
  quick: { sections: 2, rounds: 1 },
};

const USAGE = `Aisle browser benchmark: frame-to-screen latency and long tasks, Aisle's page and a baseline page

Usage:
  pnpm bench:browser            Five rounds of each page, alternating (about 2 minutes)
  pnpm bench:browser --quick    One round of each, a shorter answer (a smoke run)
  pnpm bench:browser --profile  Also record a CPU profile of one Aisle run and print where the time went
  pnpm bench:browser --help     Show this help (also -h)

Builds the client first when client/dist is missing. Writes reports/browser-bench-<date>.json.
Every process listens on 127.0.0.1 and is stopped at the end. Chromium: /usr/bin/chromium or CHROMIUM_PATH.
`;

const started = performance.now();
const log = (message: string) =>
  process.stderr.write(`[bench:browser ${fixed((performance.now() - started) / 1000, 0).padStart(3)} s] ${message}\n`);

function ensureClientBuilt(): void {
  if (fs.existsSync(path.join(REPO_ROOT, 'client/dist/index.html'))) return;
  log('client/dist is missing: running pnpm build');
  const build = spawnSync('pnpm', ['build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`pnpm build failed (exit ${build.status})`);
}

/** Frame-to-screen and long-task figures of several runs of one page, taken together. */
interface Pooled {
  runs: number;
  frames: number;
  unmatched: number;
  domMs: Float64Array;
  paintMs: Float64Array;
  longTasks: number[] | null;
  tokensPerSecond: number;
  /** Characters of answer text each run received (the same for every run when nothing was cut). */
  chars: number[];
  /** Mean main-thread time per run, in ms. */
  mainThread: MainThread;
}

function pool(runs: BrowserRun[], tokens: number): Pooled {
  const tasks = runs.map((r) => r.longTasks);
  return {
    runs: runs.length,
    frames: runs.reduce((n, r) => n + r.timings.length, 0),
    unmatched: runs.reduce((n, r) => n + r.unmatched, 0),
    domMs: sortedCopy(runs.flatMap((r) => r.timings.map((t) => t.domMs))),
    paintMs: sortedCopy(runs.flatMap((r) => r.timings.map((t) => t.paintMs))),
    longTasks: tasks.some((t) => t === null) ? null : tasks.flatMap((t) => (t ?? []).map((task) => task.duration)),
    tokensPerSecond: runs.reduce((n, r) => n + (tokens * 1000) / r.streamMs, 0) / Math.max(1, runs.length),
    chars: runs.map((r) => r.chars),
    mainThread: {
      taskMs: meanOf(runs, (r) => r.mainThread.taskMs),
      scriptMs: meanOf(runs, (r) => r.mainThread.scriptMs),
      layoutMs: meanOf(runs, (r) => r.mainThread.layoutMs),
      styleMs: meanOf(runs, (r) => r.mainThread.styleMs),
    },
  };
}

function meanOf(runs: BrowserRun[], value: (run: BrowserRun) => number): number {
  return runs.length === 0 ? Number.NaN : runs.reduce((n, r) => n + value(r), 0) / runs.length;
}

function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null;
}

function figures(aisle: Pooled, baseline: Pooled): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const [name, key, p, goal] of [
    ['frame to text in DOM p50', 'domMs', 50, null],
    ['frame to text in DOM p95', 'domMs', 95, GOAL_P95_MS],
    ['frame to text in DOM max', 'domMs', 100, null],
    ['frame to painted frame p95', 'paintMs', 95, null],
  ] as const) {
    const a = percentile(aisle[key], p);
    const b = percentile(baseline[key], p);
    rows.push({
      figure: name,
      unit: 'ms',
      aisle: a,
      baseline: b,
      ratio: ratio(a, b),
      goal: goal === null ? '-' : `<= ${goal} ms`,
      isMet: goal === null || !Number.isFinite(a) ? null : a <= goal,
    });
  }
  for (const [name, key] of [
    ['main thread busy per answer', 'taskMs'],
    ['  of which script', 'scriptMs'],
    ['  of which layout + style', 'layoutStyle'],
  ] as const) {
    const value = (p: Pooled) => (key === 'layoutStyle' ? p.mainThread.layoutMs + p.mainThread.styleMs : p.mainThread[key]);
    rows.push({
      figure: name,
      unit: 'ms',
      aisle: value(aisle),
      baseline: value(baseline),
      ratio: ratio(value(aisle), value(baseline)),
      goal: '-',
      isMet: null,
    });
  }
  const count = (p: Pooled) => p.longTasks?.length ?? Number.NaN;
  const longest = (p: Pooled) => (p.longTasks === null ? Number.NaN : Math.max(0, ...p.longTasks));
  rows.push({
    figure: `long tasks (> ${LONG_TASK_MS} ms), all runs`,
    unit: '',
    aisle: count(aisle),
    baseline: count(baseline),
    aisleText: String(count(aisle)),
    baselineText: String(count(baseline)),
    ratio: null,
    goal: 'none',
    isMet: aisle.longTasks === null ? null : aisle.longTasks.length === 0,
  });
  rows.push({
    figure: 'longest task',
    unit: 'ms',
    aisle: longest(aisle),
    baseline: longest(baseline),
    ...(aisle.longTasks?.length === 0 ? { aisleText: 'none' } : {}),
    ...(baseline.longTasks?.length === 0 ? { baselineText: 'none' } : {}),
    ratio: null,
    goal: `<= ${LONG_TASK_MS} ms`,
    isMet: aisle.longTasks === null ? null : longest(aisle) <= LONG_TASK_MS,
  });
  return rows;
}

function aisleTarget(url: string): BrowserTarget {
  return {
    key: 'aisle',
    label: 'Aisle',
    selector: '[role="log"]',
    async open(page) {
      await new ChatPage(page).open(url);
    },
    ask: (page, question) => new ChatPage(page).ask(question),
    waitForEnd: (page) => new ChatPage(page).waitForAnswerEnd(),
  };
}

function baselineTarget(pageUrl: string): BrowserTarget {
  return {
    key: 'baseline',
    label: 'baseline page',
    selector: '#answer',
    async open(page) {
      await page.goto(pageUrl);
      await page.evaluate('window.benchConnected');
    },
    async ask(page, question) {
      await page.evaluate(`window.benchAsk(${JSON.stringify(question)})`);
    },
    async waitForEnd(page) {
      await page.locator('body[data-done="true"]').waitFor();
    },
  };
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2), {
    command: 'pnpm bench:browser',
    usage: USAGE,
    options: { quick: { type: 'boolean' }, profile: { type: 'boolean' } },
  });
  if (args.isDone) {
    process.exitCode = args.exitCode;
    return;
  }
  const mode = args.values.quick === true ? 'quick' : 'full';
  const plan = PLANS[mode];
  const startedAt = new Date();
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-bench-browser-'));
  process.once('exit', () => {
    killAllChildren();
    fs.rmSync(tmpRoot, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

  ensureClientBuilt();
  log('sampling the machine load for 2 s');
  const backgroundPct = await sampleMachineLoad(2_000);
  const answerTokens = benchAnswerTokens(plan.sections);
  const double = await startOllamaDouble({
    // No thinking and no tool calls: the first model round is the answer.
    brain: () => ({ chunks: answerTokens.map((content) => ({ content })), tokenDelayMs: 1000 / TOKENS_PER_SECOND }),
  });
  log(`answer: ${answerTokens.length} tokens at ${TOKENS_PER_SECOND} tok/s; starting Aisle, the baseline relay and Chromium`);
  const [aisleServer, relay, pageServer] = await Promise.all([
    startServerProcess({
      ollamaUrl: double.url,
      dataDir: fs.mkdtempSync(path.join(tmpRoot, 'aisle-')),
      chat: { coalesceMs: COALESCE_MS, messagesPerMinute: 1000 },
    }),
    startBaselineProcess({ ollamaUrl: double.url, coalesceMs: COALESCE_MS }),
    startBaselinePageServer(),
  ]);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: LAUNCH_ARGS });
    const aisle = aisleTarget(`${aisleServer.url}/`);
    const baseline = baselineTarget(pageServer.pageUrl(relay.url));

    log('warm-up: one run of each page (JIT, caches)');
    for (const target of [aisle, baseline]) await runInBrowser(browser, target, QUESTION);

    const runs: BrowserRun[] = [];
    for (let round = 0; round < plan.rounds; round++) {
      for (const target of [aisle, baseline]) {
        log(`${target.label}, round ${round + 1}/${plan.rounds}`);
        const { run } = await runInBrowser(browser, target, QUESTION);
        runs.push(run);
      }
    }

    let profileFile: string | null = null;
    let hotspots = '';
    if (args.values.profile === true) {
      log('profiling one more Aisle run');
      const { profile } = await runInBrowser(browser, aisle, QUESTION, { profile: true });
      profileFile = writeReport(startedAt, 'browser-profile', 'cpuprofile', profile);
      hotspots = topFunctions(profile, 20);
    }

    const aislePool = pool(
      runs.filter((r) => r.target === 'aisle'),
      answerTokens.length,
    );
    const basePool = pool(
      runs.filter((r) => r.target === 'baseline'),
      answerTokens.length,
    );
    const rows = figures(aislePool, basePool);
    const out: string[] = [];
    out.push(`Aisle browser benchmark (${mode}): the chat page against a baseline page measured in the same run`);
    out.push('='.repeat(88));
    out.push(`machine  ${machineSummary()}`);
    out.push(
      `load     before start ${fixed(backgroundPct, 0)}% of all cores busy (load average ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')})`,
    );
    if (backgroundPct > 20)
      out.push('WARNING  the machine was busy with other work: absolute figures are inflated; read the ratios.');
    out.push(`browser  ${chromiumPath()} ${browser.version()}, ${LAUNCH_ARGS.join(' ')}, 1280x800`);
    out.push(
      `answer   ${answerTokens.length} tokens of Markdown (lists, table, bold, links, product links), ${TOKENS_PER_SECOND} tok/s planned, ` +
        `server deltas every ${COALESCE_MS} ms; rounds ${plan.rounds} per page, alternating A B`,
    );
    out.push('');
    out.push(figureTable(rows));
    out.push('');
    out.push(
      table(
        ['page', 'runs', 'frames timed', 'frames never shown', 'answer chars', 'achieved tok/s'],
        [aislePool, basePool].map((p, i) => [
          i === 0 ? 'Aisle' : 'baseline',
          p.runs,
          p.frames,
          p.unmatched,
          [...new Set(p.chars)].join(', '),
          fixed(p.tokensPerSecond, 0),
        ]),
      ),
    );
    const expected = benchAnswerMarkdown(plan.sections).length;
    if ([...aislePool.chars, ...basePool.chars].some((n) => n !== expected))
      out.push(`WARNING  some runs did not receive the whole answer (${expected} chars): compare with care.`);
    out.push('');
    out.push('frame to text in DOM = performance.now() when a MutationObserver sees the newest word of a chat:delta frame,');
    out.push("minus when the page's WebSocket dispatched that frame; painted frame = the next requestAnimationFrame after it.");
    out.push(
      `Long tasks: PerformanceObserver "longtask" entries (each over ${LONG_TASK_MS} ms) from the question to 1 s after the answer.`,
    );
    if (hotspots !== '') out.push('', "Where Aisle's page spent its time (self time, profiled run):", hotspots);
    const json = writeReport(startedAt, 'browser-bench', 'json', {
      startedAt: startedAt.toISOString(),
      mode,
      machine: machineSummary(),
      backgroundLoadPct: backgroundPct,
      browser: browser.version(),
      plan: { ...plan, tokens: answerTokens.length, tokensPerSecond: TOKENS_PER_SECOND, coalesceMs: COALESCE_MS },
      figures: rows,
      pages: { aisle: summary(aislePool), baseline: summary(basePool) },
      runs: runs.map((r) => ({
        target: r.target,
        deltaFrames: r.deltaFrames,
        framesTimed: r.timings.length,
        unmatched: r.unmatched,
        streamMs: r.streamMs,
        chars: r.chars,
        domMs: { p50: pct(r, 'domMs', 50), p95: pct(r, 'domMs', 95), max: pct(r, 'domMs', 100) },
        paintMs: { p50: pct(r, 'paintMs', 50), p95: pct(r, 'paintMs', 95), max: pct(r, 'paintMs', 100) },
        longTasks: r.longTasks,
        mainThreadMs: r.mainThread,
      })),
      profile: profileFile,
    });
    out.push(
      '',
      `JSON: ${path.relative(REPO_ROOT, json)}${profileFile === null ? '' : `; profile: ${path.relative(REPO_ROOT, profileFile)}`}.`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await browser?.close();
    await Promise.all([aisleServer.stop(), relay.stop(), pageServer.close()]);
    await double.close();
  }
}

function pct(run: BrowserRun, key: 'domMs' | 'paintMs', p: number): number {
  return percentile(sortedCopy(run.timings.map((t) => t[key])), p);
}

function summary(p: Pooled): Record<string, unknown> {
  return {
    runs: p.runs,
    framesTimed: p.frames,
    unmatched: p.unmatched,
    domMs: { p50: percentile(p.domMs, 50), p95: percentile(p.domMs, 95), max: percentile(p.domMs, 100) },
    paintMs: { p50: percentile(p.paintMs, 50), p95: percentile(p.paintMs, 95), max: percentile(p.paintMs, 100) },
    longTasks: p.longTasks === null ? null : { count: p.longTasks.length, maxMs: Math.max(0, ...p.longTasks) },
    achievedTokensPerSecond: p.tokensPerSecond,
    mainThreadMs: p.mainThread,
  };
}

/** Writes `reports/<name>-<date>.<ext>` (git-ignored) and returns its path. */
function writeReport(startedAt: Date, name: string, ext: string, value: unknown): string {
  const dir = path.join(REPO_ROOT, 'reports');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
  const file = path.join(dir, `${name}-${stamp}.${ext}`);
  // NaN is not JSON; null says "not measured".
  fs.writeFileSync(
    file,
    `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`,
  );
  return file;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:browser failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
