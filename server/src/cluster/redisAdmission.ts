import { randomUUID } from 'node:crypto';
import {
  createMemoryAdmissionQueue,
  type AdmissionLimits,
  type AdmissionQueue,
  type AdmissionRequest,
  type Slot,
} from '../capacity/admissionQueue';
import { AdmissionAbortedError } from '../capacity/capacityErrors';
import type { Logger } from '../logger';
import type { RedisClient, RedisKeys } from './redisConnection';

/**
 * The admission line over several nodes. `maxParallel` per host holds for the whole cluster: the
 * places at a host are members of a sorted set in Redis, taken and counted in one Lua script, each with
 * a lease its node renews at every heartbeat (a dead node's places free themselves when their lease
 * runs out). In front of that, each node keeps its own fair line (the in-memory queue: round robin
 * across addresses and sessions, the per-address and total caps, positions); whoever it admits then
 * waits, in that order, for a place in Redis. A freed place is announced on a channel so waiting nodes
 * try again at once, and they also retry on a short timer.
 *
 * The honest limits of this simpler design: fairness holds within a node, not between nodes (nodes race
 * for a freed place); the caps on waiting answers are per node; a position shown counts this node's
 * line only.
 */

/**
 * Takes a place when the host has room: ARGV = capacity, member, lease ms. Uses Redis's clock. The key
 * itself expires an hour after the last change, only so an abandoned installation leaves nothing behind.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 3600000)
  return 1
end
return 0`;

/** Extends the lease of places still held: ARGV = lease ms, members... */
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1`;

interface Pending {
  member: string;
  resolve(): void;
  reject(err: unknown): void;
}

export interface RedisAdmissionQueue extends AdmissionQueue {
  /** Renews the leases of the places this node holds (call at every heartbeat). */
  renew(): Promise<void>;
  close(): Promise<void>;
}

export async function createRedisAdmissionQueue(
  options: AdmissionLimits & {
    redis: RedisClient;
    subscriber: RedisClient;
    keys: RedisKeys;
    /** How long a place stays taken without renewal: a dead node's places are free after this. */
    leaseMs: number;
    /** How often waiting nodes try again without being told a place was freed. */
    retryMs: number;
    onCallbackError?: (err: unknown) => void;
    logger: Logger;
  },
): Promise<RedisAdmissionQueue> {
  const { redis, subscriber, keys } = options;
  const log = options.logger.child({ area: 'cluster-admission' });
  const capacityOf = (host: string) => Math.max(1, Math.floor(options.capacity(host)) || 1);
  const local = createMemoryAdmissionQueue({
    capacity: capacityOf,
    maxQueuedPerAddress: options.maxQueuedPerAddress,
    maxQueuedTotal: options.maxQueuedTotal,
    ...(options.onCallbackError ? { onCallbackError: options.onCallbackError } : {}),
  });
  /** Per host, the answers this node admitted that wait for a place in Redis, in admission order. */
  const pending = new Map<string, Pending[]>();
  /** Per host, the places this node holds. */
  const held = new Map<string, Set<string>>();
  const pumping = new Set<string>();
  let retryTimer: NodeJS.Timeout | null = null;

  async function take(host: string, member: string): Promise<boolean> {
    const taken = await redis.eval(TAKE_SCRIPT, 1, keys.slots(host), capacityOf(host), member, options.leaseMs);
    if (taken !== 1) return false;
    let set = held.get(host);
    if (!set) held.set(host, (set = new Set()));
    set.add(member);
    return true;
  }

  /** Gives places to this node's waiters, head first, while Redis has room. */
  async function pump(host: string): Promise<void> {
    if (pumping.has(host)) return;
    pumping.add(host);
    try {
      for (let head = pending.get(host)?.[0]; head; head = pending.get(host)?.[0]) {
        if (!(await take(host, head.member))) break;
        pending.get(host)?.shift();
        head.resolve();
      }
    } catch (err) {
      log.warn({ err, host }, 'could not take a place at a model host');
    } finally {
      pumping.delete(host);
      if (pending.get(host)?.length === 0) pending.delete(host);
      scheduleRetry();
    }
  }

  function scheduleRetry(): void {
    if (retryTimer || pending.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      for (const host of [...pending.keys()]) void pump(host);
    }, options.retryMs);
    retryTimer.unref();
  }

  await subscriber.subscribe(keys.slotFreed);
  subscriber.on('message', (channel: string, host: string) => {
    if (channel === keys.slotFreed && pending.has(host)) void pump(host);
  });

  /** Waits for a place in Redis behind this node's earlier waiters for the host. */
  function globalPlace(request: AdmissionRequest, member: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const list = pending.get(request.host) ?? [];
      pending.set(request.host, list);
      const onAbort = () => {
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        reject(new AdmissionAbortedError());
      };
      const entry: Pending = {
        member,
        resolve: () => {
          request.signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      list.push(entry);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      void pump(request.host);
      // Still waiting after the first try: the shopper is told they are next in this node's line.
      setImmediate(() => {
        if (list.includes(entry)) request.onPosition?.(list.indexOf(entry) + 1);
      });
    });
  }

  return {
    async acquire(request) {
      const started = Date.now();
      const waitingAhead = () => pending.get(request.host)?.length ?? 0;
      const localSlot = await local.acquire({
        ...request,
        ...(request.onPosition ? { onPosition: (p: number) => request.onPosition?.(p + waitingAhead()) } : {}),
      });
      const member = randomUUID();
      try {
        await globalPlace(request, member);
      } catch (err) {
        localSlot.release();
        throw err;
      }
      let isReleased = false;
      const slot: Slot = {
        host: request.host,
        waitedMs: Math.max(localSlot.waitedMs, Date.now() - started),
        release() {
          if (isReleased) return;
          isReleased = true;
          localSlot.release();
          held.get(request.host)?.delete(member);
          redis
            .multi()
            .zrem(keys.slots(request.host), member)
            .publish(keys.slotFreed, request.host)
            .exec()
            .catch((err: unknown) => log.warn({ err }, 'could not free a place at a model host'));
        },
      };
      return slot;
    },

    refresh() {
      local.refresh();
      for (const host of [...pending.keys()]) void pump(host);
    },

    async stats() {
      const stats = await local.stats();
      const running: Record<string, number> = { ...stats.running };
      for (const host of new Set([...Object.keys(running), ...held.keys()])) {
        running[host] = await redis.zcount(keys.slots(host), Date.now(), '+inf');
      }
      return { ...stats, running };
    },

    async renew() {
      for (const [host, members] of held) {
        if (members.size === 0) continue;
        await redis.eval(RENEW_SCRIPT, 1, keys.slots(host), options.leaseMs, ...members);
      }
    },

    async close() {
      if (retryTimer) clearTimeout(retryTimer);
      await subscriber.unsubscribe(keys.slotFreed).catch(() => undefined);
    },
  };
}
