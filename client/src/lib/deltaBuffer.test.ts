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
  it('hands over the first delta at once and the rest of that frame in one batch, in order', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    expect(batches).toEqual([['a']]);
    buffer.push(delta(1, 'b'));
    buffer.push(delta(2, 'c'));
    expect(batches).toEqual([['a']]);
    frames.nextFrame();
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });

  it('hands over at most once per frame while deltas keep coming', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    buffer.push(delta(1, 'b'));
    frames.nextFrame();
    // The frame that handed over "b" is still open: "c" waits for the next one.
    buffer.push(delta(2, 'c'));
    expect(batches).toEqual([['a'], ['b']]);
    frames.nextFrame();
    expect(batches).toEqual([['a'], ['b'], ['c']]);
  });

  it('hands over at once again after a frame without deltas', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    frames.nextFrame();
    buffer.push(delta(1, 'b'));
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('flushes at once when asked, without a second batch on the next frame', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    buffer.push(delta(1, 'b'));
    buffer.flush();
    frames.nextFrame();
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('drops queued deltas on dispose', () => {
    const frames = manualFrames();
    const batches: string[][] = [];
    const buffer = new DeltaBuffer((deltas) => batches.push(deltas.map((d) => d.text)), frames.schedule);
    buffer.push(delta(0, 'a'));
    buffer.push(delta(1, 'b'));
    buffer.dispose();
    frames.nextFrame();
    expect(batches).toEqual([['a']]);
  });
});
