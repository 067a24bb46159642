import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/** The repository root: children run from here so `--import tsx` and the workspace packages resolve. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** A server under test (Aisle or the baseline relay) in its own process, so its CPU time can be read. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Every process whose CPU counts as the server's (a cluster's nodes); absent: just `pid`. */
  pids?: number[];
  stop(): Promise<void>;
  /** Synchronous SIGKILL, for when the bench itself is exiting. */
  kill(): void;
}

/** Every child the bench started and has not seen exit: killed on exit, on Ctrl-C and on failure. */
const liveChildren = new Set<ChildProcess>();

/** Registers a child so {@link killAllChildren} ends it if the bench stops first. */
export function trackChild(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

/** SIGKILLs every tracked child still running. Synchronous, so it is safe in an `exit` handler. */
export function killAllChildren(): void {
  for (const child of liveChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

/**
 * The file a root `package.json` script runs through tsx (e.g. `catalogue` -> server/src/cli/catalogue.ts),
 * so the bench follows the scripts if a file moves.
 */
export function scriptEntry(script: string): string {
  const pkg = z
    .object({ scripts: z.record(z.string(), z.string()) })
    .parse(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')));
  const entry = /^tsx (\S+\.ts)$/.exec(pkg.scripts[script] ?? '')?.[1];
  if (!entry) throw new Error(`package.json script "${script}" is not "tsx <file>.ts"`);
  return entry;
}

/** `--cpu-prof` flags when AISLE_BENCH_CPU_PROF names a directory (open the files in Chrome DevTools). */
function cpuProfileArgs(): string[] {
  const dir = process.env.AISLE_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(dir)] : [];
}

/**
 * Where a server's stdout goes: with AISLE_BENCH_LOG_DIR=<dir> a file per server there (Aisle then logs
 * at `warn`, so the errors behind a bench's failures can be read), else nowhere.
 */
let serverLogs = 0;
function serverStdout(name: string): 'ignore' | number {
  const dir = process.env.AISLE_BENCH_LOG_DIR;
  if (!dir) return 'ignore';
  fs.mkdirSync(dir, { recursive: true });
  serverLogs += 1;
  return fs.openSync(path.join(path.resolve(dir), `${name.replaceAll(/\W+/g, '-')}-${process.pid}-${serverLogs}.log`), 'a');
}

/**
 * Spawns `node --import tsx <entry>` on a free port and waits until `GET /` answers. Readiness is
 * polled outside `/api` so it costs nothing against Aisle's API rate limit.
 */
async function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  const stdout = serverStdout(name);
  const child = trackChild(
    // AISLE_BENCH_CPU_PROF=<dir>: every server under test writes a V8 CPU profile there when it exits.
    spawn(process.execPath, [...cpuProfileArgs(), '--import', 'tsx', entry], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
      stdio: ['ignore', stdout, 'pipe'],
    }),
  );
  // The child has its own copy of the log file's descriptor.
  if (typeof stdout === 'number') fs.closeSync(stdout);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start within 90 s: ${stderr}`);
    }
    const isUp = await fetch(`${url}/`).then(
      (res) => res.ok,
      () => false,
    );
    if (isUp) break;
    await sleep(100);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} process has no pid`);
  return {
    url,
    pid,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Starts Aisle the production way (`node --import tsx server/src/index.ts`) with a config file in
 * `dataDir`. An empty data dir gets the demo catalogue on first boot, so the prefetch search has real work.
 */
export async function startServerProcess(options: {
  ollamaUrl: string;
  dataDir: string;
  chat: { coalesceMs: number; messagesPerMinute: number };
  /** More environment for the process (a cluster node's DATABASE_URL, REDIS_URL). */
  env?: NodeJS.ProcessEnv;
}): Promise<ServerProcess> {
  const configFile = path.join(options.dataDir, 'aisle-bench.yaml');
  // JSON is YAML. The double serves any number of answers at once and every bench shopper shares one
  // address, so admission is opened wide: the bench measures the cost of serving, as the baseline does
  // (the queue itself is covered by test/integration/admission.test.ts).
  const config = {
    chat: options.chat,
    catalogue: { loadDemoWhenEmpty: true },
    ollama: { maxParallel: 1024 },
    capacity: { maxQueuedPerAddress: 10_000, maxQueuedTotal: 100_000 },
    limits: { sessionsPerAddressPerMinute: 10_000 },
  };
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  return startProcess('server', 'server/src/index.ts', {
    AISLE_DATA_DIR: options.dataDir,
    AISLE_CONFIG: configFile,
    OLLAMA_HOST: options.ollamaUrl,
    LOG_LEVEL: process.env.AISLE_BENCH_LOG_DIR ? 'warn' : 'silent',
    ...options.env,
  });
}

/** Starts the baseline relay (test/bench/baseline/) with the same coalescing as the Aisle it is compared to. */
export async function startBaselineProcess(options: { ollamaUrl: string; coalesceMs: number }): Promise<ServerProcess> {
  return startProcess('baseline relay', 'test/bench/baseline/baselineRelay.ts', {
    OLLAMA_HOST: options.ollamaUrl,
    COALESCE_MS: String(options.coalesceMs),
  });
}

/**
 * Imports a Merchant feed into `<dataDir>/aisle.sqlite` with the project's own CLI (`pnpm catalogue
 * import`), as a shop owner would. Resolves with the number of products that landed.
 */
export async function importCatalogueFile(file: string, dataDir: string, timeoutMs: number): Promise<number> {
  const child = trackChild(
    spawn(process.execPath, ['--import', 'tsx', scriptEntry('catalogue'), 'import', file], {
      cwd: REPO_ROOT,
      env: { ...process.env, AISLE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`catalogue import failed (exit ${code}): ${output}`);
  const count = (pattern: RegExp) => Number((pattern.exec(output)?.[1] ?? '0').replaceAll(',', ''));
  return count(/new products:\s+([\d,]+)/) + count(/updated products:\s+([\d,]+)/);
}

/**
 * Session cookies of one server, created on demand through `GET /api/session` like a browser's first
 * visit. The API allows 300 requests a minute per IP; once it answers 429, later shoppers share the
 * cookies already handed out (a socket's load on the server does not depend on whose session it is).
 */
export class SessionPool {
  readonly cookies: string[] = [];
  rateLimited = 0;
  private isLimited = false;

  constructor(private readonly url: string) {}

  /** `count` cookies; reused round robin beyond the ones the server would hand out. */
  async take(count: number): Promise<string[]> {
    while (this.cookies.length < count && !this.isLimited) {
      const batch = Math.min(25, count - this.cookies.length);
      const results = await Promise.all(Array.from({ length: batch }, () => this.fetchOne()));
      for (const cookie of results) if (cookie) this.cookies.push(cookie);
    }
    if (this.cookies.length === 0) throw new Error('could not get a single session cookie');
    return Array.from({ length: count }, (_, i) => this.cookies[i % this.cookies.length] ?? '');
  }

  /** Cookies in `take(count)` that are shared with another shopper. */
  sharedBeyond(count: number): number {
    return Math.max(0, count - this.cookies.length);
  }

  private async fetchOne(): Promise<string | null> {
    const res = await fetch(`${this.url}/api/session`);
    await res.arrayBuffer();
    if (res.status === 429) {
      this.rateLimited += 1;
      this.isLimited = true;
      return null;
    }
    if (!res.ok) throw new Error(`GET /api/session answered ${res.status}`);
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error('GET /api/session set no cookie');
    return cookie;
  }
}
