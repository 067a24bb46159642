import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root: children run from here so `--import tsx` and the workspace packages resolve. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** The real server, booted the production way in its own process so its CPU time can be read. */
export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Synchronous SIGKILL, for when the bench itself is exiting. */
  kill(): void;
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
 * Starts `node --import tsx server/src/index.ts` with a config file in `dataDir` and waits until it
 * answers HTTP. Readiness is polled on `/` (outside `/api`) so it costs nothing against the API rate limit.
 */
export async function startServerProcess(options: {
  ollamaUrl: string;
  dataDir: string;
  chat: { coalesceMs: number; messagesPerMinute: number };
}): Promise<ServerProcess> {
  const port = await freePort();
  const configFile = path.join(options.dataDir, `aisle-bench-${options.chat.coalesceMs}.yaml`);
  // JSON is YAML; the demo catalogue is loaded on first boot so the prefetch search has real work.
  fs.writeFileSync(configFile, JSON.stringify({ chat: options.chat, catalogue: { loadDemoWhenEmpty: true } }, null, 2));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      AISLE_DATA_DIR: options.dataDir,
      AISLE_CONFIG: configFile,
      OLLAMA_HOST: options.ollamaUrl,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 90 s: ${stderr}`);
    }
    const isUp = await fetch(`${url}/`).then(
      (res) => res.ok,
      () => false,
    );
    if (isUp) break;
    await sleep(100);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('server process has no pid');
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
