import {
  agentListReplySchema,
  agentSchema,
  catalogueStatusSchema,
  catalogueSyncStartedSchema,
  configStatusSchema,
  dashboardSchema,
  emptyReplySchema,
  experimentsSchema,
  revealedContactReplySchema,
  revealedMessageReplySchema,
  transcriptDetailSchema,
  transcriptFlagReplySchema,
  transcriptLabelsReplySchema,
  transcriptListReplySchema,
  transcriptNoteSchema,
  type Agent,
  type AgentRole,
  type AppErrorBody,
  type CatalogueStatus,
  type CatalogueSyncStarted,
  type ConfigStatus,
  type Dashboard,
  type Experiments,
  type Result,
  type RevealedContactReply,
  type TranscriptDetail,
  type TranscriptFilter,
  type TranscriptFlagReply,
  type TranscriptLabelsReply,
  type TranscriptRow,
} from '@aisle/shared';
import { createApiClient } from '../../lib/api';
import { filterToApiQuery } from './transcripts/transcriptQuery';

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

const UNREACHABLE_HINT = 'Check that it is running, then try again.';

/** Sign-in, sign-out and "who am I": a 401 there means "not signed in", not a lost session. */
const sessionRequest = createApiClient({ reader: 'the console', unreachableHint: UNREACHABLE_HINT });

/** Every other console call: a 401 means the session ended, so the console goes back to sign-in. */
const request = createApiClient({
  reader: 'the console',
  unreachableHint: UNREACHABLE_HINT,
  onRefused: (error, status) => {
    if (status === 401) for (const listener of sessionLostListeners) listener(error);
  },
});

/** Keeps a failure as it is and turns a success's data into what the caller needs. */
function mapData<T, U>(result: Result<T>, map: (data: T) => U): Result<U> {
  return result.ok ? { ok: true, data: map(result.data) } : result;
}

/** Signs in; the server sets the httpOnly session cookie. 401 for wrong credentials, 429 when throttled. */
export function signIn(email: string, password: string): Promise<Result<Agent>> {
  return sessionRequest('/api/agent/login', { method: 'POST', body: { email, password }, schema: agentSchema });
}

/** Ends this session (and its sockets) on the server. */
export function signOut(): Promise<Result<null>> {
  return sessionRequest('/api/agent/logout', { method: 'POST', body: {}, schema: emptyReplySchema });
}

/** The signed-in agent, or an `unauthorized` failure when there is no session. */
export function getMe(): Promise<Result<Agent>> {
  return sessionRequest('/api/agent/me', { schema: agentSchema });
}

// ---- Admin ----

/** The config version in force and the last edit the server refused (a model no host has, an invalid field). */
export function getConfigStatus(): Promise<Result<ConfigStatus>> {
  return request('/api/agent/config', { schema: configStatusSchema });
}

/** Every agent account (admins only). */
export async function listAgents(): Promise<Result<Agent[]>> {
  return mapData(await request('/api/agent/agents', { schema: agentListReplySchema }), (reply) => reply.agents);
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
  return request('/api/agent/agents', { method: 'POST', body: input, schema: agentSchema });
}

/** Disables/enables an agent or changes their role (admins only); returns the account as it is now. */
export function updateAgent(id: string, patch: { disabled?: boolean; role?: AgentRole; name?: string }): Promise<Result<Agent>> {
  return request(`/api/agent/agents/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, schema: agentSchema });
}

/** Removes an agent account (admins only). */
export function deleteAgent(id: string): Promise<Result<null>> {
  return request(`/api/agent/agents/${encodeURIComponent(id)}`, { method: 'DELETE', schema: emptyReplySchema });
}

/** Catalogue sources with product counts and the latest syncs (admins only). */
export function getCatalogueStatus(): Promise<Result<CatalogueStatus>> {
  return request('/api/agent/catalogue', { schema: catalogueStatusSchema });
}

/** Starts a sync of a configured feed in the background (admins only). */
export function startCatalogueSync(name: string): Promise<Result<CatalogueSyncStarted>> {
  return request(`/api/agent/catalogue/sync/${encodeURIComponent(name)}`, {
    method: 'POST',
    body: {},
    schema: catalogueSyncStartedSchema,
  });
}

// ---- Transcripts ----

/** One page of the transcript list. */
export interface TranscriptPage {
  items: TranscriptRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** One page of transcripts matching the filter, newest first. */
export async function listTranscripts(filter: TranscriptFilter): Promise<Result<TranscriptPage>> {
  const reply = await request(`/api/agent/transcripts?${filterToApiQuery(filter)}`, { schema: transcriptListReplySchema });
  return mapData(reply, ({ transcripts, total, page, pageSize }) => ({ items: transcripts, total, page, pageSize }));
}

const transcriptPath = (id: string) => `/api/agent/transcripts/${encodeURIComponent(id)}`;

/** One whole transcript with traces, notes and labels. */
export function getTranscript(id: string): Promise<Result<TranscriptDetail>> {
  return request(transcriptPath(id), { schema: transcriptDetailSchema });
}

/** A private note on a transcript. */
export type TranscriptNote = TranscriptDetail['notes'][number];

/** Adds a private note to a transcript. */
export function addNote(id: string, body: string): Promise<Result<TranscriptNote>> {
  return request(`${transcriptPath(id)}/notes`, { method: 'POST', body: { body }, schema: transcriptNoteSchema });
}

/** Puts a label on a transcript; returns its labels now. */
export function addLabel(id: string, label: string): Promise<Result<TranscriptLabelsReply>> {
  return request(`${transcriptPath(id)}/labels`, { method: 'POST', body: { label }, schema: transcriptLabelsReplySchema });
}

/** Takes a label off a transcript; returns its labels now. */
export function removeLabel(id: string, label: string): Promise<Result<TranscriptLabelsReply>> {
  return request(`${transcriptPath(id)}/labels/${encodeURIComponent(label)}`, {
    method: 'DELETE',
    schema: transcriptLabelsReplySchema,
  });
}

/** Flags a transcript for review, or clears the flag. */
export function setFlagged(id: string, flagged: boolean): Promise<Result<TranscriptFlagReply>> {
  return request(`${transcriptPath(id)}/flag`, { method: 'POST', body: { flagged }, schema: transcriptFlagReplySchema });
}

/** The download address of a transcript export. */
export function exportUrl(id: string, format: 'json' | 'md'): string {
  return `${transcriptPath(id)}/export?format=${format}`;
}

/** Shows one masked message unmasked; the server records who looked. */
export async function revealMessage(messageId: string): Promise<Result<string>> {
  const reply = await request(`/api/agent/messages/${encodeURIComponent(messageId)}/reveal`, {
    method: 'POST',
    body: {},
    schema: revealedMessageReplySchema,
  });
  return mapData(reply, ({ content }) => content);
}

/** Shows the email and note a shopper left unmasked; the server records who looked, and at what. */
export function revealContact(conversationId: string): Promise<Result<RevealedContactReply>> {
  return request(`${transcriptPath(conversationId)}/contact/reveal`, {
    method: 'POST',
    body: {},
    schema: revealedContactReplySchema,
  });
}

// ---- Dashboard ----

/** The dashboard's figures for a date range (YYYY-MM-DD, both days included). */
export function getDashboard(from: string, to: string): Promise<Result<Dashboard>> {
  const params = new URLSearchParams({ from, to });
  return request(`/api/agent/dashboard?${params.toString()}`, { schema: dashboardSchema });
}

/** Every model experiment with its comparison per arm. */
export function getExperiments(): Promise<Result<Experiments>> {
  return request('/api/agent/experiments', { schema: experimentsSchema });
}
