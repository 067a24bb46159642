/**
 * An Aisle cluster for `pnpm bench:cluster`: N nodes (`server/src/index.ts`, each its own process)
 * behind the round-robin proxy, sharing one store. Nodes get DATABASE_URL and REDIS_URL when PostgreSQL
 * and Redis answer, and use them once this checkout's config knows `database` / `redis`; until then they share one
 * SQLite file in one data dir (WAL lets several processes read and write it) and each node's Socket.IO
 * rooms stay its own. The report prints which it was, per cluster.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { configSchema } from '@aisle/server/config/configSchema';
import { ask } from '../benchProtocol';
import { closeChild, forkChild } from '../benchRunner';
import { startServerProcess, type ServerProcess } from '../serverProcess';
import { proxyReplySchema } from './proxyProcess';

/** Where each cluster keeps its state, as the report prints it. */
export interface StoreChoice {
  /** PostgreSQL URL the nodes get as DATABASE_URL, or null (one SQLite file). */
  databaseUrl: string | null;
  /** Redis URL the nodes get as REDIS_URL, or null (no shared adapter). */
  redisUrl: string | null;
  store: string;
  adapter: string;
}

/** Whether a TCP connection to the URL's host and port opens within `timeoutMs`. */
async function isReachable(url: string, defaultPort: number, timeoutMs = 1000): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '');
    port = Number(parsed.port || defaultPort);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (isOpen: boolean) => {
      socket.destroy();
      resolve(isOpen);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The URL with its last path segment (database name / Redis db number) replaced. */
function withPath(url: string, segment: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${segment}`;
  return parsed.toString();
}

/**
 * Drops and creates the bench's own database with `psql` (against the server's `postgres` database),
 * so each run starts empty. Never touches a database the bench did not name.
 */
function recreateDatabase(url: string): string | null {
  const name = new URL(url).pathname.slice(1);
  if (!/^aisle_bench_[a-z0-9_]+$/.test(name)) return `refusing to recreate "${name}": not a bench database`;
  const run = spawnSync(
    'psql',
    [
      withPath(url, 'postgres'),
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `DROP DATABASE IF EXISTS ${name}`,
      '-c',
      `CREATE DATABASE ${name}`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (run.error) return `psql: ${run.error.message}`;
  return run.status === 0 ? null : `psql: ${run.stderr.trim().split('\n')[0] ?? `exit ${run.status}`}`;
}

/** Drops a database {@link recreateDatabase} made, at the end of the bench; a failure only leaves it behind. */
export function dropBenchDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!/^aisle_bench_[a-z0-9_]+$/.test(name)) return;
  spawnSync('psql', [withPath(url, 'postgres'), '-c', `DROP DATABASE IF EXISTS ${name}`], { stdio: 'ignore', timeout: 30_000 });
}

/** Empties the Redis database the URL names (its number), so no stream or key of an earlier run is read. */
function flushRedis(url: string): string | null {
  const run = spawnSync('redis-cli', ['-u', url, 'FLUSHDB'], { encoding: 'utf8', timeout: 10_000 });
  if (run.error) return `redis-cli: ${run.error.message}`;
  return run.status === 0 && run.stdout.trim() === 'OK' ? null : `redis-cli: ${run.stdout.trim() || run.stderr.trim()}`;
}

/**
 * Chooses the stores for one cluster (`slot` keeps two clusters of the same run apart: its own
 * database `aisle_bench_<slot>`, Redis database number `redisDb`). A reachable server is always handed
 * to the nodes; whether they use it depends on this checkout's config knowing `database` / `redis`,
 * which `store` and `adapter` say, with the reason when it is SQLite or per-node rooms.
 */
export async function chooseStores(options: {
  databaseUrl: string;
  redisUrl: string;
  slot: string;
  redisDb: number;
}): Promise<StoreChoice> {
  const shape: Record<string, unknown> = configSchema.shape;
  const sqlite = 'SQLite, one file shared by every node (WAL)';

  let databaseUrl: string | null = null;
  let store: string;
  if (!(await isReachable(options.databaseUrl, 5432))) store = `${sqlite}; PostgreSQL not reachable`;
  else {
    const url = withPath(options.databaseUrl, `aisle_bench_${options.slot}`);
    const problem = recreateDatabase(url);
    if (problem) store = `${sqlite}; ${problem}`;
    else {
      databaseUrl = url;
      store =
        'database' in shape
          ? `PostgreSQL (DATABASE_URL, database ${new URL(url).pathname.slice(1)})`
          : `${sqlite}; DATABASE_URL given, ignored: this checkout's config has no database.url yet`;
    }
  }

  let redisUrl: string | null = null;
  const perNode = 'none: Socket.IO rooms, limits and the answer line per node';
  let adapter: string;
  if (!(await isReachable(options.redisUrl, 6379))) adapter = `${perNode}; Redis not reachable`;
  else {
    const url = withPath(options.redisUrl, String(options.redisDb));
    const problem = flushRedis(url);
    if (problem) adapter = `${perNode}; ${problem}`;
    else {
      redisUrl = url;
      adapter =
        'redis' in shape
          ? `Redis streams adapter (REDIS_URL, db ${options.redisDb})`
          : `${perNode}; REDIS_URL given, ignored: this checkout's config has no redis.url yet`;
    }
  }
  return { databaseUrl, redisUrl, store, adapter };
}

/** Whether the nodes keep their data in the data dir's SQLite file (no `database` in this checkout's config). */
function usesSqlite(stores: StoreChoice): boolean {
  return stores.databaseUrl === null || !('database' in configSchema.shape);
}

/** Servers behind one proxy, as the bench drives them: `server.url` is the proxy's, `server.pids` the servers'. */
export interface Proxied {
  server: ServerProcess;
  /** How many servers are behind the proxy. */
  nodes: number;
  proxyPid: number;
  /** Connections the proxy handed to each server so far. */
  connections(): Promise<number[]>;
}

/** Puts the round-robin proxy (its own process) in front of already running servers. */
export async function behindProxy(servers: ServerProcess[]): Promise<Proxied> {
  const first = servers[0];
  if (!first) throw new Error('nothing to put behind the proxy');
  const proxy = forkChild(
    'cluster/proxyProcess.ts',
    servers.map((s) => new URL(s.url).host),
  );
  const { url } = await ask(proxy, proxyReplySchema, null, 'ready', 30_000);
  const proxyPid = proxy.pid;
  if (proxyPid === undefined) throw new Error('the proxy process has no pid');
  return {
    nodes: servers.length,
    proxyPid,
    server: {
      url,
      pid: first.pid,
      pids: servers.map((s) => s.pid),
      async stop() {
        await closeChild(proxy);
        await Promise.all(servers.map((s) => s.stop()));
      },
      kill() {
        proxy.kill('SIGKILL');
        for (const s of servers) s.kill();
      },
    },
    async connections() {
      const reply = ask(proxy, proxyReplySchema, null, 'stats', 5_000);
      proxy.send({ type: 'stats' });
      return (await reply).connections;
    },
  };
}

/**
 * Starts `nodes` Aisle processes on one data dir (the first alone, so it migrates and loads the demo
 * catalogue before the others open the file) and the proxy in front of them.
 */
export async function startCluster(options: {
  nodes: number;
  ollamaUrl: string;
  dataDir: string;
  chat: { coalesceMs: number; messagesPerMinute: number };
  stores: StoreChoice;
}): Promise<Proxied> {
  const env: NodeJS.ProcessEnv = {
    ...(options.stores.databaseUrl ? { DATABASE_URL: options.stores.databaseUrl } : {}),
    ...(options.stores.redisUrl ? { REDIS_URL: options.stores.redisUrl } : {}),
  };
  const start = () => startServerProcess({ ollamaUrl: options.ollamaUrl, dataDir: options.dataDir, chat: options.chat, env });
  const first = await start();
  const rest = await Promise.all(Array.from({ length: options.nodes - 1 }, start));
  if (usesSqlite(options.stores) && !fs.existsSync(path.join(options.dataDir, 'aisle.sqlite')))
    throw new Error(`no aisle.sqlite in ${options.dataDir}: the nodes did not use the shared SQLite file`);
  return behindProxy([first, ...rest]);
}
