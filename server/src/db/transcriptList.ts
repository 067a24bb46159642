import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ConversationRow } from './conversationRepository';
import type { Database, DB } from './database';
import { messageMatchQuery, type MatchSyntax } from './fts';
import { TS_CONFIG, messageDocument, messageIndexed } from './postgresSearch';

/** Filters for the transcript list, already validated and turned into ISO bounds by the caller. */
export interface TranscriptListQuery {
  /** Conversations with activity at or after this instant. */
  from?: string;
  /** Conversations started before this instant. */
  to?: string;
  status?: 'active' | 'ended' | 'waiting' | 'taken_over';
  /** An `active` conversation idle since before this instant counts as `ended`. */
  endedBefore: string;
  feedback?: 'up' | 'down' | 'any' | 'none';
  flagged?: boolean;
  label?: string;
  model?: string;
  hadError?: boolean;
  hadMismatch?: boolean;
  /** True: only conversations where the shopper left an email for a reply; false: only those without. */
  awaitingEmail?: boolean;
  /** Words the agent typed to search message text (turned into an FTS5 query here). */
  search?: string;
  limit: number;
  offset: number;
}

/** One conversation in the list, with what the row shows. */
export interface TranscriptListRow {
  conversation: ConversationRow;
  firstMessage: string | null;
  messageCount: number;
  lastModel: string | null;
  up: number;
  down: number;
  flagged: boolean;
  hasError: boolean;
}

type ConversationScope = ExpressionBuilder<DB & { c: DB['conversations'] }, 'c'>;

/** The transcript list of the agent console: filters, paging, and search hits in message text. */
export function createTranscriptListQueries(db: Database) {
  const { kysely } = db;
  const isPostgres = db.dialect === 'postgres';
  const syntax: MatchSyntax = isPostgres ? 'tsquery' : 'fts5';
  /** Ids of the final messages matching `match`, as SQL (the partial GIN index on PostgreSQL). */
  const matchingMessages = (match: string) =>
    isPostgres
      ? sql`SELECT m.conversation_id FROM messages m
          WHERE ${sql.raw(messageIndexed('m'))} AND ${sql.raw(messageDocument('m'))} @@ to_tsquery(${TS_CONFIG}::regconfig, ${match})`
      : sql`SELECT m.conversation_id FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH ${match}`;

  function filters(eb: ConversationScope, q: TranscriptListQuery): Expression<SqlBool> {
    const conds: Array<Expression<SqlBool>> = [];
    if (q.from) conds.push(eb('c.updated_at', '>=', q.from));
    if (q.to) conds.push(eb('c.created_at', '<', q.to));
    if (q.status === 'active') conds.push(eb.and([eb('c.status', '=', 'active'), eb('c.updated_at', '>=', q.endedBefore)]));
    else if (q.status === 'ended') {
      conds.push(
        eb.or([eb('c.status', '=', 'ended'), eb.and([eb('c.status', '=', 'active'), eb('c.updated_at', '<', q.endedBefore)])]),
      );
    } else if (q.status) conds.push(eb('c.status', '=', q.status));
    if (q.awaitingEmail !== undefined)
      conds.push(q.awaitingEmail ? eb('c.contact_left_at', 'is not', null) : eb('c.contact_left_at', 'is', null));
    if (q.feedback) {
      let fb = eb.selectFrom('message_feedback as f').select('f.message_id').whereRef('f.conversation_id', '=', 'c.id');
      if (q.feedback === 'up' || q.feedback === 'down') fb = fb.where('f.rating', '=', q.feedback);
      conds.push(q.feedback === 'none' ? eb.not(eb.exists(fb)) : eb.exists(fb));
    }
    if (q.flagged !== undefined) {
      const flag = eb.exists(
        eb.selectFrom('transcript_flags as tf').select('tf.conversation_id').whereRef('tf.conversation_id', '=', 'c.id'),
      );
      conds.push(q.flagged ? flag : eb.not(flag));
    }
    if (q.label) {
      conds.push(
        eb.exists(
          eb
            .selectFrom('transcript_labels as tl')
            .select('tl.label')
            .whereRef('tl.conversation_id', '=', 'c.id')
            .where('tl.label', '=', q.label),
        ),
      );
    }
    if (q.model) {
      const answered = eb
        .selectFrom('messages as mm')
        .select('mm.id')
        .whereRef('mm.conversation_id', '=', 'c.id')
        .where('mm.role', '=', 'assistant')
        .where('mm.model', '=', q.model);
      conds.push(eb.or([eb('c.model', '=', q.model), eb.exists(answered)]));
    }
    if (q.hadError !== undefined) {
      const failed = eb.exists(
        eb
          .selectFrom('messages as me')
          .select('me.id')
          .whereRef('me.conversation_id', '=', 'c.id')
          .where('me.status', '=', 'error'),
      );
      conds.push(q.hadError ? failed : eb.not(failed));
    }
    if (q.hadMismatch !== undefined) {
      const mismatched = eb.exists(
        eb
          .selectFrom('messages as mg')
          .select('mg.id')
          .whereRef('mg.conversation_id', '=', 'c.id')
          .where('mg.grounding', 'is not', null)
          .where('mg.grounding', '!=', '[]'),
      );
      conds.push(q.hadMismatch ? mismatched : eb.not(mismatched));
    }
    const match = q.search ? messageMatchQuery(q.search, syntax) : null;
    if (match) conds.push(sql<SqlBool>`c.id IN (${matchingMessages(match)})`);
    return eb.and(conds);
  }

  return {
    /** One page of conversations matching the filters, most recent activity first, and the total. */
    async list(q: TranscriptListQuery): Promise<{ total: number; rows: TranscriptListRow[] }> {
      const base = kysely.selectFrom('conversations as c').where((eb) => filters(eb, q));
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll('c')
        .select((eb) => [
          eb
            .selectFrom('messages as m')
            .select('m.content')
            .whereRef('m.conversation_id', '=', 'c.id')
            .where('m.role', '=', 'user')
            .orderBy('m.seq')
            .limit(1)
            .as('first_message'),
          eb
            .selectFrom('messages as m')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('m.conversation_id', '=', 'c.id')
            .where('m.replaced_by', 'is', null)
            .as('message_count'),
          eb
            .selectFrom('messages as m')
            .select('m.model')
            .whereRef('m.conversation_id', '=', 'c.id')
            .where('m.role', '=', 'assistant')
            .where('m.model', 'is not', null)
            .orderBy('m.seq', 'desc')
            .limit(1)
            .as('last_model'),
          eb
            .selectFrom('message_feedback as f')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('f.conversation_id', '=', 'c.id')
            .where('f.rating', '=', 'up')
            .as('up'),
          eb
            .selectFrom('message_feedback as f')
            .select((e) => e.fn.countAll<number>().as('n'))
            .whereRef('f.conversation_id', '=', 'c.id')
            .where('f.rating', '=', 'down')
            .as('down'),
          eb
            .exists(
              eb.selectFrom('transcript_flags as tf').select('tf.conversation_id').whereRef('tf.conversation_id', '=', 'c.id'),
            )
            .as('flagged'),
          eb
            .exists(
              eb
                .selectFrom('messages as me')
                .select('me.id')
                .whereRef('me.conversation_id', '=', 'c.id')
                .where('me.status', '=', 'error'),
            )
            .as('has_error'),
        ])
        .orderBy('c.updated_at', 'desc')
        .orderBy('c.id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      return {
        total: Number(total.n),
        rows: rows.map(({ first_message, message_count, last_model, up, down, flagged, has_error, ...conversation }) => ({
          conversation,
          firstMessage: first_message,
          messageCount: Number(message_count ?? 0),
          lastModel: last_model,
          up: Number(up ?? 0),
          down: Number(down ?? 0),
          flagged: Boolean(flagged),
          hasError: Boolean(has_error),
        })),
      };
    },

    /**
     * The first message matching the search words in each conversation, with hits wrapped in the
     * given markers (the caller masks and escapes before anything reaches HTML).
     */
    async firstHits(
      conversationIds: string[],
      search: string,
      open: string,
      close: string,
    ): Promise<Map<string, { role: string; marked: string }>> {
      const match = messageMatchQuery(search, syntax);
      if (conversationIds.length === 0 || !match) return new Map();
      const rows = isPostgres
        ? await sql<{ conversation_id: string; role: string; marked: string }>`
            SELECT m.conversation_id, m.role,
              ts_headline(${TS_CONFIG}::regconfig, m.content, q.q,
                'HighlightAll=true, StartSel=' || ${quoteOption(open)} || ', StopSel=' || ${quoteOption(close)}) AS marked
            FROM messages m CROSS JOIN (SELECT to_tsquery(${TS_CONFIG}::regconfig, ${match}) AS q) q
            WHERE ${sql.raw(messageIndexed('m'))} AND ${sql.raw(messageDocument('m'))} @@ q.q
              AND m.conversation_id IN (${sql.join(conversationIds)})
            ORDER BY m.conversation_id, m.seq`.execute(kysely)
        : await sql<{ conversation_id: string; role: string; marked: string }>`
            SELECT m.conversation_id, m.role, highlight(messages_fts, 0, ${open}, ${close}) AS marked
            FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
            WHERE messages_fts MATCH ${match} AND m.conversation_id IN (${sql.join(conversationIds)})
            ORDER BY m.conversation_id, m.seq`.execute(kysely);
      const hits = new Map<string, { role: string; marked: string }>();
      for (const r of rows.rows)
        if (!hits.has(r.conversation_id)) hits.set(r.conversation_id, { role: r.role, marked: r.marked });
      return hits;
    },
  };
}

/** A ts_headline option value, double-quoted (its markers may hold commas or spaces). */
function quoteOption(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
