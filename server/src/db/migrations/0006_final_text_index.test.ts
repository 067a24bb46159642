import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testStores } from '../../../../test/helpers/postgres';
import { createConversationRepository, type ConversationRepository } from '../conversationRepository';
import { type Database } from '../database';
import { messageIndexed } from '../postgresSearch';
import { createTranscriptListQueries } from '../transcriptList';

/** What an agent's transcript search finds for `words`: conversation ids. */
async function agentSearch(db: Database, words: string): Promise<string[]> {
  const { rows } = await createTranscriptListQueries(db).list({
    search: words,
    endedBefore: new Date(0).toISOString(),
    limit: 50,
    offset: 0,
  });
  return rows.map((r) => r.conversation.id);
}

/**
 * Rows in the message index (each save of a streaming answer used to rewrite its row): the FTS5 table
 * on SQLite, the rows inside the partial GIN index's condition on PostgreSQL.
 */
async function indexedRows(db: Database, messageId: string): Promise<number> {
  const text =
    db.dialect === 'postgres'
      ? `SELECT count(*) AS n FROM messages m WHERE m.id = ? AND ${messageIndexed('m')}`
      : 'SELECT count(*) AS n FROM messages_fts WHERE message_id = ?';
  return (await db.get<{ n: number }>(text, [messageId]))?.n ?? 0;
}

describe.each(await testStores())('0006: message text is indexed once it is final ($dialect)', (store) => {
  let db: Database;
  let close: () => Promise<void>;
  let conversations: ConversationRepository;
  beforeEach(async () => {
    ({ db, close } = await store.open());
    conversations = createConversationRepository(db);
  });
  afterEach(async () => {
    await close();
  });

  async function answerStreaming(text: string) {
    const conversation = await conversations.createConversation({ sessionHash: 's', title: 't', model: 'm' });
    await conversations.insertUserMessage({ conversationId: conversation.id, clientMessageId: 'c1', content: 'Boots?' });
    const answer = await conversations.insertAssistantMessage({
      conversationId: conversation.id,
      model: 'm',
      configVersion: 'v',
    });
    let saved = '';
    for (const word of text.split(' ')) {
      saved += `${word} `;
      await conversations.saveStreamingTexts([{ messageId: answer.id, content: saved.trim() }]);
    }
    return { conversation, answer };
  }

  it('leaves a streaming answer out of the index while it streams, and finds it once complete', async () => {
    const { conversation, answer } = await answerStreaming('The Ridgeback boot is waterproof');
    expect(await indexedRows(db, answer.id)).toBe(0);
    expect(await agentSearch(db, 'ridgeback')).toEqual([]);

    await conversations.updateMessage(answer.id, { content: 'The Ridgeback boot is waterproof.', status: 'complete' });
    expect(await indexedRows(db, answer.id)).toBe(1);
    expect(await agentSearch(db, 'ridgeback')).toEqual([conversation.id]);
    expect(await agentSearch(db, 'boots')).toEqual([conversation.id]);
  });

  it('finds the partial text of an answer interrupted by a crash, once marked failed at the next start', async () => {
    const { conversation } = await answerStreaming('The Kestrel tent sleeps two');
    expect(await agentSearch(db, 'kestrel')).toEqual([]);

    expect(await conversations.failInterruptedAnswers('The server restarted while this answer was being written.')).toBe(1);
    expect(await agentSearch(db, 'kestrel')).toEqual([conversation.id]);
  });

  it('finds a stopped answer, and follows a final answer that is edited or deleted', async () => {
    const { conversation, answer } = await answerStreaming('Try the Larchpoint stove');
    await conversations.updateMessage(answer.id, { status: 'stopped' });
    expect(await agentSearch(db, 'larchpoint')).toEqual([conversation.id]);

    await conversations.updateMessage(answer.id, { content: 'Try the Summitcraft stove' });
    expect(await agentSearch(db, 'larchpoint')).toEqual([]);
    expect(await agentSearch(db, 'summitcraft')).toEqual([conversation.id]);

    await db.run('DELETE FROM conversations WHERE id = ?', [conversation.id]);
    expect(await indexedRows(db, answer.id)).toBe(0);
  });
});
