import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Nearest-rank percentile of an ascending array (`p` in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Ascending copy, as a typed array so 100k samples sort numerically and fast. */
export function sortedCopy(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Ticks per second of utime/stime in /proc/<pid>/stat: USER_HZ, 100 on every mainstream Linux build. */
const USER_HZ = 100;

/** How CPU time is read: per-thread schedstat in ns when the kernel has it, else stat ticks (10 ms). */
export const cpuClockSource = fs.existsSync('/proc/self/schedstat')
  ? 'sum of /proc/<pid>/task/*/schedstat (ns)'
  : '/proc/<pid>/stat utime+stime (10 ms ticks)';

/**
 * CPU time (user + system) a process has used so far, in ns, all threads included (V8 helpers, libuv
 * pool). Reads schedstat per thread for ns resolution; falls back to the tick counts of /proc/<pid>/stat.
 */
export function processCpuNs(pid: number): number {
  if (cpuClockSource.startsWith('sum')) {
    let total = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between readdir and read; its time is gone from the process either way.
      }
    }
    return total;
  }
  // Fields after the command name (which may contain spaces): utime and stime are the 14th and 15th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e9) / USER_HZ;
}

/**
 * CPU time the whole machine has spent busy (all cores, every process, kernel included), in ns, from
 * the first line of /proc/stat. Compared with our own processes' time it shows what else was running.
 */
export function machineBusyNs(): number {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is work.
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1e9) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

/** Share of all cores (0-100 %) the machine spends busy over the next `ms`, whoever is working. */
export async function sampleMachineLoad(ms: number): Promise<number> {
  const before = machineBusyNs();
  await sleep(ms);
  return ((machineBusyNs() - before) / (ms * 1e6) / os.availableParallelism()) * 100;
}

/** One line describing the machine, for the top of the report. */
export function machineSummary(): string {
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: os.cpus() is good enough.
  }
  const memGb = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${model}, ${os.availableParallelism()} cores, ${memGb} GB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

/** Formats rows as an aligned plain-text table; numbers are right-aligned. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[], isHeader: boolean) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? cell.length;
        const isNumeric = !isHeader && /^[-+]?[\d.,]+(?:\s?[%a-zµ/]*)?$/.test(cell);
        return isNumeric ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map((row) => line(row, false))].join('\n');
}

/** A number with fixed decimals, or "n/a" when it is not finite. */
export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
