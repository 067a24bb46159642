import { AdmissionAbortedError, QueueFullError } from './capacityErrors';
import { fairOrder, type QueuedItem, type ServedRecord } from './fairOrder';

/** One answer asking for a place at a model host. */
export interface AdmissionRequest {
  /**
   * The capacity pool: a host name from config, or any key the caller chooses (one key for every host
   * works too, when answers are routed to a host only after they start).
   */
  host: string;
  sessionId: string;
  /** The client's network address; the queue is fair between addresses first. */
  address: string;
  /** Aborting it while in line removes the waiter; `acquire` then rejects with `AdmissionAbortedError`. */
  signal?: AbortSignal;
  /**
   * The 1-based place in line (1 = next), called when the waiter joins the line and whenever its place
   * changes. Not called for a request admitted at once.
   */
  onPosition?: (position: number) => void;
}

/** A place at a host. Hold it while the model answers; release it exactly once when done (extra calls are ignored). */
export interface Slot {
  readonly host: string;
  /** How long the request waited in line, 0 when admitted at once. */
  readonly waitedMs: number;
  release(): void;
}

/** Figures for metrics and logs. */
export interface AdmissionStats {
  /** Answers holding a slot, per host with any activity. */
  running: Record<string, number>;
  /** Answers waiting, per host with any activity. */
  queued: Record<string, number>;
  queuedTotal: number;
  /** Answers waiting per client address (addresses are personal data: aggregate before exporting). */
  queuedByAddress: Record<string, number>;
  /** How long the longest waiter has waited, 0 when nobody waits. */
  oldestWaitMs: number;
}

/**
 * Admission control in front of the model hosts: at most `capacity(host)` answers run per host, the rest
 * wait in a fair line. An interface so a shared (Redis) implementation can replace the in-memory one when
 * Aisle runs on several nodes.
 */
export interface AdmissionQueue {
  /**
   * Resolves with a slot when the request's turn comes. Rejects at once with `QueueFullError` when the
   * line is full for the address or in total, and with `AdmissionAbortedError` when `signal` aborts first.
   * Once it resolves the caller owns the slot and must release it, even if its signal aborted meanwhile.
   */
  acquire(request: AdmissionRequest): Promise<Slot>;
  /** Re-reads capacities and admits whoever now fits; call it when the config changes. */
  refresh(): void;
  stats(): Promise<AdmissionStats>;
}

/**
 * Starting values. Ollama runs 1 to 4 requests at once per model (`OLLAMA_NUM_PARALLEL`), so 4 keeps a
 * default Ollama busy without piling requests up inside it; the caps keep a flood short.
 */
export const DEFAULT_ADMISSION_LIMITS = { maxParallel: 4, maxQueuedPerAddress: 10, maxQueuedTotal: 200 } as const;

/** Limits read on every decision, so a hot-reloaded config applies at once. */
export interface AdmissionLimits {
  /** Answers that may run at once on a host (`maxParallel`). Values below 1 count as 1. */
  capacity: (host: string) => number;
  /** Answers one address may have waiting, over all hosts. */
  maxQueuedPerAddress: () => number;
  /** Answers that may wait in total, over all hosts. */
  maxQueuedTotal: () => number;
}

export interface MemoryAdmissionQueueOptions extends AdmissionLimits {
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Receives errors thrown by `onPosition` callbacks, which must not break the line for others. */
  onCallbackError?: (err: unknown) => void;
}

interface Waiter extends QueuedItem {
  enqueuedAt: number;
  /** The last place reported, 0 before the first report. */
  lastPosition: number;
  onPosition: ((position: number) => void) | undefined;
  admit(slot: Slot): void;
  /** Stops listening to the waiter's abort signal. */
  detach(): void;
}

/** What one address or session holds at one host; dropped when it holds nothing. */
interface Usage {
  running: number;
  waiting: number;
  lastServed: number;
}

interface AddressUsage extends Usage {
  sessions: Map<string, Usage>;
}

interface HostState {
  running: number;
  /** In arrival order; `fairOrder` decides who goes next. */
  waiters: Waiter[];
  addresses: Map<string, AddressUsage>;
}

/** Creates the single-node admission queue. */
export function createMemoryAdmissionQueue(options: MemoryAdmissionQueueOptions): AdmissionQueue {
  const now = options.now ?? Date.now;
  const hosts = new Map<string, HostState>();
  const queuedByAddress = new Map<string, number>();
  let queuedTotal = 0;
  let arrivals = 0;
  let admissions = 0;

  function capacityOf(host: string): number {
    const value = Math.floor(options.capacity(host));
    return Number.isNaN(value) ? 1 : Math.max(1, value);
  }

  function hostState(name: string): HostState {
    let state = hosts.get(name);
    if (state === undefined) {
      state = { running: 0, waiters: [], addresses: new Map() };
      hosts.set(name, state);
    }
    return state;
  }

  function usageOf(host: HostState, address: string, sessionId: string): { address: AddressUsage; session: Usage } {
    let addressUsage = host.addresses.get(address);
    if (addressUsage === undefined) {
      addressUsage = { running: 0, waiting: 0, lastServed: 0, sessions: new Map() };
      host.addresses.set(address, addressUsage);
    }
    let session = addressUsage.sessions.get(sessionId);
    if (session === undefined) {
      session = { running: 0, waiting: 0, lastServed: 0 };
      addressUsage.sessions.set(sessionId, session);
    }
    return { address: addressUsage, session };
  }

  /** Forgets usage that holds nothing, so memory follows the live load, not every client ever seen. */
  function prune(name: string, host: HostState, address: string, sessionId: string): void {
    const addressUsage = host.addresses.get(address);
    const session = addressUsage?.sessions.get(sessionId);
    if (session !== undefined && session.running === 0 && session.waiting === 0) addressUsage?.sessions.delete(sessionId);
    if (addressUsage !== undefined && addressUsage.running === 0 && addressUsage.waiting === 0) host.addresses.delete(address);
    if (host.running === 0 && host.waiters.length === 0 && hosts.get(name) === host) hosts.delete(name);
  }

  function servedOf(host: HostState): ServedRecord {
    return {
      address: (address) => host.addresses.get(address)?.lastServed ?? 0,
      session: (address, sessionId) => host.addresses.get(address)?.sessions.get(sessionId)?.lastServed ?? 0,
    };
  }

  function takeSlot(name: string, host: HostState, item: { address: string; sessionId: string }, waitedMs: number): Slot {
    const usage = usageOf(host, item.address, item.sessionId);
    admissions += 1;
    host.running += 1;
    usage.address.running += 1;
    usage.address.lastServed = admissions;
    usage.session.running += 1;
    usage.session.lastServed = admissions;
    let isReleased = false;
    return {
      host: name,
      waitedMs,
      release() {
        if (isReleased) return;
        isReleased = true;
        host.running -= 1;
        usage.address.running -= 1;
        usage.session.running -= 1;
        prune(name, host, item.address, item.sessionId);
        pump(name);
      },
    };
  }

  function forgetWaiter(host: HostState, waiter: Waiter): void {
    queuedTotal -= 1;
    const count = (queuedByAddress.get(waiter.address) ?? 1) - 1;
    if (count === 0) queuedByAddress.delete(waiter.address);
    else queuedByAddress.set(waiter.address, count);
    const usage = usageOf(host, waiter.address, waiter.sessionId);
    usage.address.waiting -= 1;
    usage.session.waiting -= 1;
    waiter.detach();
  }

  /** Admits waiters in fair order while the host has room. */
  function pump(name: string): void {
    const host = hosts.get(name);
    if (host === undefined) return;
    const room = capacityOf(name) - host.running;
    if (room <= 0 || host.waiters.length === 0) return;
    const admitted = fairOrder(host.waiters, servedOf(host)).slice(0, room);
    const isAdmitted = new Set(admitted);
    host.waiters = host.waiters.filter((w) => !isAdmitted.has(w));
    const at = now();
    for (const waiter of admitted) {
      forgetWaiter(host, waiter);
      waiter.admit(takeSlot(name, host, waiter, Math.max(0, at - waiter.enqueuedAt)));
    }
    markMoved(name);
  }

  // Positions are published after each change has settled, once per waiter whose place moved. A callback
  // may change the line itself (e.g. abort its signal); the pass then starts over from the new line.
  const moved = new Set<string>();
  let isPublishing = false;

  function markMoved(name: string): void {
    moved.add(name);
    if (isPublishing) return;
    isPublishing = true;
    try {
      for (let next = first(moved); next !== undefined; next = first(moved)) {
        moved.delete(next);
        publish(next);
      }
    } finally {
      isPublishing = false;
    }
  }

  function publish(name: string): void {
    const host = hosts.get(name);
    if (host === undefined) return;
    const order = fairOrder(host.waiters, servedOf(host));
    for (const [index, waiter] of order.entries()) {
      if (moved.has(name)) return;
      const position = index + 1;
      if (position === waiter.lastPosition || waiter.onPosition === undefined) continue;
      waiter.lastPosition = position;
      try {
        waiter.onPosition(position);
      } catch (err) {
        options.onCallbackError?.(err);
      }
    }
  }

  return {
    acquire(request) {
      const { signal } = request;
      if (signal?.aborted === true) return Promise.reject(new AdmissionAbortedError());
      const host = hostState(request.host);
      if (host.waiters.length === 0 && host.running < capacityOf(request.host)) {
        return Promise.resolve(takeSlot(request.host, host, request, 0));
      }
      if ((queuedByAddress.get(request.address) ?? 0) >= options.maxQueuedPerAddress()) {
        prune(request.host, host, request.address, request.sessionId);
        return Promise.reject(new QueueFullError('address'));
      }
      if (queuedTotal >= options.maxQueuedTotal()) {
        prune(request.host, host, request.address, request.sessionId);
        return Promise.reject(new QueueFullError('total'));
      }

      return new Promise<Slot>((resolve, reject) => {
        const handleAbort = () => {
          host.waiters = host.waiters.filter((w) => w !== waiter);
          forgetWaiter(host, waiter);
          prune(request.host, host, request.address, request.sessionId);
          reject(new AdmissionAbortedError());
          markMoved(request.host);
        };
        arrivals += 1;
        const waiter: Waiter = {
          address: request.address,
          sessionId: request.sessionId,
          seq: arrivals,
          enqueuedAt: now(),
          lastPosition: 0,
          onPosition: request.onPosition,
          admit: resolve,
          detach: () => signal?.removeEventListener('abort', handleAbort),
        };
        signal?.addEventListener('abort', handleAbort, { once: true });
        host.waiters.push(waiter);
        queuedTotal += 1;
        queuedByAddress.set(request.address, (queuedByAddress.get(request.address) ?? 0) + 1);
        const usage = usageOf(host, request.address, request.sessionId);
        usage.address.waiting += 1;
        usage.session.waiting += 1;
        // Room may exist already (capacity raised before a refresh): the fair order decides who takes it.
        pump(request.host);
        markMoved(request.host);
      });
    },

    refresh() {
      for (const name of [...hosts.keys()]) pump(name);
    },

    stats() {
      const at = now();
      let oldest = at;
      const running: Record<string, number> = {};
      const queued: Record<string, number> = {};
      for (const [name, host] of hosts) {
        running[name] = host.running;
        queued[name] = host.waiters.length;
        for (const waiter of host.waiters) oldest = Math.min(oldest, waiter.enqueuedAt);
      }
      return Promise.resolve({
        running,
        queued,
        queuedTotal,
        queuedByAddress: Object.fromEntries(queuedByAddress),
        oldestWaitMs: Math.max(0, at - oldest),
      });
    },
  };
}

function first<T>(set: ReadonlySet<T>): T | undefined {
  for (const item of set) return item;
  return undefined;
}

/**
 * Runs `task` holding a slot and releases the slot however the task ends, so an error or a stop between
 * admission and the end of the answer cannot leak a place at the host.
 */
export async function withSlot<T>(
  queue: AdmissionQueue,
  request: AdmissionRequest,
  task: (slot: Slot) => Promise<T>,
): Promise<T> {
  const slot = await queue.acquire(request);
  try {
    return await task(slot);
  } finally {
    slot.release();
  }
}
