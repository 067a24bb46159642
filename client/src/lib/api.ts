import { healthSchema, type AppErrorBody, type Health, type Result } from '@aisle/shared';

/** One conversation in the shopper's history, as `GET /api/session` lists it. */
export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
}

/** What `GET /api/session` returns once the session cookie is set. */
export interface SessionInfo {
  conversations: ConversationSummary[];
}

const SERVER_UNREACHABLE: AppErrorBody = {
  code: 'internal',
  message: "Can't reach the Aisle server.",
  hint: 'Check that it is running, then reload the page.',
};

const BAD_REPLY: AppErrorBody = { code: 'internal', message: 'The server sent a reply the app could not read.' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorBody(value: unknown): value is AppErrorBody {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** Fetches a JSON envelope `{ ok, data | error }` and validates `data` with `parse`. Never throws. */
async function getJson<T>(path: string, parse: (data: unknown) => T | null): Promise<Result<T>> {
  let body: unknown;
  try {
    const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    body = await response.json();
  } catch {
    return { ok: false, error: SERVER_UNREACHABLE };
  }
  if (!isRecord(body)) return { ok: false, error: BAD_REPLY };
  if (body.ok === false && isErrorBody(body.error)) return { ok: false, error: body.error };
  const data = parse(body.data);
  return data === null ? { ok: false, error: BAD_REPLY } : { ok: true, data };
}

function parseSession(data: unknown): SessionInfo | null {
  if (!isRecord(data) || !Array.isArray(data.conversations)) return null;
  const conversations = data.conversations.filter(
    (c): c is ConversationSummary =>
      isRecord(c) && typeof c.id === 'string' && typeof c.title === 'string' && typeof c.updatedAt === 'string',
  );
  return { conversations };
}

/** Starts (or continues) the shopper's session; the server sets the httpOnly cookie if missing. */
export function getSession(): Promise<Result<SessionInfo>> {
  return getJson('/api/session', parseSession);
}

/** Asks the server whether Ollama is reachable and the model is pulled. */
export function getHealth(): Promise<Result<Health>> {
  return getJson('/api/health', (data) => {
    const parsed = healthSchema.safeParse(data);
    return parsed.success ? parsed.data : null;
  });
}
