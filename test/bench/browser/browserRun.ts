/**
 * One measured run of the browser bench: a fresh browser context (a new shopper) opens a page, asks
 * the question, waits for the whole answer and reads back what the page probe recorded.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { z } from 'zod';
import { frameTimings, probeResultSchema, probeScript, type FrameTiming } from './pageProbe';

/** Long enough for a 2,000-token answer at a tenth of the planned rate. */
const ANSWER_TIMEOUT_MS = 120_000;
/** After the answer: time for the final render (cards, feedback) to land and its long tasks to be reported. */
const SETTLE_MS = 1_000;

/** A page under test and how to drive it. */
export interface BrowserTarget {
  key: string;
  label: string;
  /** Where the streamed text is in the DOM (the probe reads markers under it). */
  selector: string;
  /** Opens the page and resolves when a question can be sent. */
  open(page: Page): Promise<void>;
  /** Sends the question the way this page does it. */
  ask(page: Page, question: string): Promise<void>;
  /** Resolves when the page has finished with the answer (beyond the `chat:completed` frame). */
  waitForEnd(page: Page): Promise<void>;
}

/** What one run measured. */
export interface BrowserRun {
  target: string;
  timings: FrameTiming[];
  /** Frames bringing a new word that never showed up in the DOM (should be 0). */
  unmatched: number;
  deltaFrames: number;
  /**
   * Long tasks from the question to the end of the settle time after the answer, `start` in ms from
   * the first delta frame (negative: before the first word came); null when the browser has no
   * long-task timing.
   */
  longTasks: Array<{ start: number; duration: number }> | null;
  /** First delta frame to the `chat:completed` frame, in ms. */
  streamMs: number;
  /** Characters of answer text received. */
  chars: number;
  /** Renderer main-thread time from the question to the end of the settle time (CDP Performance metrics). */
  mainThread: MainThread;
}

/** Main-thread time by kind, in ms. */
export interface MainThread {
  /** All tasks (script, style, layout, paint...). */
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
}

const metricsSchema = z.object({ metrics: z.array(z.object({ name: z.string(), value: z.number() })) });

/** The renderer's cumulative main-thread durations so far (CDP reports seconds). */
async function mainThreadMs(cdp: CDPSession): Promise<MainThread> {
  const { metrics } = metricsSchema.parse(await cdp.send('Performance.getMetrics'));
  const ms = (name: string) => (metrics.find((m) => m.name === name)?.value ?? Number.NaN) * 1000;
  return {
    taskMs: ms('TaskDuration'),
    scriptMs: ms('ScriptDuration'),
    layoutMs: ms('LayoutDuration'),
    styleMs: ms('RecalcStyleDuration'),
  };
}

/** Runs `target` once in a new context; with `profile`, returns a CPU profile of the page too. */
export async function runInBrowser(
  browser: Browser,
  target: BrowserTarget,
  question: string,
  options: { profile?: boolean } = {},
): Promise<{ run: BrowserRun; profile: unknown }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript({ content: probeScript(target.selector) });
    await target.open(page);
    const metrics = await context.newCDPSession(page);
    await metrics.send('Performance.enable');
    let cdp: CDPSession | null = null;
    if (options.profile === true) {
      cdp = metrics;
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    // Page load is not what is measured: let it settle, then count from the question on.
    await page.waitForTimeout(SETTLE_MS);
    const askedAt = await page.evaluate(() => performance.now());
    const before = await mainThreadMs(metrics);
    await target.ask(page, question);
    // Polled on a timer, not per animation frame, so the wait adds no work to the frames measured.
    // Functions, not strings: Aisle's CSP forbids evaluating strings.
    await page.waitForFunction(
      () => Reflect.get(Reflect.get(window, '__browserBench') ?? {}, 'completedAt') !== null,
      undefined,
      {
        timeout: ANSWER_TIMEOUT_MS,
        polling: 250,
      },
    );
    await target.waitForEnd(page);
    await page.waitForTimeout(SETTLE_MS);
    const after = await mainThreadMs(metrics);
    const profile = cdp === null ? null : (await cdp.send('Profiler.stop')).profile;
    const result = probeResultSchema.parse(await page.evaluate((): unknown => Reflect.get(window, '__browserBench')));
    const { timings, unmatched, text } = frameTimings(result);
    const firstFrame = result.frames[0]?.t ?? Number.NaN;
    return {
      run: {
        target: target.key,
        timings,
        unmatched,
        deltaFrames: result.frames.length,
        longTasks:
          result.longTasks
            ?.filter((task) => task.start >= askedAt)
            .map((task) => ({ start: task.start - firstFrame, duration: task.duration })) ?? null,
        streamMs: (result.completedAt ?? Number.NaN) - firstFrame,
        chars: text.length,
        mainThread: {
          taskMs: after.taskMs - before.taskMs,
          scriptMs: after.scriptMs - before.scriptMs,
          layoutMs: after.layoutMs - before.layoutMs,
          styleMs: after.styleMs - before.styleMs,
        },
      },
      profile,
    };
  } finally {
    await context.close();
  }
}
