import type { ChatDeltaEvent, TranscriptDetail, TranscriptMessage, TranscriptRow } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import type { TranscriptPage } from './agentApi';
import { createAgentStore, type Scheduler } from './agentStore';

const conversationId = 'conv-1';

function message(overrides: Partial<TranscriptMessage>): TranscriptMessage {
  return {
    id: 'm',
    conversationId,
    role: 'assistant',
    content: '',
    status: 'complete',
    createdAt: '2025-05-01T10:00:00.000Z',
    products: [],
    error: null,
    isMasked: false,
    agentName: null,
    completedAt: null,
    trace: null,
    feedback: null,
    ...overrides,
  };
}

function detail(messages: TranscriptMessage[], overrides: Partial<TranscriptDetail> = {}): TranscriptDetail {
  return {
    id: conversationId,
    status: 'active',
    model: 'qwen3:4b',
    createdAt: '2025-05-01T10:00:00.000Z',
    lastActivity: '2025-05-01T10:00:00.000Z',
    flagged: false,
    labels: [],
    takenOverBy: null,
    notes: [],
    messages,
    ...overrides,
  };
}

function row(id: string): TranscriptRow {
  return {
    id,
    firstMessage: 'Trail shoes?',
    messageCount: 2,
    model: 'qwen3:4b',
    status: 'active',
    lastActivity: '2025-05-01T10:00:00.000Z',
    createdAt: '2025-05-01T10:00:00.000Z',
    feedback: { up: 0, down: 0 },
    labels: [],
    flagged: false,
    hasError: false,
    highlight: null,
  };
}

function delta(offset: number, text: string, messageId = 'a1', conversation = conversationId): ChatDeltaEvent {
  return { conversationId: conversation, messageId, offset, text };
}

/** A scheduler the test runs by hand, so debouncing is checked without waiting on a clock. */
function manualScheduler() {
  const pending = new Set<() => void>();
  const schedule: Scheduler = (callback) => {
    pending.add(callback);
    return () => pending.delete(callback);
  };
  return {
    schedule,
    get scheduled() {
      return pending.size;
    },
    runAll() {
      const callbacks = [...pending];
      pending.clear();
      for (const callback of callbacks) callback();
    },
  };
}

/** A store watching conv-1 with a user message and an answer `a1` streaming "Here". */
function watchingStore() {
  const store = createAgentStore({ schedule: manualScheduler().schedule });
  store.getState().beginWatch(conversationId);
  store
    .getState()
    .watchLoaded(
      detail([
        message({ id: 'u1', role: 'user', content: 'Trail shoes?' }),
        message({ id: 'a1', status: 'streaming', content: 'Here' }),
      ]),
    );
  return store;
}

const contentOf = (store: ReturnType<typeof createAgentStore>, id: string) =>
  store.getState().watched?.detail?.messages.find((m) => m.id === id)?.content;

describe('live text in the watched conversation', () => {
  it('appends deltas that continue the answer, in order', () => {
    const store = watchingStore();
    const isGap = store.getState().applyDeltas([delta(4, ' are'), delta(8, ' three')]);
    expect(isGap).toBe(false);
    expect(contentOf(store, 'a1')).toBe('Here are three');
  });

  it('skips text it already has (a replayed delta) and keeps only the unseen tail of an overlap', () => {
    const store = watchingStore();
    store.getState().applyDeltas([delta(0, 'Here'), delta(2, 're are')]);
    expect(contentOf(store, 'a1')).toBe('Here are');
  });

  it('reports a gap instead of showing garbled text when a delta was missed', () => {
    const store = watchingStore();
    expect(store.getState().applyDeltas([delta(10, 'later text')])).toBe(true);
    expect(contentOf(store, 'a1')).toBe('Here');
  });

  it('shows a new answer that starts while watching, and ignores other conversations', () => {
    const store = watchingStore();
    store.getState().applyDeltas([delta(0, 'Hello', 'a2'), delta(0, 'Not ours', 'x1', 'conv-2')]);
    const messages = store.getState().watched?.detail?.messages ?? [];
    expect(messages.map((m) => m.id)).toEqual(['u1', 'a1', 'a2']);
    expect(contentOf(store, 'a2')).toBe('Hello');
  });

  it('replaces the live answer with the committed message, and later deltas no longer change it', () => {
    const store = watchingStore();
    store.getState().applyMessage(conversationId, message({ id: 'a1', status: 'complete', content: 'Here are two shoes.' }));
    store.getState().applyDeltas([delta(4, ' stray')]);
    expect(contentOf(store, 'a1')).toBe('Here are two shoes.');
    expect(store.getState().watched?.detail?.messages).toHaveLength(2);
  });

  it('appends a committed message it has not seen (an agent reply)', () => {
    const store = watchingStore();
    store
      .getState()
      .applyMessage(conversationId, message({ id: 'g1', role: 'agent', content: 'Hi, Sam here.', agentName: 'Sam' }));
    store.getState().applyMessage('conv-2', message({ id: 'z1', conversationId: 'conv-2', content: 'elsewhere' }));
    expect(store.getState().watched?.detail?.messages.map((m) => m.id)).toEqual(['u1', 'a1', 'g1']);
  });

  it('keeps live text it holds beyond a freshly fetched copy, and revealed text over a masked copy', () => {
    const store = watchingStore();
    store.getState().applyDeltas([delta(4, ' are three')]);
    store.getState().messageRevealed(conversationId, 'u1', 'Mail me at sam@example.com');
    store
      .getState()
      .watchLoaded(
        detail([
          message({ id: 'u1', role: 'user', content: 'Mail me at [email]', isMasked: true }),
          message({ id: 'a1', status: 'streaming', content: 'Here are' }),
        ]),
      );
    expect(contentOf(store, 'a1')).toBe('Here are three');
    expect(contentOf(store, 'u1')).toBe('Mail me at sam@example.com');
    expect(store.getState().watched?.detail?.messages[0]?.isMasked).toBe(false);
  });
});

describe('transcript list refresh', () => {
  const page: TranscriptPage = { items: [row('conv-1'), row('conv-2')], total: 2, page: 1, pageSize: 25 };

  it('refetches once after a burst of updates, not once per update', () => {
    const clock = manualScheduler();
    const store = createAgentStore({ schedule: clock.schedule });
    store.getState().listLoaded(page);
    for (let i = 0; i < 5; i += 1) {
      store
        .getState()
        .applyTranscriptUpdate({ conversationId: 'conv-2', status: 'active', lastActivity: `2025-05-01T10:00:0${i}.000Z` });
    }
    expect(store.getState().listVersion).toBe(0);
    expect(clock.scheduled).toBe(1);
    clock.runAll();
    expect(store.getState().listVersion).toBe(1);

    store
      .getState()
      .applyTranscriptUpdate({ conversationId: 'conv-9', status: 'active', lastActivity: '2025-05-01T11:00:00.000Z' });
    clock.runAll();
    expect(store.getState().listVersion).toBe(2);
  });

  it('shows a waiting conversation at once, before the refetch', () => {
    const store = createAgentStore({ schedule: manualScheduler().schedule });
    store.getState().listLoaded(page);
    store
      .getState()
      .applyTranscriptUpdate({ conversationId: 'conv-2', status: 'waiting', lastActivity: '2025-05-01T10:05:00.000Z' });
    const updated = store.getState().list?.items[1];
    expect(updated?.status).toBe('waiting');
    expect(updated?.lastActivity).toBe('2025-05-01T10:05:00.000Z');
  });

  it('updates the watched conversation status and forgets who had it when it is handed back', () => {
    const store = watchingStore();
    store.getState().setHandoff(conversationId, 'taken_over', 'Sam');
    expect(store.getState().watched?.detail?.takenOverBy).toBe('Sam');
    store.getState().applyTranscriptUpdate({ conversationId, status: 'active', lastActivity: '2025-05-01T10:06:00.000Z' });
    expect(store.getState().watched?.detail?.status).toBe('active');
    expect(store.getState().watched?.detail?.takenOverBy).toBeNull();
  });

  it('drops a pending refresh and all console data when the session ends', () => {
    const clock = manualScheduler();
    const store = createAgentStore({ schedule: clock.schedule });
    store.getState().listLoaded(page);
    store
      .getState()
      .applyTranscriptUpdate({ conversationId: 'conv-1', status: 'active', lastActivity: '2025-05-01T10:00:00.000Z' });
    store.getState().signedOut('Your session ended.');
    expect(clock.scheduled).toBe(0);
    expect(store.getState().list).toBeNull();
    expect(store.getState().signInNotice).toBe('Your session ended.');
  });
});

describe('shoppers waiting for a person', () => {
  it('counts a conversation while it waits and stops when someone takes it over', () => {
    const store = createAgentStore({ schedule: () => () => undefined });
    store.getState().waitingLoaded(['old']);
    const at = '2025-05-01T10:00:00.000Z';
    store.getState().applyTranscriptUpdate({ conversationId: 'new', status: 'waiting', lastActivity: at });
    store.getState().applyTranscriptUpdate({ conversationId: 'new', status: 'waiting', lastActivity: at });
    expect(store.getState().waitingIds).toEqual(['old', 'new']);
    store.getState().applyTranscriptUpdate({ conversationId: 'old', status: 'taken_over', lastActivity: at });
    expect(store.getState().waitingIds).toEqual(['new']);
  });
});
