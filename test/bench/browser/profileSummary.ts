/**
 * Reads a V8 CPU profile (what CDP `Profiler.stop` returns, the `.cpuprofile` format) and lists the
 * functions with the most self time, so `pnpm bench:browser --profile` says where a page's time went
 * without opening DevTools.
 */
import { z } from 'zod';
import { table } from '../measure';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** The `count` functions with the most self time, as an aligned table (ms and share of all samples). */
export function topFunctions(profile: unknown, count: number): string {
  const parsed = profileSchema.parse(profile);
  const frameOf = new Map(parsed.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  // timeDeltas[i] is the time before sample i; it is charged to the sample, as DevTools does.
  for (const [i, nodeId] of parsed.samples.entries()) {
    const delta = parsed.timeDeltas[i] ?? 0;
    const frame = frameOf.get(nodeId);
    if (frame === undefined) continue;
    const file =
      frame.url === ''
        ? ''
        : ` ${frame.url.slice(frame.url.lastIndexOf('/') + 1)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${file}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
    totalUs += delta;
  }
  const top = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  return table(
    ['function', 'self ms', 'share'],
    top.map(([name, us]) => [name, (us / 1000).toFixed(1), `${((us / Math.max(1, totalUs)) * 100).toFixed(1)} %`]),
  );
}
