import { randomUUID } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type Selectable, type SqlBool } from 'kysely';
import type { ConversationRow, MessageRow } from './conversationRepository';
import { nowIso, type Database, type DB } from './database';
import { messageMatchQuery } from './fts';
import type { TranscriptNotesTable } from './schema';

export type NoteRow = Selectable<TranscriptNotesTable>;

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

/** Creates the repository behind the agent console: transcripts, notes, labels, flags, audit, stats. */
export function createTranscriptRepository(db: Database) {
  const { kysely } = db;

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
    const match = q.search ? messageMatchQuery(q.search) : null;
    if (match) {
      conds.push(
        sql<SqlBool>`c.id IN (SELECT m.conversation_id FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH ${match})`,
      );
    }
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
      const match = messageMatchQuery(search);
      if (conversationIds.length === 0 || !match) return new Map();
      const rows = await sql<{ conversation_id: string; role: string; marked: string }>`
        SELECT m.conversation_id, m.role, highlight(messages_fts, 0, ${open}, ${close}) AS marked
        FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
        WHERE messages_fts MATCH ${match} AND m.conversation_id IN (${sql.join(conversationIds)})
        ORDER BY m.conversation_id, m.seq`.execute(kysely);
      const hits = new Map<string, { role: string; marked: string }>();
      for (const r of rows.rows)
        if (!hits.has(r.conversation_id)) hits.set(r.conversation_id, { role: r.role, marked: r.marked });
      return hits;
    },

    /** Labels of each conversation, sorted. */
    async labelsFor(conversationIds: string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>(conversationIds.map((id) => [id, []]));
      if (conversationIds.length === 0) return out;
      const rows = await kysely
        .selectFrom('transcript_labels')
        .select(['conversation_id', 'label'])
        .where('conversation_id', 'in', conversationIds)
        .orderBy('label')
        .execute();
      for (const r of rows) out.get(r.conversation_id)?.push(r.label);
      return out;
    },

    /** Conversations a person is answering right now. */
    async takenOverBy(agentId: string): Promise<ConversationRow[]> {
      return kysely
        .selectFrom('conversations')
        .selectAll()
        .where('status', '=', 'taken_over')
        .where('taken_over_by', '=', agentId)
        .execute();
    },

    async getConversation(id: string): Promise<ConversationRow | undefined> {
      return kysely.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Every message, including answers replaced by a retry, in order. */
    async messages(conversationId: string): Promise<MessageRow[]> {
      return kysely.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('seq').execute();
    },

    async getMessage(id: string): Promise<MessageRow | undefined> {
      return kysely.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Shopper feedback on a conversation's answers, by message id. */
    async feedbackFor(conversationId: string): Promise<Map<string, { rating: 'up' | 'down'; comment: string | null }>> {
      const rows = await kysely
        .selectFrom('message_feedback')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .execute();
      return new Map(rows.map((r) => [r.message_id, { rating: r.rating === 'down' ? 'down' : 'up', comment: r.comment }]));
    },

    async isFlagged(conversationId: string): Promise<boolean> {
      const row = await kysely
        .selectFrom('transcript_flags')
        .select('conversation_id')
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      return row !== undefined;
    },

    async setFlag(conversationId: string, flagged: boolean, agentId: string): Promise<void> {
      if (flagged) {
        await kysely
          .insertInto('transcript_flags')
          .values({ conversation_id: conversationId, agent_id: agentId, created_at: nowIso() })
          .onConflict((oc) => oc.column('conversation_id').doNothing())
          .execute();
      } else {
        await kysely.deleteFrom('transcript_flags').where('conversation_id', '=', conversationId).execute();
      }
    },

    async addLabel(conversationId: string, label: string, agentId: string): Promise<void> {
      await kysely
        .insertInto('transcript_labels')
        .values({ conversation_id: conversationId, label, agent_id: agentId, created_at: nowIso() })
        .onConflict((oc) => oc.columns(['conversation_id', 'label']).doNothing())
        .execute();
    },

    async removeLabel(conversationId: string, label: string): Promise<void> {
      await kysely
        .deleteFrom('transcript_labels')
        .where('conversation_id', '=', conversationId)
        .where('label', '=', label)
        .execute();
    },

    async addNote(input: { conversationId: string; agentId: string; agentName: string; body: string }): Promise<NoteRow> {
      const row: NoteRow = {
        id: randomUUID(),
        conversation_id: input.conversationId,
        agent_id: input.agentId,
        agent_name: input.agentName,
        body: input.body,
        created_at: nowIso(),
      };
      await kysely.insertInto('transcript_notes').values(row).execute();
      return row;
    },

    async notes(conversationId: string): Promise<NoteRow[]> {
      return kysely
        .selectFrom('transcript_notes')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    /** Audit: who saw the unmasked text of which message, and when. */
    async recordReveal(input: { messageId: string; conversationId: string; agentId: string; agentEmail: string }): Promise<void> {
      await kysely
        .insertInto('message_reveals')
        .values({
          message_id: input.messageId,
          conversation_id: input.conversationId,
          agent_id: input.agentId,
          agent_email: input.agentEmail,
          revealed_at: nowIso(),
        })
        .execute();
    },

    async reveals(messageId: string): Promise<Array<{ agentId: string; agentEmail: string; revealedAt: string }>> {
      const rows = await kysely
        .selectFrom('message_reveals')
        .selectAll()
        .where('message_id', '=', messageId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ agentId: r.agent_id, agentEmail: r.agent_email, revealedAt: r.revealed_at }));
    },

    /** Raw figures for the dashboard over `[from, to)`; the caller shapes and fills them. */
    async dashboardFigures(from: string, to: string) {
      const day = sql<string>`substr(created_at, 1, 10)`;
      const [conversationsPerDay, answersPerDay, answersPerModel, thumbs, firstTokens, zeroResults] = await Promise.all([
        kysely
          .selectFrom('conversations')
          .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy('day')
          .execute(),
        kysely
          .selectFrom('messages')
          .select([
            day.as('day'),
            (eb) => eb.fn.countAll<number>().as('answers'),
            sql<number>`sum(status = 'error')`.as('errors'),
          ])
          .where('role', '=', 'assistant')
          .where('status', '<>', 'streaming')
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy('day')
          .execute(),
        kysely
          .selectFrom('messages')
          .select([sql<string>`coalesce(model, 'unknown')`.as('model'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('role', '=', 'assistant')
          .where('status', '<>', 'streaming')
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy('model')
          .orderBy('count', 'desc')
          .execute(),
        kysely
          .selectFrom('message_feedback as f')
          .innerJoin('messages as m', 'm.id', 'f.message_id')
          .select([
            sql<string>`coalesce(m.model, 'unknown')`.as('model'),
            sql<number>`sum(f.rating = 'up')`.as('up'),
            sql<number>`sum(f.rating = 'down')`.as('down'),
          ])
          .where('m.created_at', '>=', from)
          .where('m.created_at', '<', to)
          .groupBy('model')
          .execute(),
        kysely
          .selectFrom('messages')
          .select([sql<string>`coalesce(model, 'unknown')`.as('model'), 'first_token_ms'])
          .where('role', '=', 'assistant')
          .where('first_token_ms', 'is not', null)
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .orderBy('model')
          .orderBy('first_token_ms')
          .execute(),
        // Searches the model chose (not the server's prefetch of the shopper's raw words) that found nothing.
        kysely
          .selectFrom('search_log')
          .select([sql<string>`lower(trim(query))`.as('query'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('result_count', '=', 0)
          .where('source', '<>', 'prefetch')
          .where(sql<SqlBool>`trim(query) <> ''`)
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy(sql`lower(trim(query))`)
          .orderBy('count', 'desc')
          .orderBy('query')
          .limit(10)
          .execute(),
      ]);
      return { conversationsPerDay, answersPerDay, answersPerModel, thumbs, firstTokens, zeroResults };
    },

    /**
     * Retention: deletes conversations with no activity since `cutoff` (their messages, feedback,
     * notes, labels and index entries go with them), old search log rows, and shopper sessions that
     * have nothing left and were not seen since.
     */
    async purgeOlderThan(cutoff: string): Promise<{ conversations: number; searches: number; sessions: number }> {
      return kysely.transaction().execute(async (trx) => {
        const conversations = await trx.deleteFrom('conversations').where('updated_at', '<', cutoff).executeTakeFirst();
        const searches = await trx.deleteFrom('search_log').where('created_at', '<', cutoff).executeTakeFirst();
        const sessions = await trx
          .deleteFrom('shopper_sessions')
          .where('last_seen_at', '<', cutoff)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb.selectFrom('conversations as c').select('c.id').whereRef('c.session_hash', '=', 'shopper_sessions.id_hash'),
              ),
            ),
          )
          .executeTakeFirst();
        return {
          conversations: Number(conversations.numDeletedRows),
          searches: Number(searches.numDeletedRows),
          sessions: Number(sessions.numDeletedRows),
        };
      });
    },
  };
}

export type TranscriptRepository = ReturnType<typeof createTranscriptRepository>;
