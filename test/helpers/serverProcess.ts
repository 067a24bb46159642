import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProductRecord } from '@aisle/server/catalogue/productRecord';
import type { AisleConfigInput } from '@aisle/server/config/configSchema';
import { databaseFile, openSqliteDatabase, type SqliteDatabase } from '@aisle/server/db/database';
import { createProductRepository } from '@aisle/server/db/productRepository';
import type { ShopperClientEvents } from '@aisle/shared';
import { io as connect } from 'socket.io-client';
import { FIXTURE_PRODUCTS } from './fixtures';
import type { Shopper, ShopperSocket } from './testServer';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** How a server process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The real server (`server/src/index.ts`) running as a child process, as in production. */
export interface ServerProcess {
  url: string;
  port: number;
  pid: number;
  /** Resolves once the process has exited, however it ended. */
  exited: Promise<ProcessExit>;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<ProcessExit>;
}

/** A port that was free a moment ago: listen on port 0, read the port, close. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Opens the data dir's database with the server's own code (migrations included). */
export function openDataDirDatabase(dataDir: string): Promise<SqliteDatabase> {
  return openSqliteDatabase(databaseFile({ dataDir }));
}

/** Writes a catalogue into the data dir's database before the server starts. */
export async function seedCatalogue(dataDir: string, products: ProductRecord[] = FIXTURE_PRODUCTS): Promise<void> {
  const db = await openDataDirDatabase(dataDir);
  try {
    await createProductRepository(db).upsertMany(products);
  } finally {
    await db.close();
  }
}

/**
 * Starts `node --import tsx server/src/index.ts` with the data dir, Ollama URL and config given, and
 * resolves once it answers HTTP. The config is written as a file named by AISLE_CONFIG (JSON is YAML).
 */
export async function startServerProcess(options: {
  dataDir: string;
  ollamaUrl: string;
  config?: AisleConfigInput;
  port?: number;
  startTimeoutMs?: number;
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const configFile = path.join(options.dataDir, 'aisle.test.yaml');
  fs.writeFileSync(configFile, JSON.stringify(options.config ?? {}, null, 2));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      AISLE_DATA_DIR: options.dataDir,
      AISLE_CONFIG: configFile,
      OLLAMA_HOST: options.ollamaUrl,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server process did not start');

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) throw new Error(`the server process exited during start:\n${output}`);
    try {
      await fetch(`${url}/api/nope`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server process did not answer within the start timeout:\n${output}`);
      }
      await sleep(50);
    }
  }

  return {
    url,
    port,
    pid,
    exited,
    output: () => output,
    async kill(signal) {
      if (!hasExited) process.kill(pid, signal);
      return exited;
    },
  };
}

/** Gets a session cookie over HTTP, as a browser would on its first visit. */
export async function newSessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/api/session`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** A real socket.io client for the shopper with this cookie (a new session when none is given). */
export async function connectShopper(url: string, cookie?: string): Promise<Shopper> {
  const sessionCookie = cookie ?? (await newSessionCookie(url));
  const socket: ShopperSocket = connect(url, {
    transports: ['websocket'],
    extraHeaders: { cookie: sessionCookie },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return {
    cookie: sessionCookie,
    socket,
    request(event: keyof ShopperClientEvents, payload: unknown) {
      return new Promise((resolve) => {
        (socket.emit as (e: string, p: unknown, ack: (r: never) => void) => void)(event, payload, resolve);
      });
    },
    close: () => socket.close(),
  } satisfies Shopper;
}
