import type { ChatMessage, ConversationSnapshot } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { createChatStore } from './chatStore';

/** Issue 11 in the store: regenerated answers keep their alternatives, an edit replaces the last exchange. */

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

function storeWith(messages: ChatMessage[]) {
  const store = createChatStore({ conversationId });
  const snapshot: ConversationSnapshot = { conversationId, messages, live: null };
  store.getState().applySnapshot(snapshot);
  return store;
}

describe('regenerating an answer', () => {
  it('keeps the replaced answer as the newest alternative while the new one streams and once it is done', () => {
    const store = storeWith([
      message({ id: 'u1', role: 'user', content: 'Boots?' }),
      message({ id: 'a1', content: 'Second.', alternatives: [message({ id: 'a0', content: 'First.' })] }),
    ]);
    store.getState().replaceRetried('a1', 'a2');
    const streaming = store.getState().messages.find((m) => m.id === 'a2');
    expect(streaming?.status).toBe('streaming');
    expect(streaming?.alternatives?.map((m) => m.content)).toEqual(['First.', 'Second.']);

    store.getState().finishAnswer(message({ id: 'a2', content: 'Third.' }));
    const done = store.getState().messages.find((m) => m.id === 'a2');
    expect(done?.content).toBe('Third.');
    expect(done?.alternatives?.map((m) => m.id)).toEqual(['a0', 'a1']);
    expect(store.getState().messages.map((m) => m.id)).toEqual(['u1', 'a2']);
  });

  it('records feedback on an earlier alternative the shopper paged back to', () => {
    const store = storeWith([
      message({ id: 'u1', role: 'user', content: 'Boots?' }),
      message({ id: 'a1', content: 'Second.', alternatives: [message({ id: 'a0', content: 'First.' })] }),
    ]);
    store.getState().setFeedback('a0', { rating: 'up', comment: null });
    const answer = store.getState().messages.find((m) => m.id === 'a1');
    expect(answer?.alternatives?.[0]?.feedback).toEqual({ rating: 'up', comment: null });
    expect(answer?.feedback).toBeUndefined();
  });

  it('does not keep a failed answer as an alternative', () => {
    const store = storeWith([
      message({ id: 'u1', role: 'user', content: 'Boots?' }),
      message({ id: 'a1', status: 'error', error: { code: 'model-error', message: 'x' } }),
    ]);
    store.getState().replaceRetried('a1', 'a2');
    expect(store.getState().messages.find((m) => m.id === 'a2')?.alternatives).toBeUndefined();
  });
});

describe('editing the last message', () => {
  it('replaces the edited message and its answer with the new message and a streaming answer', () => {
    const store = storeWith([
      message({ id: 'u1', role: 'user', content: 'Boots?' }),
      message({ id: 'a1', content: 'Ridge.' }),
      message({ id: 'u2', role: 'user', content: 'Red shoes?' }),
      message({ id: 'a2', content: 'Sprint in red.' }),
    ]);
    store.getState().replaceEdited('u2', {
      conversationId,
      userMessage: message({ id: 'u3', role: 'user', content: 'Blue shoes?' }),
      assistantMessageId: 'a3',
    });
    const state = store.getState();
    expect(state.messages.map((m) => [m.id, m.content, m.status])).toEqual([
      ['u1', 'Boots?', 'complete'],
      ['a1', 'Ridge.', 'complete'],
      ['u3', 'Blue shoes?', 'complete'],
      ['a3', '', 'streaming'],
    ]);
    expect(state.live).toEqual({ messageId: 'a3', phase: 'waiting' });
  });
});

describe('reopening a conversation from History', () => {
  it('switches to it with nothing of the previous one left', () => {
    const store = storeWith([message({ id: 'u1', role: 'user', content: 'Boots?' })]);
    store.getState().openConversation('conv-2');
    expect(store.getState()).toMatchObject({ conversationId: 'conv-2', messages: [], live: null, pending: null });
  });
});
