/**
 * What the browser bench injects into a page before its own scripts run (`page.addInitScript`), and
 * how it reads the results back.
 *
 * In the page: every WebSocket frame carrying `chat:delta` or `chat:completed` is stamped with
 * `performance.now()` by a listener registered in the socket's constructor (so before Socket.IO's
 * own); it only stores the raw frame, parsing happens after the run so the probe adds next to nothing
 * to the page's work. A `MutationObserver` reads the text under `selector` on every DOM change and
 * notes the highest word marker (`·17·`, see benchAnswer.ts) now in the DOM, and the next animation
 * frame after it (the frame that paints it). A `PerformanceObserver` collects long tasks.
 *
 * The script is a string, not a function: tsx would add its own helpers to a function's source,
 * which do not exist in the page.
 */
import { z } from 'zod';

/** The init script for a page whose streamed text lives under `selector`. */
export function probeScript(selector: string): string {
  return `(() => {
  const selector = ${JSON.stringify(selector)};
  const state = { frames: [], marks: [], paints: [], longTasks: [], completedAt: null };
  window.__browserBench = state;

  const NativeWebSocket = window.WebSocket;
  class ProbedWebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const t = performance.now();
        const data = event.data;
        if (typeof data !== 'string' || !data.startsWith('42')) return;
        if (data.startsWith('42["chat:delta"')) state.frames.push({ t, data });
        else if (data.startsWith('42["chat:completed"')) state.completedAt = t;
      });
    }
  }
  window.WebSocket = ProbedWebSocket;

  // The highest complete marker in the text: the last "·digits·" in document order.
  const lastMark = (text) => {
    let i = text.length;
    while (i > 0) {
      i = text.lastIndexOf('\\u00b7', i - 1);
      if (i <= 0) return -1;
      let j = i - 1;
      while (j >= 0 && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j -= 1;
      if (j < i - 1 && j >= 0 && text.charCodeAt(j) === 0xb7) return Number(text.slice(j + 1, i));
    }
    return -1;
  };

  let shown = -1;
  let isPaintPending = false;
  const observer = new MutationObserver(() => {
    const t = performance.now();
    const root = document.querySelector(selector);
    if (root === null) return;
    const mark = lastMark(root.textContent || '');
    if (mark <= shown) return;
    shown = mark;
    state.marks.push({ t, mark });
    if (isPaintPending) return;
    isPaintPending = true;
    requestAnimationFrame(() => {
      isPaintPending = false;
      state.paints.push({ t: performance.now(), mark: shown });
    });
  });
  const start = () => observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  if (document.documentElement) start();
  else document.addEventListener('readystatechange', start, { once: true });

  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    state.longTasks = null;
  }
})();`;
}

const stampSchema = z.object({ t: z.number(), mark: z.number() });

/** What the probe collected in one page, as read back with `page.evaluate`. */
export const probeResultSchema = z.object({
  frames: z.array(z.object({ t: z.number(), data: z.string() })),
  marks: z.array(stampSchema),
  paints: z.array(stampSchema),
  longTasks: z.array(z.object({ start: z.number(), duration: z.number() })).nullable(),
  completedAt: z.number().nullable(),
});
export type ProbeResult = z.infer<typeof probeResultSchema>;

const deltaFrameSchema = z.tuple([z.literal('chat:delta'), z.object({ offset: z.number(), text: z.string() })]);

/** One delta frame and how long its newest word took to reach the DOM and the screen. */
export interface FrameTiming {
  receivedAt: number;
  mark: number;
  domMs: number;
  paintMs: number;
}

/** Markers fully inside `text`, with the offset just after each one. */
function markerEnds(text: string): Array<{ mark: number; end: number }> {
  return Array.from(text.matchAll(/·(\d+)·/g), (m) => ({ mark: Number(m[1]), end: m.index + m[0].length }));
}

/** When the page first showed `mark` or a later one (stamps are in time order). */
function firstShowing(stamps: ProbeResult['marks'], mark: number): number | null {
  for (const stamp of stamps) if (stamp.mark >= mark) return stamp.t;
  return null;
}

/**
 * Frame-to-screen timings: for every delta frame that brings a new marker, the time from the frame's
 * arrival to the first DOM change (and the first painted frame) showing that marker. Frames that only
 * carry Markdown syntax or link targets bring no new marker and are not counted.
 */
export function frameTimings(result: ProbeResult): { timings: FrameTiming[]; unmatched: number; text: string } {
  let text = '';
  const frames: Array<{ t: number; end: number }> = [];
  for (const frame of result.frames) {
    const [, delta] = deltaFrameSchema.parse(JSON.parse(frame.data.slice(2)));
    if (delta.offset <= text.length) text = text.slice(0, delta.offset) + delta.text;
    frames.push({ t: frame.t, end: delta.offset + delta.text.length });
  }
  const ends = markerEnds(text);
  const timings: FrameTiming[] = [];
  let unmatched = 0;
  let previous = -1;
  let cursor = 0;
  for (const frame of frames) {
    while (cursor < ends.length && (ends[cursor]?.end ?? Infinity) <= frame.end) cursor += 1;
    const mark = cursor > 0 ? (ends[cursor - 1]?.mark ?? -1) : -1;
    if (mark <= previous) continue;
    previous = mark;
    const dom = firstShowing(result.marks, mark);
    const paint = firstShowing(result.paints, mark);
    if (dom === null || paint === null) {
      unmatched += 1;
      continue;
    }
    timings.push({ receivedAt: frame.t, mark, domMs: Math.max(0, dom - frame.t), paintMs: Math.max(0, paint - frame.t) });
  }
  return { timings, unmatched, text };
}
