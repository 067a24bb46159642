import { describe, expect, it } from 'vitest';
import {
  createMemoryAdmissionQueue,
  withSlot,
  type AdmissionRequest,
  type MemoryAdmissionQueueOptions,
  type Slot,
} from './admissionQueue';
import { AdmissionAbortedError, QueueFullError } from './capacityErrors';

/** A queue with adjustable limits and a hand-moved clock. */
function setup(overrides: Partial<MemoryAdmissionQueueOptions> = {}) {
  const limits = { capacity: 1, perAddress: 1000, total: 1000 };
  const clock = { now: 1_000 };
  const queue = createMemoryAdmissionQueue({
    capacity: () => limits.capacity,
    maxQueuedPerAddress: () => limits.perAddress,
    maxQueuedTotal: () => limits.total,
    now: () => clock.now,
    ...overrides,
  });
  return { queue, limits, clock };
}

/** Observes one acquire: whether it was admitted or refused, and every place in line it was told. */
function track(queue: ReturnType<typeof setup>['queue'], request: Partial<AdmissionRequest> & { address: string }) {
  const positions: number[] = [];
  const result: { slot: Slot | null; error: unknown } = { slot: null, error: null };
  const promise = queue
    .acquire({
      host: 'gpu',
      sessionId: `${request.address}-s`,
      ...request,
      onPosition: (p) => {
        positions.push(p);
        request.onPosition?.(p);
      },
    })
    .then(
      (slot) => {
        result.slot = slot;
        return slot;
      },
      (err: unknown) => {
        result.error = err;
        return null;
      },
    );
  return {
    positions,
    promise,
    get slot() {
      return result.slot;
    },
    get error() {
      return result.error;
    },
    get lastPosition() {
      return positions.at(-1);
    },
  };
}

type Tracked = ReturnType<typeof track>;

/** Lets promise callbacks run; no time passes. */
async function settle() {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** Releases the one running slot and says who was admitted in its place. */
async function releaseAndSee(running: Tracked, candidates: Tracked[]): Promise<Tracked | undefined> {
  running.slot?.release();
  await settle();
  return candidates.find((c) => c.slot !== null);
}

describe('admission queue: capacity', () => {
  it('admits up to the host capacity at once and queues the rest', async () => {
    const { queue, limits } = setup();
    limits.capacity = 2;
    const a = track(queue, { address: 'a' });
    const b = track(queue, { address: 'b' });
    const c = track(queue, { address: 'c' });
    await settle();
    expect([a.slot !== null, b.slot !== null, c.slot !== null]).toEqual([true, true, false]);
    expect(a.positions).toEqual([]);
    expect(c.positions).toEqual([1]);
    expect(await queue.stats()).toMatchObject({ running: { gpu: 2 }, queued: { gpu: 1 }, queuedTotal: 1 });

    a.slot?.release();
    await settle();
    expect(c.slot).not.toBeNull();
    expect(await queue.stats()).toMatchObject({ running: { gpu: 2 }, queuedTotal: 0 });
  });

  it('keeps hosts apart: a full host does not hold up another', async () => {
    const { queue } = setup();
    track(queue, { address: 'a', host: 'gpu' });
    const waiting = track(queue, { address: 'b', host: 'gpu' });
    const other = track(queue, { address: 'c', host: 'cpu' });
    await settle();
    expect(waiting.slot).toBeNull();
    expect(other.slot?.host).toBe('cpu');
    expect((await queue.stats()).running).toEqual({ gpu: 1, cpu: 1 });
  });

  it('ignores a second release of the same slot', async () => {
    const { queue, limits } = setup();
    limits.capacity = 2;
    const a = track(queue, { address: 'a' });
    const b = track(queue, { address: 'b' });
    const c = track(queue, { address: 'c' });
    const d = track(queue, { address: 'd' });
    await settle();
    a.slot?.release();
    a.slot?.release();
    await settle();
    expect(c.slot).not.toBeNull();
    expect(d.slot).toBeNull();
    expect((await queue.stats()).running).toEqual({ gpu: 2 });
    expect(b.slot).not.toBeNull();
  });

  it('reports how long a slot waited', async () => {
    const { queue, clock } = setup();
    const a = track(queue, { address: 'a' });
    const b = track(queue, { address: 'b' });
    await settle();
    clock.now += 1_500;
    a.slot?.release();
    await settle();
    expect(a.slot?.waitedMs).toBe(0);
    expect(b.slot?.waitedMs).toBe(1_500);
  });

  it('treats a capacity below 1 as 1, so a bad value cannot stop every answer', async () => {
    const { queue, limits } = setup();
    limits.capacity = 0;
    const a = track(queue, { address: 'a' });
    const b = track(queue, { address: 'b' });
    await settle();
    expect(a.slot).not.toBeNull();
    expect(b.slot).toBeNull();
  });
});

describe('admission queue: hot reload of capacity', () => {
  it('admits waiters as soon as capacity is raised and the queue is refreshed', async () => {
    const { queue, limits } = setup();
    track(queue, { address: 'a' });
    const waiting = ['b', 'c', 'd'].map((address) => track(queue, { address }));
    await settle();
    limits.capacity = 3;
    queue.refresh();
    await settle();
    expect(waiting.map((w) => w.slot !== null)).toEqual([true, true, false]);
    expect(waiting[2]?.positions).toEqual([3, 1]);
  });

  it('reads the capacity on every decision, so a raise also applies at the next arrival', async () => {
    const { queue, limits } = setup();
    track(queue, { address: 'a' });
    const b = track(queue, { address: 'b' });
    await settle();
    limits.capacity = 3;
    const c = track(queue, { address: 'c' });
    await settle();
    // b was in line first, so it takes the new room before (not after) the newcomer.
    expect(b.slot).not.toBeNull();
    expect(c.slot).not.toBeNull();
  });

  it('lets running answers finish when capacity is lowered, admitting again only below it', async () => {
    const { queue, limits } = setup();
    limits.capacity = 3;
    const running = ['a', 'b', 'c'].map((address) => track(queue, { address }));
    const waiter = track(queue, { address: 'd' });
    await settle();
    limits.capacity = 1;
    queue.refresh();
    expect((await queue.stats()).running).toEqual({ gpu: 3 });

    running[0]?.slot?.release();
    running[1]?.slot?.release();
    await settle();
    expect(waiter.slot).toBeNull();
    expect((await queue.stats()).running).toEqual({ gpu: 1 });

    running[2]?.slot?.release();
    await settle();
    expect(waiter.slot).not.toBeNull();
  });
});

describe('admission queue: fairness', () => {
  it("admits another address's single waiter next, ahead of a flood from one address", async () => {
    const { queue } = setup();
    const first = track(queue, { address: 'flood' });
    const flood = Array.from({ length: 500 }, (_, i) => track(queue, { address: 'flood', sessionId: `f${i}` }));
    const single = track(queue, { address: 'quiet' });
    await settle();
    expect(single.positions).toEqual([1]);
    expect(flood[0]?.lastPosition).toBe(2);

    expect(await releaseAndSee(first, [...flood, single])).toBe(single);
  });

  it('takes addresses in turn, and sessions in turn within an address', async () => {
    const { queue } = setup();
    const running = track(queue, { address: 'x' });
    const order: Tracked[] = [];
    const a1 = track(queue, { address: 'a', sessionId: 's1' });
    const a1b = track(queue, { address: 'a', sessionId: 's1' });
    const a2 = track(queue, { address: 'a', sessionId: 's2' });
    const b1 = track(queue, { address: 'b', sessionId: 't1' });
    const b1b = track(queue, { address: 'b', sessionId: 't1' });
    const all = [a1, a1b, a2, b1, b1b];
    await settle();
    expect(all.map((w) => w.lastPosition)).toEqual([1, 5, 3, 2, 4]);

    let holder: Tracked = running;
    for (let i = 0; i < all.length; i += 1) {
      const next = await releaseAndSee(
        holder,
        all.filter((w) => !order.includes(w)),
      );
      if (next === undefined) throw new Error('nobody was admitted');
      order.push(next);
      holder = next;
    }
    expect(order).toEqual([a1, b1, a2, b1b, a1b]);
  });

  it('serves one session first in, first out', async () => {
    const { queue } = setup();
    const running = track(queue, { address: 'a', sessionId: 's' });
    const second = track(queue, { address: 'a', sessionId: 's' });
    const third = track(queue, { address: 'a', sessionId: 's' });
    await settle();
    expect([second.lastPosition, third.lastPosition]).toEqual([1, 2]);
    expect(await releaseAndSee(running, [second, third])).toBe(second);
  });

  it('puts an address that was just served behind one that was not', async () => {
    const { queue, limits } = setup();
    limits.capacity = 2;
    const a1 = track(queue, { address: 'a' });
    track(queue, { address: 'a' });
    const a3 = track(queue, { address: 'a' });
    const b = track(queue, { address: 'b' });
    await settle();
    // a arrived first, but it holds both running slots; b has had nothing.
    expect([a3.lastPosition, b.lastPosition]).toEqual([2, 1]);
    expect(await releaseAndSee(a1, [a3, b])).toBe(b);
  });
});

describe('admission queue: positions', () => {
  it('tells each waiter its place once per change as people ahead leave', async () => {
    const { queue } = setup();
    const running = track(queue, { address: 'r' });
    const waiters = ['a', 'b', 'c'].map((address) => track(queue, { address }));
    await settle();
    expect(waiters.map((w) => w.positions)).toEqual([[1], [2], [3]]);

    running.slot?.release();
    await settle();
    expect(waiters.map((w) => w.positions)).toEqual([[1], [2, 1], [3, 2]]);
  });

  it('moves a waiter back when a fairer claim arrives, and does not repeat unchanged places', async () => {
    const { queue } = setup();
    track(queue, { address: 'a' });
    const a2 = track(queue, { address: 'a' });
    const a3 = track(queue, { address: 'a' });
    await settle();
    expect([a2.positions, a3.positions]).toEqual([[1], [2]]);

    const b = track(queue, { address: 'b' });
    await settle();
    // b goes first (a is being served); a2 and a3 each move back one place.
    expect([b.positions, a2.positions, a3.positions]).toEqual([[1], [1, 2], [2, 3]]);

    track(queue, { address: 'c' });
    await settle();
    // c goes after b (neither served yet, b came first): a2 and a3 move back again, b stays.
    expect([b.positions, a2.positions, a3.positions]).toEqual([[1], [1, 2, 3], [2, 3, 4]]);
  });

  it('keeps working for others when an onPosition callback throws', async () => {
    const errors: unknown[] = [];
    const { queue } = setup({ onCallbackError: (err) => errors.push(err) });
    const running = track(queue, { address: 'r' });
    const bad = queue.acquire({
      host: 'gpu',
      sessionId: 'bad',
      address: 'bad',
      onPosition: () => {
        throw new Error('listener broke');
      },
    });
    const good = track(queue, { address: 'good' });
    await settle();
    expect(good.positions).toEqual([2]);
    expect(errors).toHaveLength(1);
    running.slot?.release();
    (await bad).release();
    await settle();
    expect(good.slot).not.toBeNull();
  });
});

describe('admission queue: cancel', () => {
  it('removes a waiter whose signal aborts, rejects it, and moves those behind it up', async () => {
    const { queue } = setup();
    const running = track(queue, { address: 'r' });
    const controller = new AbortController();
    const leaving = track(queue, { address: 'a', signal: controller.signal });
    const behind = track(queue, { address: 'b' });
    await settle();
    expect(behind.positions).toEqual([2]);

    controller.abort();
    await settle();
    expect(leaving.error).toBeInstanceOf(AdmissionAbortedError);
    expect((leaving.error as Error).name).toBe('AbortError');
    expect(behind.positions).toEqual([2, 1]);
    expect(await queue.stats()).toMatchObject({ queuedTotal: 1, queuedByAddress: { b: 1 } });

    running.slot?.release();
    await settle();
    expect(behind.slot).not.toBeNull();
  });

  it('refuses a request whose signal already aborted without taking a place', async () => {
    const { queue } = setup();
    const result = track(queue, { address: 'a', signal: AbortSignal.abort() });
    await settle();
    expect(result.error).toBeInstanceOf(AdmissionAbortedError);
    expect((await queue.stats()).running).toEqual({});
  });

  it('lets a waiter cancel from inside its own position callback', async () => {
    const { queue } = setup();
    const running = track(queue, { address: 'r' });
    const controller = new AbortController();
    const leaving = track(queue, { address: 'a', signal: controller.signal });
    const behind = track(queue, { address: 'b' });
    const other = track(queue, {
      address: 'c',
      onPosition: (p) => {
        if (p === 3) controller.abort();
      },
    });
    await settle();
    expect(leaving.error).toBeInstanceOf(AdmissionAbortedError);
    expect(behind.lastPosition).toBe(1);
    expect(other.positions).toEqual([3, 2]);
    running.slot?.release();
    await settle();
    expect(behind.slot).not.toBeNull();
    expect(other.slot).toBeNull();
  });

  it.each([
    ['the release comes first', true],
    ['the abort comes first', false],
  ])('leaks no slot when a waiter is cancelled at the moment it is admitted (%s)', async (_, isReleaseFirst) => {
    const { queue } = setup();
    const running = track(queue, { address: 'r' });
    const controller = new AbortController();
    const outcome = withSlot(queue, { host: 'gpu', sessionId: 's', address: 'a', signal: controller.signal }, async () => {
      // The answer code checks its signal first thing, as the chat service does.
      if (controller.signal.aborted) throw new AdmissionAbortedError();
      return 'answered';
    }).catch((err: unknown) => err);
    await settle();

    if (isReleaseFirst) {
      running.slot?.release();
      controller.abort();
    } else {
      controller.abort();
      running.slot?.release();
    }
    expect(await outcome).toBeInstanceOf(AdmissionAbortedError);
    expect(await queue.stats()).toMatchObject({ running: {}, queuedTotal: 0 });
    // The place is really free: the next request gets it at once.
    const next = track(queue, { address: 'n' });
    await settle();
    expect(next.slot).not.toBeNull();
  });

  it('releases the slot when the task fails', async () => {
    const { queue } = setup();
    const failure = withSlot(queue, { host: 'gpu', sessionId: 's', address: 'a' }, () =>
      Promise.reject(new Error('model fell over')),
    );
    await expect(failure).rejects.toThrow('model fell over');
    expect((await queue.stats()).running).toEqual({});
  });
});

describe('admission queue: caps', () => {
  it('refuses at once past the cap per address, while other addresses may still wait', async () => {
    const { queue, limits } = setup();
    limits.perAddress = 2;
    track(queue, { address: 'a' });
    track(queue, { address: 'a' });
    track(queue, { address: 'a' });
    const refused = track(queue, { address: 'a' });
    const other = track(queue, { address: 'b' });
    await settle();
    expect(refused.error).toBeInstanceOf(QueueFullError);
    expect((refused.error as QueueFullError).scope).toBe('address');
    expect((refused.error as QueueFullError).code).toBe('busy');
    expect(refused.positions).toEqual([]);
    expect(other.error).toBeNull();
    expect(await queue.stats()).toMatchObject({ queuedTotal: 3, queuedByAddress: { a: 2, b: 1 } });
  });

  it('refuses at once past the total cap', async () => {
    const { queue, limits } = setup();
    limits.total = 2;
    track(queue, { address: 'a' });
    track(queue, { address: 'b' });
    track(queue, { address: 'c' });
    const refused = track(queue, { address: 'd' });
    await settle();
    expect((refused.error as QueueFullError).scope).toBe('total');
  });

  it('counts only waiting answers: a request that fits at once is never refused', async () => {
    const { queue, limits } = setup();
    limits.capacity = 2;
    limits.perAddress = 0;
    limits.total = 0;
    const a = track(queue, { address: 'a' });
    const b = track(queue, { address: 'a' });
    const c = track(queue, { address: 'a' });
    await settle();
    expect([a.slot !== null, b.slot !== null]).toEqual([true, true]);
    expect((c.error as QueueFullError).scope).toBe('address');
  });

  it('reads the caps on every decision', async () => {
    const { queue, limits } = setup();
    limits.total = 1;
    track(queue, { address: 'a' });
    track(queue, { address: 'b' });
    const refused = track(queue, { address: 'c' });
    await settle();
    expect(refused.error).toBeInstanceOf(QueueFullError);
    limits.total = 2;
    const accepted = track(queue, { address: 'c' });
    await settle();
    expect(accepted.error).toBeNull();
    expect(accepted.positions).toEqual([2]);
  });
});

describe('admission queue: stats', () => {
  it('reports the oldest wait from the injected clock, and nothing once the line is empty', async () => {
    const { queue, clock } = setup();
    const running = track(queue, { address: 'r' });
    clock.now += 100;
    const first = track(queue, { address: 'a' });
    clock.now += 400;
    track(queue, { address: 'b' });
    clock.now += 250;
    await settle();
    expect((await queue.stats()).oldestWaitMs).toBe(650);

    running.slot?.release();
    await settle();
    expect((await queue.stats()).oldestWaitMs).toBe(250);
    first.slot?.release();
    await settle();
    expect(await queue.stats()).toEqual({
      running: { gpu: 1 },
      queued: { gpu: 0 },
      queuedTotal: 0,
      queuedByAddress: {},
      oldestWaitMs: 0,
    });
  });
});
