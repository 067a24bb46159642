import { randomUUID } from 'node:crypto';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { nowIso, type Database } from './database';
import type { ConversationsTable, MessagesTable } from './schema';

export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type MessageUpdate = Omit<Updateable<MessagesTable>, 'id' | 'conversation_id' | 'seq'>;

/** Creates the repository for shopper sessions, conversations and messages. */
export function createConversationRepository(db: Database) {
  const { kysely } = db;

  async function insertMessage(values: Omit<Insertable<MessagesTable>, 'seq' | 'created_at'> & { created_at?: string }) {
    return kysely.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('messages')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('conversation_id', '=', values.conversation_id)
        .executeTakeFirst();
      const at = values.created_at ?? nowIso();
      const row = { ...values, seq: Number(last?.seq ?? 0) + 1, created_at: at };
      await trx.insertInto('messages').values(row).execute();
      await trx.updateTable('conversations').set({ updated_at: at }).where('id', '=', values.conversation_id).execute();
      return trx.selectFrom('messages').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    });
  }

  return {
    /** Records a new shopper session by the hash of its cookie token. */
    async createSession(idHash: string): Promise<void> {
      const at = nowIso();
      await kysely.insertInto('shopper_sessions').values({ id_hash: idHash, created_at: at, last_seen_at: at }).execute();
    },

    /** True if a session with this hash exists; refreshes its last-seen time. */
    async touchSession(idHash: string): Promise<boolean> {
      const res = await kysely
        .updateTable('shopper_sessions')
        .set({ last_seen_at: nowIso() })
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async createConversation(input: {
      sessionHash: string;
      title: string;
      model: string;
      experiment?: { name: string; arm: 'control' | 'candidate' } | null;
    }): Promise<ConversationRow> {
      const at = nowIso();
      const row: ConversationRow = {
        id: randomUUID(),
        session_hash: input.sessionHash,
        title: input.title,
        status: 'active',
        model: input.model,
        created_at: at,
        updated_at: at,
        taken_over_by: null,
        taken_over_name: null,
        experiment: input.experiment?.name ?? null,
        arm: input.experiment?.arm ?? null,
      };
      await kysely.insertInto('conversations').values(row).execute();
      return row;
    },

    async getConversation(id: string): Promise<ConversationRow | undefined> {
      return kysely.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The shopper's own conversations, newest first. */
    async listConversations(sessionHash: string, limit = 30): Promise<ConversationRow[]> {
      return kysely
        .selectFrom('conversations')
        .selectAll()
        .where('session_hash', '=', sessionHash)
        .orderBy('updated_at', 'desc')
        .limit(limit)
        .execute();
    },

    /**
     * Stores a shopper's message. A resend with the same client id returns the stored message instead
     * of a duplicate, so a retry after a network drop is harmless.
     */
    async insertUserMessage(input: {
      conversationId: string;
      clientMessageId: string;
      content: string;
    }): Promise<{ message: MessageRow; isDuplicate: boolean }> {
      const existing = await kysely
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', input.conversationId)
        .where('client_message_id', '=', input.clientMessageId)
        .executeTakeFirst();
      if (existing) return { message: existing, isDuplicate: true };
      const message = await insertMessage({
        id: randomUUID(),
        conversation_id: input.conversationId,
        role: 'user',
        content: input.content,
        status: 'complete',
        client_message_id: input.clientMessageId,
        completed_at: nowIso(),
      });
      return { message, isDuplicate: false };
    },

    /** The shopper's message with this client id in any of the session's conversations (resends). */
    async findUserMessageByClientId(sessionHash: string, clientMessageId: string): Promise<MessageRow | undefined> {
      return kysely
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .selectAll('messages')
        .where('conversations.session_hash', '=', sessionHash)
        .where('messages.client_message_id', '=', clientMessageId)
        .executeTakeFirst();
    },

    /** Creates the assistant's answer row in `streaming` state before any text exists. */
    async insertAssistantMessage(input: { conversationId: string; model: string; configVersion: string }): Promise<MessageRow> {
      return insertMessage({
        id: randomUUID(),
        conversation_id: input.conversationId,
        role: 'assistant',
        content: '',
        status: 'streaming',
        model: input.model,
        config_version: input.configVersion,
      });
    },

    /** Updates an answer, typically once at the end with its final text, status, trace and timings. */
    async updateMessage(id: string, update: MessageUpdate): Promise<MessageRow> {
      await kysely.updateTable('messages').set(update).where('id', '=', id).execute();
      return kysely.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    },

    /** Saves the text of an answer still streaming, so a crash keeps what the shopper already saw. */
    async saveStreamingText(id: string, content: string): Promise<void> {
      await kysely.updateTable('messages').set({ content }).where('id', '=', id).where('status', '=', 'streaming').execute();
    },

    async getMessage(id: string): Promise<MessageRow | undefined> {
      return kysely.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Every message of a conversation in order; `visibleOnly` hides answers replaced by a retry. */
    async listMessages(conversationId: string, options: { visibleOnly?: boolean } = {}): Promise<MessageRow[]> {
      let q = kysely.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
      if (options.visibleOnly) q = q.where('replaced_by', 'is', null);
      return q.orderBy('seq').execute();
    },

    /**
     * Marks answers left in `streaming` by a crash or restart as failed, keeping their partial text.
     * Returns how many were found.
     */
    async failInterruptedAnswers(message: string): Promise<number> {
      const res = await kysely
        .updateTable('messages')
        .set({ status: 'error', error_code: 'generation-interrupted', error_message: message, completed_at: nowIso() })
        .where('status', '=', 'streaming')
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },

    /** Stores a person's reply in a conversation they took over. */
    async insertAgentMessage(input: {
      conversationId: string;
      authorId: string;
      authorName: string;
      content: string;
    }): Promise<MessageRow> {
      return insertMessage({
        id: randomUUID(),
        conversation_id: input.conversationId,
        role: 'agent',
        content: input.content,
        status: 'complete',
        author_id: input.authorId,
        author_name: input.authorName,
        completed_at: nowIso(),
      });
    },

    /** Stores a notice shown in the conversation (a person joined or left); never sent to the model. */
    async insertSystemMessage(input: { conversationId: string; content: string }): Promise<MessageRow> {
      return insertMessage({
        id: randomUUID(),
        conversation_id: input.conversationId,
        role: 'system',
        content: input.content,
        status: 'complete',
        completed_at: nowIso(),
      });
    },

    /** Sets who answers a conversation: the assistant (`active`), nobody yet (`waiting`), or a person. */
    async setConversationStatus(
      id: string,
      status: 'active' | 'waiting' | 'taken_over' | 'ended',
      takenOver: { id: string; name: string } | null = null,
    ): Promise<void> {
      await kysely
        .updateTable('conversations')
        .set({ status, taken_over_by: takenOver?.id ?? null, taken_over_name: takenOver?.name ?? null, updated_at: nowIso() })
        .where('id', '=', id)
        .execute();
    },

    /** Thumbs up/down on an answer; `null` clears it. */
    async setFeedback(input: {
      messageId: string;
      conversationId: string;
      rating: 'up' | 'down' | null;
      comment: string | null;
    }): Promise<void> {
      if (input.rating === null) {
        await kysely.deleteFrom('message_feedback').where('message_id', '=', input.messageId).execute();
        return;
      }
      const at = nowIso();
      await kysely
        .insertInto('message_feedback')
        .values({
          message_id: input.messageId,
          conversation_id: input.conversationId,
          rating: input.rating,
          comment: input.comment,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc.column('message_id').doUpdateSet({ rating: input.rating ?? 'up', comment: input.comment, updated_at: at }),
        )
        .execute();
    },

    /** Feedback on a conversation's answers, by message id. */
    async feedbackFor(conversationId: string): Promise<Map<string, { rating: 'up' | 'down'; comment: string | null }>> {
      const rows = await kysely
        .selectFrom('message_feedback')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .execute();
      return new Map(rows.map((r) => [r.message_id, { rating: r.rating === 'down' ? 'down' : 'up', comment: r.comment }]));
    },

    /** Records a search and how many products it found (the catalogue's gaps show up here). */
    async logSearch(input: {
      conversationId: string | null;
      source: 'tool' | 'prefetch' | 'http';
      query: string;
      filters: object;
      resultCount: number;
    }) {
      await kysely
        .insertInto('search_log')
        .values({
          conversation_id: input.conversationId,
          source: input.source,
          query: input.query,
          filters: JSON.stringify(input.filters),
          result_count: input.resultCount,
          created_at: nowIso(),
        })
        .execute();
    },
  };
}

export type ConversationRepository = ReturnType<typeof createConversationRepository>;
