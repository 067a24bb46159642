import { randomUUID } from 'node:crypto';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { nowIso, step, type Database, type SqlSteps } from './database';
import type { ConversationsTable, MessageFeedbackTable, MessagesTable } from './schema';

export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type MessageUpdate = Omit<Updateable<MessagesTable>, 'id' | 'conversation_id' | 'seq'>;
type FeedbackRow = Pick<Selectable<MessageFeedbackTable>, 'message_id' | 'rating' | 'comment'>;

/** The text an answer has streamed so far, to be saved while it is still streaming. */
export interface StreamingText {
  messageId: string;
  content: string;
}

/** Creates the repository for shopper sessions, conversations and messages. */
export function createConversationRepository(db: Database) {
  const { kysely } = db;

  /** `INSERT` for exactly these columns (each call site passes the same set, so the statement is reused). */
  function insertSql(table: string, columns: readonly string[]): string {
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;
  }

  const getMessageRow = (id: string) => db.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [id]);

  /**
   * Appends a message with the next sequence number, in one transaction. The conversation row is
   * written first: on PostgreSQL its row lock makes two messages of one conversation take turns, so
   * they never read the same last number.
   */
  function* insertMessageSteps(
    values: Omit<Insertable<MessagesTable>, 'seq' | 'created_at'> & { created_at?: string },
  ): SqlSteps<MessageRow> {
    const at = values.created_at ?? nowIso();
    yield* step.run('UPDATE conversations SET updated_at = ? WHERE id = ?', [at, values.conversation_id]);
    const last = yield* step.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM messages WHERE conversation_id = ?', [
      values.conversation_id,
    ]);
    const row = Object.entries({ ...values, seq: Number(last?.seq ?? 0) + 1, created_at: at }).filter(([, v]) => v !== undefined);
    yield* step.run(
      insertSql(
        'messages',
        row.map(([c]) => c),
      ),
      Object.fromEntries(row),
    );
    const stored = yield* step.get<MessageRow>('SELECT * FROM messages WHERE id = ?', [values.id]);
    if (!stored) throw new Error(`message ${values.id} was not stored`);
    return stored;
  }

  async function insertMessage(values: Omit<Insertable<MessagesTable>, 'seq' | 'created_at'> & { created_at?: string }) {
    return db.transaction(() => insertMessageSteps(values));
  }

  return {
    /** Records a new shopper session by the hash of its cookie token. */
    async createSession(idHash: string): Promise<void> {
      const at = nowIso();
      await db.run('INSERT INTO shopper_sessions (id_hash, created_at, last_seen_at) VALUES (?, ?, ?)', [idHash, at, at]);
    },

    /** True if a session with this hash exists; refreshes its last-seen time (every handshake and request). */
    async touchSession(idHash: string): Promise<boolean> {
      return (await db.run('UPDATE shopper_sessions SET last_seen_at = ? WHERE id_hash = ?', [nowIso(), idHash])) > 0;
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
        contact_email: null,
        contact_note: null,
        contact_left_at: null,
        context_product_id: null,
        context_url: null,
        context_at: null,
        hidden_by_shopper_at: null,
      };
      await db.run(insertSql('conversations', Object.keys(row)), row);
      return row;
    },

    async getConversation(id: string): Promise<ConversationRow | undefined> {
      return db.get<ConversationRow>('SELECT * FROM conversations WHERE id = ?', [id]);
    },

    /** The shopper's own conversations, newest first (not those they deleted from their history). */
    async listConversations(sessionHash: string, limit = 30): Promise<ConversationRow[]> {
      return db.all<ConversationRow>(
        'SELECT * FROM conversations WHERE session_hash = ? AND hidden_by_shopper_at IS NULL ORDER BY updated_at DESC LIMIT ?',
        [sessionHash, limit],
      );
    },

    /**
     * Hides the messages of a conversation from `fromSeq` on (those still shown) behind `replacedBy`,
     * except that message itself: an edited shopper message and the answers it had.
     */
    async replaceFrom(conversationId: string, fromSeq: number, replacedBy: string): Promise<void> {
      await kysely
        .updateTable('messages')
        .set({ replaced_by: replacedBy })
        .where('conversation_id', '=', conversationId)
        .where('seq', '>=', fromSeq)
        .where('id', '!=', replacedBy)
        .where('replaced_by', 'is', null)
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
      const existing = await db.get<MessageRow>('SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?', [
        input.conversationId,
        input.clientMessageId,
      ]);
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
      return db.get<MessageRow>(
        `SELECT m.* FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE c.session_hash = ? AND m.client_message_id = ?`,
        [sessionHash, clientMessageId],
      );
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
      // Column names come from the typed update, never from input; values are bound.
      const set = Object.entries(update).filter(([, v]) => v !== undefined);
      if (set.length > 0) {
        await db.run(`UPDATE messages SET ${set.map(([c]) => `${c} = @${c}`).join(', ')} WHERE id = @id`, {
          ...Object.fromEntries(set),
          id,
        });
      }
      const row = await getMessageRow(id);
      if (!row) throw new Error(`no message ${id}`);
      return row;
    },

    /**
     * Saves the text of answers still streaming, all in one transaction, so a crash keeps what the
     * shoppers already saw: a commit (with its WAL append) costs far more than the UPDATE it carries,
     * and a hundred streams would otherwise pay it a hundred times a second. A row already committed
     * (no longer `streaming`) is left as it is. Synchronous on SQLite; on PostgreSQL the returned
     * promise settles once committed.
     */
    saveStreamingTexts(texts: readonly StreamingText[]): Promise<void> {
      return db.transaction(function* () {
        for (const t of texts)
          yield* step.run(`UPDATE messages SET content = ? WHERE id = ? AND status = 'streaming'`, [t.content, t.messageId]);
      });
    },

    async getMessage(id: string): Promise<MessageRow | undefined> {
      return getMessageRow(id);
    },

    /** Every message of a conversation in order; `visibleOnly` hides answers replaced by a retry. */
    async listMessages(conversationId: string, options: { visibleOnly?: boolean } = {}): Promise<MessageRow[]> {
      const visible = options.visibleOnly ? ' AND replaced_by IS NULL' : '';
      return db.all<MessageRow>(`SELECT * FROM messages WHERE conversation_id = ?${visible} ORDER BY seq`, [conversationId]);
    },

    /**
     * Marks answers left in `streaming` by a crash or restart as failed, keeping their partial text:
     * all of them, only the ids in `only` (the answers of one dead node of several), or all but those in
     * `except` (the answers live nodes are writing). Returns how many.
     */
    async failInterruptedAnswers(
      message: string,
      filter: { only?: readonly string[]; except?: readonly string[] } = {},
    ): Promise<number> {
      const { only, except } = filter;
      if (only !== undefined && only.length === 0) return 0;
      let query = kysely
        .updateTable('messages')
        .set({ status: 'error', error_code: 'generation-interrupted', error_message: message, completed_at: nowIso() })
        .where('status', '=', 'streaming');
      if (only !== undefined) query = query.where('id', 'in', [...only]);
      if (except !== undefined && except.length > 0) query = query.where('id', 'not in', [...except]);
      const res = await query.executeTakeFirst();
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

    /** Stores the email (and note) a shopper left for a person to reply to. */
    async leaveContactEmail(id: string, contact: { email: string; note: string | null }): Promise<void> {
      const now = nowIso();
      await kysely
        .updateTable('conversations')
        .set({ contact_email: contact.email, contact_note: contact.note, contact_left_at: now, updated_at: now })
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
      const rows = await db.all<FeedbackRow>(
        'SELECT message_id, rating, comment FROM message_feedback WHERE conversation_id = ?',
        [conversationId],
      );
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
      await db.run(
        'INSERT INTO search_log (conversation_id, source, query, filters, result_count, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [input.conversationId, input.source, input.query, JSON.stringify(input.filters), input.resultCount, nowIso()],
      );
    },
  };
}

export type ConversationRepository = ReturnType<typeof createConversationRepository>;
