import type { ChatDeltaEvent, ChatMessage, ChatSendReply } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { createChatStore, selectCanSend, selectIsBusy } from './chatStore';

const conversationId = 'conv-1';

function message(overrides: Partial<ChatMessage>): ChatMessage {
  return {
    id: 'm',
    conversationId,
    role: 'assistant',
    content: '',
    status: 'complete',
    createdAt: '2025-01-01T00:00:00.000Z',
    products: [],
    error: null,
    ...overrides,
  };
}

function delta(offset: number, text: string, messageId = 'a1'): ChatDeltaEvent {
  return { conversationId, messageId, offset, text };
}

/** A store in the middle of an answer: user message confirmed, assistant a1 streaming. */
function streamingStore() {
  const store = createChatStore({ conversationId });
  store.getState().beginSend({ clientMessageId: 'client-0001', text: 'Trail shoes?' });
  const reply: ChatSendReply = {
    conversationId,
    userMessage: message({ id: 'u1', role: 'user', content: 'Trail shoes?' }),
    assistantMessageId: 'a1',
  };
  store.getState().confirmSend(reply);
  return store;
}

function contentOf(store: ReturnType<typeof createChatStore>, id: string): string | undefined {
  return store.getState().messages.find((m) => m.id === id)?.content;
}

describe('chat store streaming', () => {
  it('shows the confirmed user message and an empty answer that is waiting', () => {
    const store = streamingStore();
    const state = store.getState();
    expect(state.pending).toBeNull();
    expect(state.messages.map((m) => [m.id, m.status])).toEqual([
      ['u1', 'complete'],
      ['a1', 'streaming'],
    ]);
    expect(state.live).toEqual({ messageId: 'a1', phase: 'waiting' });
    expect(selectIsBusy(state)).toBe(true);
  });

  it('keeps a follow-up above its answer when the answer starts before the send is confirmed', () => {
    const store = streamingStore();
    store.getState().finishAnswer(message({ id: 'a1', content: 'Try these.' }));
    store.getState().beginSend({ clientMessageId: 'client-0002', text: 'In size 44?' });
    store.getState().startAnswer({ conversationId, messageId: 'a2', model: 'qwen3:4b' });
    store.getState().confirmSend({
      conversationId,
      userMessage: message({ id: 'u2', role: 'user', content: 'In size 44?' }),
      assistantMessageId: 'a2',
    });
    expect(store.getState().messages.map((m) => m.id)).toEqual(['u1', 'a1', 'u2', 'a2']);
  });

  it('builds the answer from in-order deltas', () => {
    const store = streamingStore();
    const isGap = store.getState().applyDeltas([delta(0, 'Try the '), delta(8, 'Trail '), delta(14, 'Runner.')]);
    expect(isGap).toBe(false);
    expect(contentOf(store, 'a1')).toBe('Try the Trail Runner.');
  });

  it('does not repeat text when a delta arrives twice', () => {
    const store = streamingStore();
    store.getState().applyDeltas([delta(0, 'Try the '), delta(8, 'Trail ')]);
    const isGap = store.getState().applyDeltas([delta(8, 'Trail '), delta(14, 'Runner.')]);
    expect(isGap).toBe(false);
    expect(contentOf(store, 'a1')).toBe('Try the Trail Runner.');
  });

  it('asks for a resume on a gap instead of showing garbled text', () => {
    const store = streamingStore();
    store.getState().applyDeltas([delta(0, 'Try the ')]);
    const isGap = store.getState().applyDeltas([delta(14, 'Runner.'), delta(21, ' It is light.')]);
    expect(isGap).toBe(true);
    expect(contentOf(store, 'a1')).toBe('Try the ');
  });

  it('ignores deltas of another conversation and of finished answers', () => {
    const store = streamingStore();
    store.getState().applyDeltas([{ conversationId: 'other', messageId: 'a1', offset: 0, text: 'x' }]);
    store.getState().finishAnswer(message({ id: 'a1', content: 'Done.' }));
    store.getState().applyDeltas([delta(5, ' More.')]);
    expect(contentOf(store, 'a1')).toBe('Done.');
    expect(store.getState().live).toBeNull();
  });

  it('replaces the streamed text with the final message and announces it', () => {
    const store = streamingStore();
    store.getState().applyDeltas([delta(0, 'Try **Trail Runner**')]);
    store.getState().finishAnswer(message({ id: 'a1', content: 'Try [Trail Runner](product:p1).' }));
    const state = store.getState();
    expect(contentOf(store, 'a1')).toBe('Try [Trail Runner](product:p1).');
    expect(state.announcement?.text).toBe('Try Trail Runner.');
    expect(selectIsBusy(state)).toBe(false);
  });

  it('announces a stopped answer as stopped and keeps its partial text', () => {
    const store = streamingStore();
    store.getState().applyDeltas([delta(0, 'Partial')]);
    store.getState().finishAnswer(message({ id: 'a1', content: 'Partial', status: 'stopped' }));
    expect(store.getState().announcement?.text).toBe('Answer stopped');
    expect(contentOf(store, 'a1')).toBe('Partial');
  });

  it('shows the phase sent by the server', () => {
    const store = streamingStore();
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'retrying', detail: 'Ollama is busy, retrying in 2 s' });
    expect(store.getState().live).toEqual({ messageId: 'a1', phase: 'retrying', detail: 'Ollama is busy, retrying in 2 s' });
  });
});

describe('chat store waiting in line', () => {
  it('keeps the place in line and announces it once per change', () => {
    const store = streamingStore();
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'queued', position: 3 });
    expect(store.getState().live).toEqual({ messageId: 'a1', phase: 'queued', position: 3 });
    const first = store.getState().announcement;
    expect(first?.text).toBe("You're 3rd in line");

    // The same place again (e.g. a repeated event) says nothing new.
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'queued', position: 3 });
    expect(store.getState().announcement).toBe(first);

    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'queued', position: 1 });
    expect(store.getState().announcement?.text).toBe("You're next");
    expect(store.getState().announcement?.id).not.toBe(first?.id);
    expect(selectIsBusy(store.getState())).toBe(true);
  });

  it('drops the place once the answer leaves the line, and says the next phase once', () => {
    const store = streamingStore();
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'queued', position: 2 });
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'searching', position: 2 });
    expect(store.getState().live).toEqual({ messageId: 'a1', phase: 'searching' });
    const searching = store.getState().announcement;
    expect(searching?.text).toBe('Searching the catalogue…');
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'searching' });
    expect(store.getState().announcement).toBe(searching);
  });

  it('says each phase of an answer once, but not "Thinking…" nor the streamed words', () => {
    const store = streamingStore();
    const spoken: string[] = [];
    store.subscribe((state, previous) => {
      if (state.announcement !== previous.announcement && state.announcement !== null) spoken.push(state.announcement.text);
    });
    for (const phase of ['searching', 'waiting', 'loading-model', 'writing'] as const)
      store.getState().setPhase({ conversationId, messageId: 'a1', phase });
    store.getState().applyDeltas([{ conversationId, messageId: 'a1', offset: 0, text: 'Try the ' }]);
    store.getState().setPhase({ conversationId, messageId: 'a1', phase: 'writing' });
    store.getState().applyDeltas([{ conversationId, messageId: 'a1', offset: 8, text: 'Ridgeback.' }]);
    expect(spoken).toEqual([
      'Searching the catalogue…',
      'Loading the model… the first answer can take a few seconds',
      'Writing…',
    ]);
  });

  it('shows the place in line from a snapshot after a reload', () => {
    const store = createChatStore({ conversationId });
    store.getState().applySnapshot({
      conversationId,
      messages: [message({ id: 'u1', role: 'user', content: 'Trail shoes?' })],
      live: { messageId: 'a1', content: '', phase: 'queued', position: 4 },
    });
    expect(store.getState().live).toEqual({ messageId: 'a1', phase: 'queued', position: 4 });
    expect(store.getState().messages.map((m) => [m.id, m.status])).toEqual([
      ['u1', 'complete'],
      ['a1', 'streaming'],
    ]);
    expect(store.getState().announcement?.text).toBe("You're 4th in line");
  });

  it('ignores a place in line for another conversation', () => {
    const store = streamingStore();
    store.getState().setPhase({ conversationId: 'other', messageId: 'b1', phase: 'queued', position: 1 });
    expect(store.getState().live).toEqual({ messageId: 'a1', phase: 'waiting' });
    expect(store.getState().announcement).toBeNull();
  });
});

describe('chat store sending', () => {
  it('gives the text back to the composer when the send fails', () => {
    const store = createChatStore();
    store.getState().setDraft('A quiet grinder');
    store.getState().beginSend({ clientMessageId: 'client-0001', text: 'A quiet grinder' });
    expect(store.getState().draft).toBe('');
    store.getState().failSend({ code: 'rate-limited', message: 'Slow down.' });
    const state = store.getState();
    expect(state.draft).toBe('A quiet grinder');
    expect(state.composerError?.code).toBe('rate-limited');
    expect(state.pending).toBeNull();
    expect(selectCanSend(state)).toBe(true);
  });

  it('refuses to send text over the cap', () => {
    const store = createChatStore();
    store.getState().setDraft('x'.repeat(4001));
    expect(selectCanSend(store.getState())).toBe(false);
  });
});

describe('chat store resume', () => {
  it('replaces the conversation with the snapshot, continuing the live answer', () => {
    const store = streamingStore();
    store.getState().applyDeltas([delta(0, 'Try')]);
    store.getState().applySnapshot({
      conversationId,
      messages: [
        message({ id: 'u1', role: 'user', content: 'Trail shoes?' }),
        message({ id: 'a1', content: 'Try the', status: 'streaming' }),
      ],
      live: { messageId: 'a1', content: 'Try the Trail', phase: 'writing' },
    });
    expect(contentOf(store, 'a1')).toBe('Try the Trail');
    expect(store.getState().live).toEqual({ messageId: 'a1', phase: 'writing' });

    // Deltas continue from the snapshot's length; one it already includes changes nothing.
    const isGap = store.getState().applyDeltas([delta(8, 'Trail'), delta(13, ' Runner')]);
    expect(isGap).toBe(false);
    expect(contentOf(store, 'a1')).toBe('Try the Trail Runner');
  });

  it('adds the live answer when the snapshot lists only committed messages', () => {
    const store = createChatStore({ conversationId });
    store.getState().applySnapshot({
      conversationId,
      messages: [message({ id: 'u1', role: 'user', content: 'Tents?' })],
      live: { messageId: 'a2', content: 'Looking', phase: 'searching' },
    });
    const state = store.getState();
    expect(state.messages.map((m) => [m.id, m.status, m.content])).toEqual([
      ['u1', 'complete', 'Tents?'],
      ['a2', 'streaming', 'Looking'],
    ]);
    expect(state.live?.phase).toBe('searching');
  });

  it('drops answers that finished elsewhere when nothing is live', () => {
    const store = streamingStore();
    store.getState().applySnapshot({
      conversationId,
      messages: [message({ id: 'u1', role: 'user' }), message({ id: 'a1', content: 'All done.' })],
      live: null,
    });
    expect(store.getState().live).toBeNull();
    expect(contentOf(store, 'a1')).toBe('All done.');
  });

  it('ignores a snapshot of a conversation the shopper has left', () => {
    const store = streamingStore();
    store.getState().resetConversation();
    store.getState().applySnapshot({ conversationId, messages: [message({ id: 'x' })], live: null });
    expect(store.getState().messages).toEqual([]);
  });
});

describe('chat store retry', () => {
  it('drops the failed answer and waits for the regenerated one', () => {
    const store = streamingStore();
    store
      .getState()
      .finishAnswer(message({ id: 'a1', status: 'error', content: 'Part', error: { code: 'ollama-busy', message: 'Busy' } }));
    store.getState().replaceRetried('a1', 'a2');
    const state = store.getState();
    expect(state.messages.map((m) => [m.id, m.status])).toEqual([
      ['u1', 'complete'],
      ['a2', 'streaming'],
    ]);
    expect(state.live).toEqual({ messageId: 'a2', phase: 'waiting' });
  });
});

describe('edited constraint chips', () => {
  it('replace the answer’s constraints and cards in place, keep the shopper’s feedback, and ignore other conversations', () => {
    const store = streamingStore();
    store
      .getState()
      .finishAnswer(message({ id: 'a1', content: 'Try these', constraints: { category: 'Shoes', priceMax: 120, features: [] } }));
    store.getState().setFeedback('a1', { rating: 'up', comment: null });
    const card: ChatMessage['products'][number] = {
      id: 'TRL-200-44',
      title: 'Summit Pro GTX Trail Shoe',
      brand: 'Alpenfold',
      category: 'Shoes',
      price: { amountMinor: 18900, currency: 'USD' },
      salePrice: null,
      availability: 'in_stock',
      rating: null,
      reviewCount: 0,
      imageUrl: null,
      link: null,
      sizes: [],
      colors: [],
    };
    store
      .getState()
      .applyRefined(
        message({ id: 'a1', content: 'Try these', constraints: { category: 'Shoes', features: [] }, products: [card] }),
      );
    const answer = store.getState().messages.find((m) => m.id === 'a1');
    expect(answer?.constraints).toEqual({ category: 'Shoes', features: [] });
    expect(answer?.products.map((p) => p.id)).toEqual(['TRL-200-44']);
    expect(answer?.feedback).toEqual({ rating: 'up', comment: null });

    store.getState().applyRefined(message({ id: 'a1', conversationId: 'other', products: [] }));
    store.getState().applyRefined(message({ id: 'unknown', products: [] }));
    expect(store.getState().messages.map((m) => [m.id, m.products.length])).toEqual([
      ['u1', 0],
      ['a1', 1],
    ]);
  });
});
