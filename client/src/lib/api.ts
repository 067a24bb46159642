import { ERROR_CODES, replyEnvelopeSchema, type AppErrorBody, type ReplyError, type Result } from '@aisle/shared';

/**
 * The part of a zod schema the helper needs. The client reaches zod only through `@aisle/shared`,
 * so it names the shape rather than importing zod's types.
 */
export interface ReplySchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** One HTTP call: the method, an optional JSON body and the shared schema its reply's `data` must pass. */
export interface ApiRequest<T> {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  schema: ReplySchema<T>;
}

/** Sends one request and reads its reply. Never throws: every failure is an `{ ok: false }` result. */
export type ApiRequester = <T>(path: string, request: ApiRequest<T>) => Promise<Result<T>>;

/** How one part of the app talks to the server. */
export interface ApiClientOptions {
  /** Who could not read a bad reply, for its message: "the app", "the console". */
  reader: string;
  /** What to do when the server cannot be reached; differs between the shop and the console. */
  unreachableHint: string;
  /** Called with every error reply and its HTTP status (the console watches for 401 to go back to sign-in). */
  onRefused?: (error: AppErrorBody, status: number) => void;
  /** Prefix for paths; empty in the browser (same origin), a local server's address in tests. */
  baseUrl?: string;
  /** The fetch to use; tests pass one bound to a local server. */
  fetch?: typeof globalThis.fetch;
}

// A proxy in front of the server answers these with its own HTML page when the server is down.
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** A code this client does not know yet is shown as a general failure, with the server's message. */
function toErrorBody({ code, message, hint }: ReplyError): AppErrorBody {
  const knownCode = ERROR_CODES.find((known) => known === code) ?? 'internal';
  return hint === undefined ? { code: knownCode, message } : { code: knownCode, message, hint };
}

/**
 * Creates the one fetch helper every HTTP call goes through: it sends JSON, reads the
 * `{ ok, data | error }` envelope and validates `data` with the endpoint's shared zod schema, so a
 * reply the client cannot read becomes a `bad-reply` error instead of undefined behaviour.
 */
export function createApiClient(options: ApiClientOptions): ApiRequester {
  const { reader, unreachableHint, onRefused, baseUrl = '' } = options;
  const unreachable: AppErrorBody = { code: 'internal', message: "Can't reach the Aisle server.", hint: unreachableHint };
  const badReply = (detail?: string): AppErrorBody => ({
    code: 'bad-reply',
    message: `The server sent a reply ${reader} could not read.${detail === undefined ? '' : ` (${detail})`}`,
  });

  return async <T>(path: string, { method = 'GET', body, schema }: ApiRequest<T>): Promise<Result<T>> => {
    // Looked up per call, so a test (or a polyfill) that replaces fetch later is honoured.
    const send = options.fetch ?? globalThis.fetch;
    const headers: Record<string, string> = { accept: 'application/json' };
    const init: RequestInit = { method, credentials: 'same-origin', headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }

    let response: Response;
    try {
      response = await send(`${baseUrl}${path}`, init);
    } catch {
      return { ok: false, error: unreachable };
    }

    let json: unknown;
    try {
      json = await response.json();
    } catch {
      const error = GATEWAY_STATUSES.has(response.status) ? unreachable : badReply(`HTTP ${response.status}`);
      return { ok: false, error };
    }

    const envelope = replyEnvelopeSchema.safeParse(json);
    if (!envelope.success) return { ok: false, error: badReply() };
    if (!envelope.data.ok) {
      const error = toErrorBody(envelope.data.error);
      onRefused?.(error, response.status);
      return { ok: false, error };
    }
    const data = schema.safeParse(envelope.data.data);
    return data.success ? { ok: true, data: data.data } : { ok: false, error: badReply() };
  };
}
