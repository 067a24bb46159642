/** What the fair order needs to know about one waiter. */
export interface QueuedItem {
  address: string;
  sessionId: string;
  /** Arrival sequence: lower arrived earlier. */
  seq: number;
}

/**
 * When each address and session was last admitted (a rising counter, 0 or absent for "not recently").
 * Kept while they have answers running, so a client that was just served waits behind one that was not.
 */
export interface ServedRecord {
  address(address: string): number;
  session(address: string, sessionId: string): number;
}

/** Groups items by key, keeping arrival order inside each group and the groups in first-arrival order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

/** Takes one from each list in turn (round robin), until all are empty. */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let round = 0; round < longest; round += 1) {
    for (const list of lists) {
      const item = list[round];
      if (item !== undefined) out.push(item);
    }
  }
  return out;
}

/**
 * The order in which `items` will be admitted: round robin across addresses, within an address round
 * robin across sessions, first in first out within a session. The least recently served address (or
 * session) goes first, ties by whoever has waited longest, so one address with 500 waiters cannot keep
 * another address's single waiter from being next.
 *
 * Computing the whole order (rather than only the head) is what lets a waiter see the place in which it
 * will actually be admitted.
 */
export function fairOrder<T extends QueuedItem>(items: readonly T[], served: ServedRecord): T[] {
  const byArrival = [...items].sort((a, b) => a.seq - b.seq);
  const byAddress = [...groupBy(byArrival, (i) => i.address)].map(([address, waiting]) => {
    const sessions = [...groupBy(waiting, (i) => i.sessionId)]
      .map(([sessionId, queue]) => ({ lastServed: served.session(address, sessionId), first: queue[0]?.seq ?? 0, queue }))
      .sort(byTurn);
    return { lastServed: served.address(address), first: waiting[0]?.seq ?? 0, queue: interleave(sessions.map((s) => s.queue)) };
  });
  return interleave(byAddress.sort(byTurn).map((a) => a.queue));
}

function byTurn(a: { lastServed: number; first: number }, b: { lastServed: number; first: number }): number {
  return a.lastServed - b.lastServed || a.first - b.first;
}
