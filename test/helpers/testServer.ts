import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App, type AppDeps } from '@aisle/server';
import { configVersion, parseConfig, type LoadedConfig } from '@aisle/server/config/loadConfig';
import type { AisleConfigInput } from '@aisle/server/config/configSchema';
import type { Result, ShopperClientEvents, ShopperServerEvents } from '@aisle/shared';
import { pino } from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import { FIXTURE_PRODUCTS } from './fixtures';
import {
  POSTGRES_SKIP_LINE,
  isPostgresReachable,
  postgresTestDatabase,
  postgresTestDatabaseFor,
  type PostgresTestDatabase,
} from './postgres';

export type ShopperSocket = Socket<ShopperServerEvents, ShopperClientEvents>;

export interface TestServer {
  app: App;
  url: string;
  dataDir: string;
  /** The config the server started with (see `reconfigure`). */
  config: LoadedConfig;
  /**
   * A hot reload, as the config store does it: the start config with `changes` laid over it becomes
   * the config in force, and the app is told it changed. Returns the new config.
   */
  reconfigure(changes: DeepPartial<AisleConfigInput>): LoadedConfig;
  /** A new browser-like shopper: gets its session cookie over HTTP, then connects a real socket. */
  shopper(options?: { origin?: string }): Promise<Shopper>;
  close(): Promise<void>;
}

export interface Shopper {
  cookie: string;
  socket: ShopperSocket;
  /** Emits an event and resolves with its acknowledgement. */
  request<E extends keyof ShopperClientEvents>(event: E, payload: unknown): Promise<Result<AckData<E>>>;
  close(): void;
}

type AckData<E extends keyof ShopperClientEvents> = Parameters<ShopperClientEvents[E]>[1] extends (r: Result<infer T>) => void
  ? T
  : never;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `over` laid over `base` key by key (arrays are replaced whole). */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** The engine this test file's servers use when a test does not say (see {@link useDatabaseForThisFile}). */
let fileDatabase: 'sqlite' | 'postgres' | null = null;

/**
 * Runs this file's servers on `database` (each test file has its own copy of this module): the
 * files in `test/integration/postgres/` run a few whole SQLite suites again on PostgreSQL this way.
 */
export function useDatabaseForThisFile(database: 'sqlite' | 'postgres'): void {
  fileDatabase = database;
}

/**
 * The engine integration tests run on: `AISLE_TEST_DATABASE=postgres` runs them on PostgreSQL (a
 * fresh schema per server), anything else on SQLite.
 */
export function testDatabase(): 'sqlite' | 'postgres' {
  return fileDatabase ?? (process.env.AISLE_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite');
}

/**
 * The `DATABASE_URL` a CLI process needs to reach the shop of a server started on `dataDir` (the
 * same schema), or null on SQLite, where the data dir says it all.
 */
export async function testDatabaseUrl(dataDir: string): Promise<string | null> {
  return testDatabase() === 'postgres' ? (await postgresTestDatabaseFor(dataDir)).url : null;
}

/**
 * Boots the real server on port 0 with a temp data dir, a real database (SQLite, or PostgreSQL: see
 * {@link testDatabase}), the given Ollama (usually the double) and a small fixture catalogue (or the
 * demo catalogue).
 */
export async function startTestServer(options: {
  ollamaUrl: string;
  config?: DeepPartial<AisleConfigInput>;
  catalogue?: 'fixtures' | 'demo' | 'empty';
  clientDist?: string | null;
  dataDir?: string;
  /** Time for agent login locks and session expiry (e.g. a clock the test moves on); default the real one. */
  clock?: { now(): number };
  /** Random source for the experiment split; pass a seeded one for a deterministic split. */
  random?: () => number;
  /** Timers for the catalogue feed scheduler (a test moves them on by hand); default the real ones. */
  catalogueTimers?: AppDeps['catalogueTimers'];
  /**
   * The engine (default {@link testDatabase}), or a PostgreSQL URL to share (servers of one shop);
   * PostgreSQL gets a fresh schema, dropped at close.
   */
  database?: 'sqlite' | 'postgres' | { url: string };
}): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-test-'));
  const overrides = options.config ?? {};
  const choice = options.database ?? testDatabase();
  let schema: PostgresTestDatabase | null = null;
  if (choice === 'postgres') {
    if (!(await isPostgresReachable())) throw new Error(POSTGRES_SKIP_LINE);
    // A server restarted on a data dir the test kept finds the same shop, as it would on SQLite.
    schema = options.dataDir ? await postgresTestDatabaseFor(options.dataDir) : await postgresTestDatabase();
  }
  const databaseUrl = typeof choice === 'object' ? choice.url : (schema?.url ?? null);
  const raw = {
    ...overrides,
    dataDir,
    database: { url: databaseUrl },
    server: { port: 0, ...(overrides.server ?? {}) },
    ollama: { busyRetryBaseMs: 20, ...(overrides.ollama ?? {}), host: options.ollamaUrl },
    chat: { coalesceMs: 0, disconnectGraceMs: 300, ...(overrides.chat ?? {}) },
    catalogue: { ...(overrides.catalogue ?? {}), loadDemoWhenEmpty: options.catalogue === 'demo' },
    log: { level: 'silent' },
  };
  const config = parseConfig(raw, {}, 'test');
  const loaded: LoadedConfig = { config, version: configVersion(config), file: null, dataDir };
  let current = loaded;
  const configListeners = new Set<() => void>();
  const app = await createApp({
    config: () => current,
    onConfigChange: (listener) => {
      configListeners.add(listener);
      return () => configListeners.delete(listener);
    },
    logger: pino({ level: 'silent' }),
    clientDist: options.clientDist ?? null,
    clock: options.clock,
    random: options.random,
    ...(options.catalogueTimers ? { catalogueTimers: options.catalogueTimers } : {}),
  });
  if ((options.catalogue ?? 'fixtures') === 'fixtures') await app.products.upsertMany(FIXTURE_PRODUCTS);
  const url = await app.listen(0, '127.0.0.1');
  const shoppers: Shopper[] = [];

  return {
    app,
    url,
    dataDir,
    config: loaded,
    reconfigure(changes) {
      const next = parseConfig(deepMerge(raw, changes), {}, 'test');
      current = { config: next, version: configVersion(next), file: null, dataDir };
      for (const listener of configListeners) listener();
      return current;
    },
    async shopper(opts = {}) {
      const res = await fetch(`${url}/api/session`);
      const setCookie = res.headers.get('set-cookie') ?? '';
      const cookie = setCookie.split(';')[0] ?? '';
      const socket: ShopperSocket = connect(url, {
        transports: ['websocket'],
        extraHeaders: { cookie, ...(opts.origin ? { origin: opts.origin } : {}) },
        reconnection: false,
        forceNew: true,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      const shopper: Shopper = {
        cookie,
        socket,
        request(event, payload) {
          return new Promise((resolve) => {
            (socket.emit as (e: string, p: unknown, ack: (r: never) => void) => void)(event, payload, resolve);
          });
        },
        close: () => socket.close(),
      };
      shoppers.push(shopper);
      return shopper;
    },
    async close() {
      for (const s of shoppers) s.close();
      await app.close();
      if (!options.dataDir) await schema?.cleanup();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first event of that name matching the predicate. */
export function nextEvent<E extends keyof ShopperServerEvents>(
  socket: ShopperSocket,
  event: E,
  predicate: (...args: Parameters<ShopperServerEvents[E]>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Parameters<ShopperServerEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (...args: Parameters<ShopperServerEvents[E]>) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args[0]);
    };
    socket.on(event, listener as never);
  });
}

/** Collects the text of every delta for one message, in arrival order. */
export function collectDeltas(socket: ShopperSocket): {
  text: (messageId: string) => string;
  events: (messageId: string) => Array<{ offset: number; text: string }>;
} {
  const events: Array<{ messageId: string; offset: number; text: string }> = [];
  socket.on('chat:delta', (d) => events.push(d));
  return {
    text: (id) =>
      events
        .filter((e) => e.messageId === id)
        .map((e) => e.text)
        .join(''),
    events: (id) => events.filter((e) => e.messageId === id),
  };
}
