import {
  ERROR_CODES,
  agentSchema,
  dashboardSchema,
  experimentsSchema,
  transcriptDetailSchema,
  transcriptRowSchema,
  type Agent,
  type AgentRole,
  type AppErrorBody,
  type Dashboard,
  type Experiments,
  type Result,
  type TranscriptDetail,
  type TranscriptFilter,
  type TranscriptRow,
} from '@aisle/shared';
import { filterToApiQuery } from './transcriptQuery';

const SERVER_UNREACHABLE: AppErrorBody = {
  code: 'internal',
  message: "Can't reach the Aisle server.",
  hint: 'Check that it is running, then try again.',
};

const BAD_REPLY: AppErrorBody = { code: 'internal', message: 'The server sent a reply the console could not read.' };

/** Reads a reply's `data`; null when it is not what the contract says. */
type Parser<T> = (data: unknown) => T | null;

/** The part of a zod schema this module needs (the client reaches zod only through @aisle/shared). */
interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function using<T>(schema: Schema<T>): Parser<T> {
  return (data) => {
    const parsed = schema.safeParse(data);
    return parsed.success ? parsed.data : null;
  };
}

/** Reads one field of the reply's `data` object with `parse`. */
function field<T>(name: string, parse: Parser<T>): Parser<T> {
  return (data) => (isRecord(data) ? parse(data[name]) : null);
}

/**
 * The first parser that reads the reply. Only for the replies whose shape the brief and the server
 * currently disagree on (`{ agent }` vs a bare agent, `items` vs `transcripts`, `{ note }` vs a bare
 * note): drop the branch that loses once the contract is settled.
 */
function either<T>(...parsers: Parser<T>[]): Parser<T> {
  return (data) => {
    for (const parse of parsers) {
      const value = parse(data);
      if (value !== null) return value;
    }
    return null;
  };
}

/** For replies whose `data` the console does not use (it refetches or updates locally instead). */
const ignoreData: Parser<true> = () => true;

function errorBodyOf(value: unknown): AppErrorBody | null {
  if (!isRecord(value) || typeof value.message !== 'string') return null;
  const { code: rawCode, message, hint } = value;
  // A code this client does not know yet is shown as a general failure.
  const code = ERROR_CODES.find((known) => known === rawCode) ?? 'internal';
  return typeof hint === 'string' ? { code, message, hint } : { code, message };
}

type SessionLostListener = (error: AppErrorBody) => void;
const sessionLostListeners = new Set<SessionLostListener>();

/**
 * Calls `listener` whenever a console request is refused for want of a session (expired, signed out
 * elsewhere, disabled), so the console can go back to sign-in. Returns the unsubscribe function.
 */
export function onSessionLost(listener: SessionLostListener): () => void {
  sessionLostListeners.add(listener);
  return () => sessionLostListeners.delete(listener);
}

interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  parse: Parser<T>;
  /** Sign-in answers 401 for wrong credentials: that is not a lost session. */
  isSessionCheck?: boolean;
}

/** Sends one JSON request and reads the `{ ok, data | error }` envelope. Never throws. */
async function request<T>(
  path: string,
  { method = 'GET', body, parse, isSessionCheck = false }: RequestOptions<T>,
): Promise<Result<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, error: SERVER_UNREACHABLE };
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    return { ok: false, error: { ...BAD_REPLY, message: `${BAD_REPLY.message} (HTTP ${response.status})` } };
  }
  if (!isRecord(json)) return { ok: false, error: BAD_REPLY };
  if (json.ok === false) {
    const error = errorBodyOf(json.error) ?? BAD_REPLY;
    if (response.status === 401 && !isSessionCheck) for (const listener of sessionLostListeners) listener(error);
    return { ok: false, error };
  }
  const data = json.ok === true ? parse(json.data) : null;
  return data === null ? { ok: false, error: BAD_REPLY } : { ok: true, data };
}

const parseAgent = either(field('agent', using(agentSchema)), using(agentSchema));

/** Signs in; the server sets the httpOnly session cookie. 401 for wrong credentials, 429 when throttled. */
export function signIn(email: string, password: string): Promise<Result<Agent>> {
  return request('/api/agent/login', { method: 'POST', body: { email, password }, parse: parseAgent, isSessionCheck: true });
}

/** Ends this session (and its sockets) on the server. */
export function signOut(): Promise<Result<true>> {
  return request('/api/agent/logout', { method: 'POST', body: {}, parse: ignoreData, isSessionCheck: true });
}

/** The signed-in agent, or an `unauthorized` failure when there is no session. */
export function getMe(): Promise<Result<Agent>> {
  return request('/api/agent/me', { parse: parseAgent, isSessionCheck: true });
}

// ---- Admin ----

/** Every agent account (admins only). */
export function listAgents(): Promise<Result<Agent[]>> {
  return request('/api/agent/agents', { parse: field('agents', using(agentSchema.array())) });
}

/** The fields an admin fills in to add an agent. */
export interface NewAgent {
  email: string;
  name: string;
  role: AgentRole;
  password: string;
}

/** Adds an agent account (admins only). */
export function createAgent(input: NewAgent): Promise<Result<Agent>> {
  return request('/api/agent/agents', { method: 'POST', body: input, parse: parseAgent });
}

/** Disables/enables an agent or changes their role (admins only). */
export function updateAgent(id: string, patch: { disabled?: boolean; role?: AgentRole }): Promise<Result<true>> {
  return request(`/api/agent/agents/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, parse: ignoreData });
}

/** Removes an agent account (admins only). */
export function deleteAgent(id: string): Promise<Result<true>> {
  return request(`/api/agent/agents/${encodeURIComponent(id)}`, { method: 'DELETE', parse: ignoreData });
}

// ---- Transcripts ----

/** One page of the transcript list. */
export interface TranscriptPage {
  items: TranscriptRow[];
  total: number;
  page: number;
  pageSize: number;
}

const parseRows = using(transcriptRowSchema.array());

function parseTranscriptPage(data: unknown): TranscriptPage | null {
  if (!isRecord(data)) return null;
  const items = parseRows(data.items) ?? parseRows(data.transcripts);
  const { total, page, pageSize } = data;
  if (items === null || typeof total !== 'number' || typeof page !== 'number' || typeof pageSize !== 'number') return null;
  return { items, total, page, pageSize };
}

/** One page of transcripts matching the filter, newest first. */
export function listTranscripts(filter: TranscriptFilter): Promise<Result<TranscriptPage>> {
  return request(`/api/agent/transcripts?${filterToApiQuery(filter)}`, { parse: parseTranscriptPage });
}

const transcriptPath = (id: string) => `/api/agent/transcripts/${encodeURIComponent(id)}`;

/** One whole transcript with traces, notes and labels. */
export function getTranscript(id: string): Promise<Result<TranscriptDetail>> {
  return request(transcriptPath(id), { parse: using(transcriptDetailSchema) });
}

/** A private note on a transcript. */
export type TranscriptNote = TranscriptDetail['notes'][number];

const parseNote = using(transcriptDetailSchema.shape.notes.element);

/** Adds a private note to a transcript. */
export function addNote(id: string, body: string): Promise<Result<TranscriptNote>> {
  return request(`${transcriptPath(id)}/notes`, {
    method: 'POST',
    body: { body },
    parse: either(field('note', parseNote), parseNote),
  });
}

/** Puts a label on a transcript. */
export function addLabel(id: string, label: string): Promise<Result<true>> {
  return request(`${transcriptPath(id)}/labels`, { method: 'POST', body: { label }, parse: ignoreData });
}

/** Takes a label off a transcript. */
export function removeLabel(id: string, label: string): Promise<Result<true>> {
  return request(`${transcriptPath(id)}/labels/${encodeURIComponent(label)}`, { method: 'DELETE', parse: ignoreData });
}

/** Flags a transcript for review, or clears the flag. */
export function setFlagged(id: string, flagged: boolean): Promise<Result<true>> {
  return request(`${transcriptPath(id)}/flag`, { method: 'POST', body: { flagged }, parse: ignoreData });
}

/** The download address of a transcript export. */
export function exportUrl(id: string, format: 'json' | 'md'): string {
  return `${transcriptPath(id)}/export?format=${format}`;
}

/** Shows one masked message unmasked; the server records who looked. */
export function revealMessage(messageId: string): Promise<Result<string>> {
  return request(`/api/agent/messages/${encodeURIComponent(messageId)}/reveal`, {
    method: 'POST',
    body: {},
    parse: field('content', (value) => (typeof value === 'string' ? value : null)),
  });
}

// ---- Dashboard ----

/** The dashboard's figures for a date range (YYYY-MM-DD, both days included). */
export function getDashboard(from: string, to: string): Promise<Result<Dashboard>> {
  const params = new URLSearchParams({ from, to });
  return request(`/api/agent/dashboard?${params.toString()}`, { parse: using(dashboardSchema) });
}

/** Every model experiment with its comparison per arm. */
export function getExperiments(): Promise<Result<Experiments>> {
  return request('/api/agent/experiments', { parse: using(experimentsSchema) });
}
