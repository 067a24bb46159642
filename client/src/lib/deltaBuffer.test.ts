import type { ChatDeltaEvent } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { DeltaBuffer, type FrameScheduler } from './deltaBuffer';

/** A frame clock the test advances by hand. */
function manualFrames() {
  let queued: (() => void)[] = [];
  const schedule: FrameScheduler = (callback) => {
    queued.push(callback);
    return () => {
      queued = queued.filter((c) => c !== callback);
    };
  };
  return {
    schedule,
    nextFrame() {
      const run = queued;
      queued = [];
      for (const callback of run) callback();
    },
  };
}

const delta = (offset: number, text: string): ChatDeltaEvent => ({ conversationId: 'c', messageId: 'm', offset, text });

describe('DeltaBuffer', () => {
  it('hands over all deltas of a frame in one batch, in order', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    buffer.push(delta(1, 'b'));
    buffer.push(delta(2, 'c'));
    expect(batches).toEqual([]);
    frames.nextFrame();
    buffer.push(delta(3, 'd'));
    frames.nextFrame();
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('flushes at once when asked, without a second batch on the next frame', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    buffer.flush();
    frames.nextFrame();
    expect(batches).toEqual([['a']]);
  });
});
