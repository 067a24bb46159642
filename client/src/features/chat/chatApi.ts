import {
  healthReplySchema,
  sessionInfoSchema,
  sessionTokenSchema,
  type HealthReply,
  type Result,
  type SessionInfo,
} from '@aisle/shared';
import { createApiClient } from '../../lib/api';
import { readItem, writeItem } from './frameStorage';

const request = createApiClient({ reader: 'the app', unreachableHint: 'Check that it is running, then reload the page.' });

const TOKEN_KEY = 'aisle.sessionToken';

/**
 * Whether the session is a token the page keeps (the embedded widget) rather than the httpOnly cookie.
 * Inside a shop's page the widget's frame is third-party and browsers block its cookies, so it keeps a
 * token (`frameStorage`: per shop) and sends it as `Authorization: Bearer` and in the socket handshake.
 */
let isTokenSession = false;

/** Used when every storage is refused, so the page at least keeps one session while it is open. */
let memoryToken: string | null = null;

/** Switches this page to a session by token (call before the chat connects); the widget's panel does. */
export function enableTokenSession(): void {
  isTokenSession = true;
}

/** The session token the socket handshake carries, or null for a cookie session (or none yet). */
export function sessionToken(): string | null {
  return isTokenSession ? (readItem(TOKEN_KEY) ?? memoryToken) : null;
}

function saveToken(token: string | null): void {
  memoryToken = token;
  writeItem(TOKEN_KEY, token);
}

/** Requests of a token session: the token rides in the Authorization header (no cookie in a third-party frame). */
const withToken = (token: string) =>
  createApiClient({
    reader: 'the app',
    unreachableHint: 'Check your connection, then reload the page.',
    fetch: (input, init) => globalThis.fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
  });

async function getTokenSession(): Promise<Result<SessionInfo>> {
  const stored = sessionToken();
  if (stored !== null) {
    const session = await withToken(stored)('/api/session', { schema: sessionInfoSchema });
    // An expired or unknown token: start a new session; anything else (offline) is retried as it is.
    if (session.ok || session.error.code !== 'unauthorized') return session;
    saveToken(null);
  }
  const issued = await request('/api/session/token', { method: 'POST', schema: sessionTokenSchema });
  if (!issued.ok) return issued;
  saveToken(issued.data.token);
  return withToken(issued.data.token)('/api/session', { schema: sessionInfoSchema });
}

/** Starts (or continues) the shopper's session; the server sets the httpOnly cookie if missing. */
export function getSession(): Promise<Result<SessionInfo>> {
  if (isTokenSession) return getTokenSession();
  return request('/api/session', { schema: sessionInfoSchema });
}

/** Asks the server whether Ollama is reachable and the model is pulled. */
export function getHealth(): Promise<Result<HealthReply>> {
  return request('/api/health', { schema: healthReplySchema });
}
