import { percentile } from '../lib/stats';
import {
  formatMoney,
  traceToolCallSchema,
  type AnswerTrace,
  type ConversationStatus,
  type Dashboard,
  type TranscriptDetail,
  type TranscriptFilter,
  type TranscriptMessage,
  type TranscriptRow,
} from '@aisle/shared';
import { z } from 'zod';
import { presentMessage, type FeedbackMap } from '../chat/messagePresenter';
import type { ConversationRow, MessageRow } from '../db/conversationRepository';
import type { TranscriptRepository } from '../db/transcriptRepository';
import { HIT_CLOSE, HIT_OPEN, maskDeep, maskPersonalData, renderHighlight } from './privacy';

/** An `active` conversation with no activity for this long is shown as `ended`. */
export const ENDED_AFTER_MS = 30 * 60 * 1000;

/** Input the agent typed that cannot be used (a bad date, a range too long). */
export class TranscriptInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TranscriptInputError';
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Reads a range bound: a calendar day (UTC) or an ISO instant. A day given as `to` includes that whole
 * day, so `from=2025-05-01&to=2025-05-01` is one day. Returns an ISO instant (`to` exclusive).
 */
export function parseBound(value: string, edge: 'from' | 'to', field: string): string {
  const ms = DATE_ONLY.test(value) ? Date.parse(`${value}T00:00:00.000Z`) : Date.parse(value);
  if (Number.isNaN(ms)) throw new TranscriptInputError(`${field}: expected a date like 2025-05-01, got "${value}"`);
  return new Date(DATE_ONLY.test(value) && edge === 'to' ? ms + DAY_MS : ms).toISOString();
}

/** The status agents see: an idle `active` conversation has `ended`. */
export function displayStatus(row: ConversationRow, now = Date.now()): ConversationStatus {
  if (row.status === 'waiting' || row.status === 'taken_over' || row.status === 'ended') return row.status;
  return Date.parse(row.updated_at) < now - ENDED_AFTER_MS ? 'ended' : 'active';
}

const toolCallsSchema = z.array(traceToolCallSchema);
const mismatchesSchema = z.array(z.object({ kind: z.string(), text: z.string() }));
const servedBySchema = z.object({ hostName: z.string(), url: z.string(), isFallback: z.boolean() }).nullable();

/** Parses a JSON column; a value that does not fit shows as empty rather than failing the transcript. */
function parseJson<T>(raw: string | null, schema: z.ZodType<T>, empty: T): T {
  if (!raw) return empty;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : empty;
  } catch {
    return empty;
  }
}

/** The grounding trace of one answer as stored with it, personal data in tool arguments masked. */
export function traceOf(row: MessageRow): AnswerTrace {
  // Arguments often carry the shopper's own words (the server's search uses them verbatim).
  const toolCalls = parseJson(row.tool_calls, toolCallsSchema, []).map((call) => ({
    ...call,
    arguments: maskDeep(call.arguments),
  }));
  return {
    model: row.model,
    configVersion: row.config_version,
    firstTokenMs: row.first_token_ms,
    totalMs: row.total_ms,
    promptTokens: row.prompt_eval_count,
    completionTokens: row.eval_count,
    doneReason: row.done_reason,
    toolCalls,
    mismatches: parseJson(row.grounding, mismatchesSchema, []),
    servedBy: parseJson(row.served_by, servedBySchema, null),
  };
}

/**
 * Why the shopper no longer sees a message (issue 11): the shopper edited and resent their message
 * (the row was replaced by a shopper message), or regenerated the answer (replaced by another answer).
 */
export function hiddenBecause(row: MessageRow, roleOf: (id: string) => string | undefined): 'edited' | 'regenerated' | null {
  if (row.replaced_by === null) return null;
  return row.role === 'user' || roleOf(row.replaced_by) === 'user' ? 'edited' : 'regenerated';
}

/** A stored message as the console shows it: shopper text masked, the trace attached to answers. */
export function presentTranscriptMessage(
  row: MessageRow,
  feedback: FeedbackMap = new Map(),
  roleOf: (id: string) => string | undefined = () => undefined,
): TranscriptMessage {
  const masked = row.role === 'user' ? maskPersonalData(row.content) : { text: row.content, isMasked: false };
  return {
    ...presentMessage(row, feedback),
    content: masked.text,
    isMasked: masked.isMasked,
    agentName: row.role === 'agent' ? row.author_name : null,
    completedAt: row.completed_at,
    trace: row.role === 'assistant' ? traceOf(row) : null,
    feedback: feedback.get(row.id) ?? null,
    hiddenBecause: hiddenBecause(row, roleOf),
    alternativeGroup: row.alternative_group,
  };
}

/** Every UTC day from `from` (inclusive) to `to` (exclusive), as YYYY-MM-DD. */
export function daysBetween(fromIso: string, toIso: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(fromIso.slice(0, 10)); t < Date.parse(toIso); t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

const ROLE_TITLES: Record<string, string> = { user: 'Shopper', assistant: 'Assistant', agent: 'Agent', system: 'System' };

/** A readable Markdown rendering of a (masked) transcript. */
export function transcriptToMarkdown(t: TranscriptDetail): string {
  const quote = (text: string) =>
    text.trim() === ''
      ? '> _(empty)_'
      : text
          .split('\n')
          .map((l) => `> ${l}`)
          .join('\n');
  const lines: string[] = [
    `# Transcript ${t.id}`,
    '',
    `- Status: ${t.status}`,
    `- Model: ${t.model}`,
    `- Started: ${t.createdAt}`,
    `- Last activity: ${t.lastActivity}`,
    `- Flagged for review: ${t.flagged ? 'yes' : 'no'}`,
    `- Labels: ${t.labels.length ? t.labels.join(', ') : 'none'}`,
    ...(t.takenOverBy ? [`- Taken over by: ${t.takenOverBy}`] : []),
    ...(t.hiddenByShopperAt ? [`- Deleted by the shopper: ${t.hiddenByShopperAt}`] : []),
    '',
    '## Messages',
  ];
  for (const m of t.messages) {
    const who = m.role === 'agent' ? `Agent (${m.agentName ?? 'unknown'})` : (ROLE_TITLES[m.role] ?? m.role);
    const hidden =
      m.hiddenBecause === 'edited'
        ? ' · edited by the shopper (not shown to them)'
        : m.hiddenBecause === 'regenerated'
          ? ' · earlier alternative'
          : '';
    lines.push('', `### ${who} · ${m.createdAt}${m.role === 'assistant' ? ` · ${m.status}` : ''}${hidden}`, '', quote(m.content));
    if (m.error) lines.push('', `Error: ${m.error.code}: ${m.error.message}`);
    if (m.trace) {
      const tr = m.trace;
      const facts = [
        `model ${tr.model ?? 'unknown'}`,
        `config ${tr.configVersion ?? 'unknown'}`,
        `first token ${tr.firstTokenMs ?? '–'} ms`,
        `total ${tr.totalMs ?? '–'} ms`,
        `tokens ${tr.promptTokens ?? '–'} in / ${tr.completionTokens ?? '–'} out`,
        ...(tr.doneReason ? [`ended: ${tr.doneReason}`] : []),
      ];
      lines.push('', `Trace: ${facts.join(', ')}`);
      for (const call of tr.toolCalls) {
        lines.push(
          `- ${call.origin === 'prefetch' ? 'server search' : 'tool call'} \`${call.name}\` ${JSON.stringify(call.arguments)}${call.error ? `: error: ${call.error}` : ''}`,
        );
        for (const p of call.products) {
          const price = formatMoney({ amountMinor: p.salePriceMinor ?? p.priceMinor, currency: p.currency });
          lines.push(
            `  - ${p.id}: ${p.title}, ${price}${p.salePriceMinor !== null ? ' (sale)' : ''}, ${p.availability}${p.stock !== null ? `, stock ${p.stock}` : ''}`,
          );
        }
        if (call.products.length === 0 && !call.error) lines.push('  - no products');
      }
    }
    if (m.products.length) lines.push('', `Cards shown: ${m.products.map((p) => `${p.title} (${p.id})`).join('; ')}`);
    if (m.feedback)
      lines.push('', `Shopper feedback: thumbs ${m.feedback.rating}${m.feedback.comment ? `: "${m.feedback.comment}"` : ''}`);
  }
  lines.push('', '## Notes');
  if (t.notes.length === 0) lines.push('', '_none_');
  for (const n of t.notes) lines.push('', `- ${n.agentName} (${n.createdAt}):`, quote(n.body).replace(/^/gm, '  '));
  return `${lines.join('\n')}\n`;
}

/** Reading transcripts for the console: list, detail, live messages, exports and the dashboard. */
export function createTranscriptService(transcripts: TranscriptRepository) {
  return {
    /** One page of the list. Throws `TranscriptInputError` for unusable dates. */
    async list(
      filter: TranscriptFilter,
    ): Promise<{ transcripts: TranscriptRow[]; total: number; page: number; pageSize: number }> {
      const { total, rows } = await transcripts.list({
        ...(filter.from ? { from: parseBound(filter.from, 'from', 'from') } : {}),
        ...(filter.to ? { to: parseBound(filter.to, 'to', 'to') } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.feedback ? { feedback: filter.feedback } : {}),
        ...(filter.flagged ? { flagged: filter.flagged === 'true' } : {}),
        ...(filter.label ? { label: filter.label.trim() } : {}),
        ...(filter.model ? { model: filter.model } : {}),
        ...(filter.hadError ? { hadError: filter.hadError === 'true' } : {}),
        ...(filter.hadMismatch ? { hadMismatch: filter.hadMismatch === 'true' } : {}),
        ...(filter.awaitingEmail ? { awaitingEmail: filter.awaitingEmail === 'true' } : {}),
        ...(filter.q ? { search: filter.q } : {}),
        endedBefore: new Date(Date.now() - ENDED_AFTER_MS).toISOString(),
        limit: filter.pageSize,
        offset: (filter.page - 1) * filter.pageSize,
      });
      const ids = rows.map((r) => r.conversation.id);
      const [labels, hits] = await Promise.all([
        transcripts.labelsFor(ids),
        filter.q ? transcripts.firstHits(ids, filter.q, HIT_OPEN, HIT_CLOSE) : null,
      ]);
      return {
        total,
        page: filter.page,
        pageSize: filter.pageSize,
        transcripts: rows.map((r): TranscriptRow => {
          const hit = hits?.get(r.conversation.id);
          return {
            id: r.conversation.id,
            firstMessage: maskPersonalData(r.firstMessage ?? '').text,
            messageCount: r.messageCount,
            model: r.lastModel ?? r.conversation.model,
            status: displayStatus(r.conversation),
            lastActivity: r.conversation.updated_at,
            createdAt: r.conversation.created_at,
            feedback: { up: r.up, down: r.down },
            labels: labels.get(r.conversation.id) ?? [],
            flagged: r.flagged,
            hasError: r.hasError,
            // Masked by the same rule as the transcript: what the shopper typed.
            highlight: hit ? renderHighlight(hit.marked, { mask: hit.role === 'user' }).html : null,
          };
        }),
      };
    },

    /** The whole conversation with traces, notes and labels, or null when it does not exist. */
    async detail(conversationId: string): Promise<TranscriptDetail | null> {
      const conversation = await transcripts.getConversation(conversationId);
      if (!conversation) return null;
      const [messages, feedback, notes, labels, flagged] = await Promise.all([
        transcripts.messages(conversationId),
        transcripts.feedbackFor(conversationId),
        transcripts.notes(conversationId),
        transcripts.labelsFor([conversationId]),
        transcripts.isFlagged(conversationId),
      ]);
      const lastModel = [...messages].reverse().find((m) => m.role === 'assistant' && m.model)?.model;
      const roles = new Map(messages.map((m) => [m.id, m.role]));
      return {
        id: conversation.id,
        status: displayStatus(conversation),
        model: lastModel ?? conversation.model,
        createdAt: conversation.created_at,
        lastActivity: conversation.updated_at,
        flagged,
        labels: labels.get(conversationId) ?? [],
        takenOverBy: conversation.status === 'taken_over' ? conversation.taken_over_name : null,
        contact:
          conversation.contact_email && conversation.contact_left_at
            ? {
                email: maskPersonalData(conversation.contact_email).text,
                note: conversation.contact_note === null ? null : maskPersonalData(conversation.contact_note).text,
                leftAt: conversation.contact_left_at,
              }
            : null,
        notes: notes.map((n) => ({ id: n.id, body: n.body, agentName: n.agent_name, createdAt: n.created_at })),
        messages: messages.map((m) => presentTranscriptMessage(m, feedback, (id) => roles.get(id))),
        viewing:
          conversation.context_at === null
            ? null
            : { productId: conversation.context_product_id, url: conversation.context_url, at: conversation.context_at },
        hiddenByShopperAt: conversation.hidden_by_shopper_at ?? null,
      };
    },

    /** One stored message as watchers see it live. */
    async message(row: MessageRow): Promise<TranscriptMessage> {
      return presentTranscriptMessage(row, await transcripts.feedbackFor(row.conversation_id));
    },

    /** The dashboard over a date range (default: the last 30 days, today included). */
    async dashboard(range: { from?: string | undefined; to?: string | undefined }): Promise<Dashboard> {
      const today = new Date().toISOString().slice(0, 10);
      const to = parseBound(range.to ?? today, 'to', 'to');
      const from = range.from ? parseBound(range.from, 'from', 'from') : new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
      if (Date.parse(from) >= Date.parse(to)) throw new TranscriptInputError('from: must be before to');
      if (Date.parse(to) - Date.parse(from) > 366 * DAY_MS)
        throw new TranscriptInputError('from: the range can be at most 366 days');
      const f = await transcripts.dashboardFigures(from, to);
      const days = daysBetween(from, to);
      const perDay = new Map(f.conversationsPerDay.map((r) => [r.day, Number(r.count)]));
      const answersPerDay = new Map(
        f.answersPerDay.map((r) => [r.day, { answers: Number(r.answers), errors: Number(r.errors ?? 0) }]),
      );
      const firstTokens = new Map<string, number[]>();
      for (const r of f.firstTokens) {
        if (r.first_token_ms === null) continue;
        const list = firstTokens.get(r.model) ?? [];
        list.push(r.first_token_ms);
        firstTokens.set(r.model, list);
      }
      return {
        from: from.slice(0, 10),
        to: new Date(Date.parse(to) - 1).toISOString().slice(0, 10),
        conversationsPerDay: days.map((day) => ({ day, count: perDay.get(day) ?? 0 })),
        answersPerModel: f.answersPerModel.map((r) => ({ model: r.model, count: Number(r.count) })),
        thumbsUpRatePerModel: f.thumbs.map((r) => {
          const up = Number(r.up ?? 0);
          const down = Number(r.down ?? 0);
          return { model: r.model, up, down, rate: up + down > 0 ? up / (up + down) : null };
        }),
        firstTokenMsPerModel: [...firstTokens].map(([model, values]) => ({
          model,
          p50: percentile(values, 50),
          p95: percentile(values, 95),
        })),
        errorRatePerDay: days.map((day) => {
          const d = answersPerDay.get(day) ?? { answers: 0, errors: 0 };
          return { day, answers: d.answers, errors: d.errors, rate: d.answers > 0 ? d.errors / d.answers : 0 };
        }),
        // The model's search words can repeat what the shopper typed: mask them like shopper text.
        zeroResultSearches: f.zeroResults.map((r) => ({ query: maskPersonalData(r.query).text, count: Number(r.count) })),
        cardClicksPerModel: f.cardClicksPerModel,
      };
    },
  };
}

export type TranscriptService = ReturnType<typeof createTranscriptService>;
