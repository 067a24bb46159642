import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyAnswerState } from '../assistant/answerRunner';
import { createConversationRepository, type ConversationRepository, type StreamingText } from '../db/conversationRepository';
import { openDatabase, type Database } from '../db/database';
import { createLiveGenerations, createLiveText, type Generation, type LiveGenerations } from './liveGenerations';

describe('the checkpoint of streaming answers', () => {
  let db: Database;
  let conversations: ConversationRepository;
  let live: LiveGenerations;
  /** Every batch the checkpoint wrote, in order (each is one transaction). */
  let batches: StreamingText[][];
  /** Makes the next save fail, as a locked or full disk would. */
  let failNextSave: boolean;

  beforeEach(async () => {
    db = await openDatabase(':memory:');
    conversations = createConversationRepository(db);
    batches = [];
    failNextSave = false;
    vi.useFakeTimers();
    live = createLiveGenerations({
      disconnectGraceMs: () => 60_000,
      saveStreamingTexts: (texts) => {
        if (failNextSave) {
          failNextSave = false;
          throw new Error('database is locked');
        }
        batches.push(texts);
        conversations.saveStreamingTexts(texts);
      },
      logger: pino({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await live.shutdown();
    vi.useRealTimers();
    await db.close();
  });

  /** A shopper's question and its answer row, streaming, registered as live. */
  async function streamingAnswer(question: string) {
    const conversation = await conversations.createConversation({ sessionHash: 's', title: question, model: 'm' });
    await conversations.insertUserMessage({ conversationId: conversation.id, clientMessageId: question, content: question });
    const row = await conversations.insertAssistantMessage({ conversationId: conversation.id, model: 'm', configVersion: 'v' });
    const generation: Generation = {
      conversationId: conversation.id,
      messageId: row.id,
      state: emptyAnswerState(),
      emitted: '',
      phase: 'writing',
      detail: undefined,
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    live.add(generation);
    const text = createLiveText({ generation, coalesceMs: 0, emit: () => undefined });
    return { id: row.id, conversationId: conversation.id, text };
  }

  const stored = async (id: string) => (await conversations.getMessage(id))?.content;

  it('saves what every answer has streamed once a second, all answers in one transaction', async () => {
    const answers = await Promise.all(['boots?', 'jackets?', 'tents?'].map((q) => streamingAnswer(q)));
    answers.forEach((a, i) => a.text.push(`Answer ${i} begins`));

    vi.advanceTimersByTime(999);
    expect(await Promise.all(answers.map((a) => stored(a.id)))).toEqual(['', '', '']);

    vi.advanceTimersByTime(1);
    expect(await Promise.all(answers.map((a) => stored(a.id)))).toEqual([
      'Answer 0 begins',
      'Answer 1 begins',
      'Answer 2 begins',
    ]);
    expect(batches).toHaveLength(1);
  });

  it('writes only the answers whose text grew since the last checkpoint, and nothing when none did', async () => {
    const [boots, tents] = await Promise.all([streamingAnswer('boots?'), streamingAnswer('tents?')]);
    boots.text.push('The Ridgeback');
    tents.text.push('The Summit 2');
    vi.advanceTimersByTime(1000);

    boots.text.push(' is waterproof.');
    vi.advanceTimersByTime(1000);
    expect(batches.at(-1)).toEqual([{ messageId: boots.id, content: 'The Ridgeback is waterproof.' }]);
    expect(await stored(boots.id)).toBe('The Ridgeback is waterproof.');
    expect(await stored(tents.id)).toBe('The Summit 2');

    vi.advanceTimersByTime(5000);
    expect(batches).toHaveLength(2);
  });

  it('never overwrites an answer already committed with its final text', async () => {
    const boots = await streamingAnswer('boots?');
    boots.text.push('The Ridgeback is');
    await conversations.updateMessage(boots.id, { content: 'The Ridgeback is waterproof.', status: 'complete' });

    vi.advanceTimersByTime(1000);
    expect(await stored(boots.id)).toBe('The Ridgeback is waterproof.');
  });

  it('saves the newer text at the next tick when a save fails', async () => {
    const boots = await streamingAnswer('boots?');
    boots.text.push('The Ridgeback');
    failNextSave = true;
    vi.advanceTimersByTime(1000);
    expect(await stored(boots.id)).toBe('');

    boots.text.push(' is waterproof.');
    vi.advanceTimersByTime(1000);
    expect(await stored(boots.id)).toBe('The Ridgeback is waterproof.');
  });

  it('runs no timer once no answer is live', async () => {
    const boots = await streamingAnswer('boots?');
    const tents = await streamingAnswer('tents?');
    expect(vi.getTimerCount()).toBe(1);
    live.remove(boots.conversationId);
    expect(vi.getTimerCount()).toBe(1);
    live.remove(tents.conversationId);
    expect(vi.getTimerCount()).toBe(0);
  });
});
