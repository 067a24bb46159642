import type { Agent, AgentClientEvents, AgentRole, AgentServerEvents, Result } from '@aisle/shared';
import { io as connect, type Socket } from 'socket.io-client';
import type { TestServer } from './testServer';

export type AgentSocket = Socket<AgentServerEvents, AgentClientEvents>;
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; hint?: string } };

/** The password every test account gets unless a test picks another. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** Creates an account straight through the server's auth service (as the CLI does). */
export async function createAgentAccount(
  server: TestServer,
  input: { email: string; role?: AgentRole; name?: string; password?: string },
): Promise<{ id: string; email: string; password: string; name: string }> {
  const password = input.password ?? TEST_PASSWORD;
  const name = input.name ?? input.email.split('@')[0] ?? 'Agent';
  const row = await server.app.agentConsole.auth.createAccount({
    email: input.email,
    name,
    role: input.role ?? 'agent',
    password,
  });
  return { id: row.id, email: row.email, password, name };
}

/** A JSON request to the server; resolves with the status, the parsed envelope and the headers. */
export async function api<T>(
  server: TestServer,
  method: string,
  path: string,
  options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Envelope<T>; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Envelope<T>, headers: res.headers };
}

/** The `name=value` part of the agent session cookie a response set, or null. */
export function agentCookieFrom(headers: Headers): string | null {
  const cookie = headers.getSetCookie().find((c) => /^(__Host-)?aisle_agent=[^;]+/.test(c));
  return cookie ? (cookie.split(';')[0] ?? null) : null;
}

/** Signs in over HTTP; `cookie` is the new session cookie when it worked. */
export async function login(
  server: TestServer,
  email: string,
  password: string,
  options: { cookie?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Envelope<Agent>; headers: Headers; cookie: string | null }> {
  const res = await api<Agent>(server, 'POST', '/api/agent/login', { body: { email, password }, ...options });
  return { ...res, cookie: agentCookieFrom(res.headers) };
}

/** Signs in and returns the cookie, failing the test when sign-in does not work. */
export async function signIn(server: TestServer, account: { email: string; password: string }): Promise<string> {
  const res = await login(server, account.email, account.password);
  if (res.status !== 200 || !res.cookie) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.cookie;
}

/** Opens an `/agent` socket with the given headers; resolves once connected, rejects with the connect_error. */
export async function connectAgent(server: TestServer, headers: Record<string, string>): Promise<AgentSocket> {
  const socket: AgentSocket = connect(`${server.url}/agent`, {
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return socket;
}

/** Tries to open an `/agent` socket: 'connected', or the connect_error message. */
export async function tryConnectAgent(server: TestServer, headers: Record<string, string>): Promise<string> {
  try {
    const socket = await connectAgent(server, headers);
    socket.close();
    return 'connected';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

type AckData<E extends keyof AgentClientEvents> = Parameters<AgentClientEvents[E]>[1] extends (r: Result<infer T>) => void
  ? T
  : never;

/** Emits an agent event and resolves with its acknowledgement. */
export function agentRequest<E extends keyof AgentClientEvents>(
  socket: AgentSocket,
  event: E,
  payload: unknown,
): Promise<Result<AckData<E>>> {
  return new Promise((resolve) => {
    (socket.emit as (e: string, p: unknown, ack: (r: never) => void) => void)(event, payload, resolve);
  });
}

/** Resolves with the first agent event of that name matching the predicate. */
export function nextAgentEvent<E extends keyof AgentServerEvents>(
  socket: AgentSocket,
  event: E,
  predicate: (arg: Parameters<AgentServerEvents[E]>[0]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Parameters<AgentServerEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (arg: Parameters<AgentServerEvents[E]>[0]) => {
      if (!predicate(arg)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(arg);
    };
    socket.on(event, listener as never);
  });
}

/** Resolves once the socket is disconnected, with the reason. */
export function disconnected(socket: AgentSocket, timeoutMs = 10_000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for disconnect')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
