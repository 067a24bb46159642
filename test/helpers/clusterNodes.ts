import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AisleConfigInput } from '@aisle/server/config/configSchema';
import { Redis } from 'ioredis';
import { isPostgresReachable, postgresTestDatabase, type PostgresTestDatabase } from './postgres';
import { startServerProcess, type ServerProcess } from './serverProcess';
import { startTestServer, type DeepPartial, type TestServer } from './testServer';

/**
 * Several Aisle nodes sharing one database and one Redis, as behind a load balancer. Each test gets
 * its own Redis key prefix, so tests (and leftovers of killed nodes) never meet.
 */

/** The Redis the multi-node tests use (`AISLE_TEST_REDIS_URL`, else the local default). */
export const TEST_REDIS_URL = process.env.AISLE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The one line printed when the multi-node tests are skipped. */
export const HOW_TO_ENABLE =
  'multi-node tests skipped: no Redis at ' +
  TEST_REDIS_URL +
  ' (AISLE_TEST_REDIS_URL). Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** Whether Redis answers PING at `url` within a second. */
export async function isRedisReachable(url = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * The database the nodes share. PostgreSQL (a fresh schema) when it answers, as a cluster runs in
 * production; otherwise one SQLite file in a shared data dir (WAL lets several processes in).
 */
export type SharedDatabase = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

function databaseConfig(database: SharedDatabase): DeepPartial<AisleConfigInput> {
  if (database.kind === 'sqlite') return {};
  return { database: { url: database.url } };
}

export interface ClusterOptions {
  ollamaUrl: string;
  database?: SharedDatabase;
  /** Laid over every node's config (redis settings are added). */
  config?: DeepPartial<AisleConfigInput>;
}

export interface TestCluster {
  /** The Redis settings every node uses: a fresh key prefix and short heartbeats. */
  redis: { url: string; keyPrefix: string; heartbeatMs: number; nodeTimeoutMs: number };
  dataDir: string;
  /** The database the nodes share (PostgreSQL when it answers). */
  database: SharedDatabase;
  /** Starts an in-process node (`createApp`) on its own port. */
  node(): Promise<TestServer>;
  /** Starts a node as a child process (`server/src/index.ts`), so a test can SIGKILL it. */
  processNode(): Promise<ServerProcess>;
  close(): Promise<void>;
}

/** Short enough that a dead node is noticed in about a second, long enough for a busy test machine. */
const HEARTBEAT_MS = 150;
const NODE_TIMEOUT_MS = 900;

export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  let schema: PostgresTestDatabase | null = null;
  let database = options.database;
  if (database === undefined) {
    schema = (await isPostgresReachable()) ? await postgresTestDatabase() : null;
    database = schema === null ? { kind: 'sqlite' } : { kind: 'postgres', url: schema.url };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-cluster-'));
  const redis = {
    url: TEST_REDIS_URL,
    keyPrefix: `aisle-test:${randomUUID().slice(0, 8)}:`,
    heartbeatMs: HEARTBEAT_MS,
    nodeTimeoutMs: NODE_TIMEOUT_MS,
  };
  const config: DeepPartial<AisleConfigInput> = {
    ...options.config,
    ...databaseConfig(database),
    redis,
  };
  const nodes: TestServer[] = [];
  const processes: ServerProcess[] = [];
  let isFirst = true;

  return {
    redis,
    dataDir,
    database,
    async node() {
      // The first node loads the fixture catalogue; the others find it in the shared database.
      const node = await startTestServer({
        ollamaUrl: options.ollamaUrl,
        dataDir,
        config,
        database: database.kind === 'postgres' ? { url: database.url } : 'sqlite',
        catalogue: isFirst ? 'fixtures' : 'empty',
      });
      isFirst = false;
      nodes.push(node);
      return node;
    },
    async processNode() {
      const child = await startServerProcess({
        dataDir,
        ollamaUrl: options.ollamaUrl,
        // The same settings the in-process nodes get from the test server helper.
        config: {
          ...(config as AisleConfigInput),
          ollama: { busyRetryBaseMs: 20, ...(config.ollama as AisleConfigInput['ollama']) },
          chat: { coalesceMs: 0, disconnectGraceMs: 300, ...(config.chat as AisleConfigInput['chat']) },
          catalogue: { loadDemoWhenEmpty: false },
        },
      });
      processes.push(child);
      return child;
    },
    async close() {
      for (const child of processes) await child.kill('SIGKILL');
      for (const node of nodes.reverse()) await node.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await removeKeys(redis.url, redis.keyPrefix);
      await schema?.cleanup();
    },
  };
}

/** Deletes every key under the test's prefix, so test runs leave nothing in the shared Redis. */
async function removeKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    for (let cursor = '0', first = true; first || cursor !== '0'; first = false) {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    }
  } finally {
    client.disconnect();
  }
}
