import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ConversationRow, MessageRow } from './conversationRepository';
import { createDashboardQueries } from './dashboardFigures';
import { nowIso, type Database } from './database';
import type { RevealSubject, TranscriptNotesTable } from './schema';
import { createTranscriptListQueries } from './transcriptList';

export type NoteRow = Selectable<TranscriptNotesTable>;

/**
 * Creates the repository behind the agent console: the list and its search (transcriptList.ts),
 * dashboard figures (dashboardFigures.ts), and here the detail reads, notes, labels, flags, the
 * reveal audit and retention.
 */
export function createTranscriptRepository(db: Database) {
  const { kysely } = db;

  return {
    ...createTranscriptListQueries(db),
    ...createDashboardQueries(db),

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
      return db.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [id]);
    },

    /** Every message, including answers replaced by a retry, in order. */
    async messages(conversationId: string): Promise<MessageRow[]> {
      return kysely.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('seq').execute();
    },

    async getMessage(id: string): Promise<MessageRow | undefined> {
      return kysely.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Shopper feedback on a conversation's answers, by message id (for every message the live feed sends). */
    async feedbackFor(conversationId: string): Promise<Map<string, { rating: 'up' | 'down'; comment: string | null }>> {
      const rows = await db.all<{ message_id: string; rating: string; comment: string | null }>(
        'SELECT message_id, rating, comment FROM message_feedback WHERE conversation_id = ?',
        [conversationId],
      );
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
    async recordReveal(input: {
      messageId: string;
      conversationId: string;
      agentId: string;
      agentEmail: string;
      revealed?: RevealSubject;
    }): Promise<void> {
      await kysely
        .insertInto('message_reveals')
        .values({
          revealed: input.revealed ?? 'message',
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
