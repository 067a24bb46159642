import { describe, expect, it } from 'vitest';
import { createCompareStore } from './compareStore';

const pick = (id: string) => ({ id, title: `Product ${id}` });

describe('the compare ticks', () => {
  it('keeps up to four products in the order ticked and refuses a fifth, saying so until the next change', () => {
    const store = createCompareStore();
    for (const id of ['a', 'b', 'c', 'd']) expect(store.getState().toggle(pick(id))).toBe(true);
    expect(store.getState().toggle(pick('e'))).toBe(false);
    expect(store.getState().picks.map((p) => p.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(store.getState().isFullNotice).toBe(true);

    // Unticking one makes room, and the notice goes.
    expect(store.getState().toggle(pick('b'))).toBe(false);
    expect(store.getState().isFullNotice).toBe(false);
    expect(store.getState().toggle(pick('e'))).toBe(true);
    expect(store.getState().picks.map((p) => p.id)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('opens a comparison of at most four products and closes it', () => {
    const store = createCompareStore();
    store.getState().openComparison(['a', 'b', 'c', 'd', 'e']);
    expect(store.getState().openIds).toEqual(['a', 'b', 'c', 'd']);
    store.getState().close();
    expect(store.getState().openIds).toBeNull();
  });
});
