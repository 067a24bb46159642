import type { InterruptedAnswer } from '../chat/interruptedAnswers';
import type { Logger } from '../logger';
import type { RedisLiveShare } from './liveShare';
import type { RedisClient, RedisKeys } from './redisConnection';

/**
 * Each node says it is alive every `heartbeatMs` (a key that expires after `nodeTimeoutMs`) and is
 * listed among the nodes. At every beat each node also looks for listed nodes whose key expired: the
 * first to claim a dead node marks the answers it was running interrupted (through `failAnswers`,
 * which tells their shoppers), forgets them and removes the node. So a node that dies mid-answer is
 * noticed within `nodeTimeoutMs + heartbeatMs`.
 */

export interface NodeHeartbeat {
  /** Beats once now (the node is listed before it serves anything), then every `heartbeatMs`. */
  start(failAnswers: (answers: InterruptedAnswer[]) => Promise<number>): Promise<void>;
  /** Stops beating and leaves the list (a clean shutdown: its answers are committed already). */
  close(): Promise<void>;
}

export function createNodeHeartbeat(options: {
  redis: RedisClient;
  keys: RedisKeys;
  nodeId: string;
  heartbeatMs: number;
  nodeTimeoutMs: number;
  live: RedisLiveShare;
  /** Also run at every beat (the admission slots renew their lease). */
  onBeat?: () => Promise<void>;
  logger: Logger;
}): NodeHeartbeat {
  const { redis, keys, nodeId, live } = options;
  const log = options.logger.child({ area: 'cluster', node: nodeId });
  let timer: NodeJS.Timeout | null = null;
  let failAnswers: (answers: InterruptedAnswer[]) => Promise<number> = async () => 0;
  let isBeating = false;

  async function beat(): Promise<void> {
    await redis.multi().set(keys.alive(nodeId), String(Date.now()), 'PX', options.nodeTimeoutMs).sadd(keys.nodes, nodeId).exec();
    await options.onBeat?.();
  }

  async function sweep(): Promise<void> {
    const nodes = await redis.smembers(keys.nodes);
    for (const other of nodes) {
      if (other === nodeId || (await redis.exists(keys.alive(other))) === 1) continue;
      // One node handles each dead one; the claim outlives a slow sweep, and a crashed sweeper's expires.
      const claimed = await redis.set(keys.sweepClaim(other), nodeId, 'PX', Math.max(10_000, options.nodeTimeoutMs * 2), 'NX');
      if (claimed !== 'OK') continue;
      const answers = await live.answersOf(other);
      log.warn({ deadNode: other, answers: answers.length }, 'a node stopped answering: marking its answers interrupted');
      await failAnswers(answers);
      await live.forget(other, answers);
      await redis.srem(keys.nodes, other);
    }
  }

  async function tick(): Promise<void> {
    if (isBeating) return;
    isBeating = true;
    try {
      await beat();
      await sweep();
    } catch (err) {
      log.warn({ err }, 'heartbeat or sweep failed');
    } finally {
      isBeating = false;
    }
  }

  return {
    async start(fail) {
      failAnswers = fail;
      await beat();
      timer = setInterval(() => void tick(), options.heartbeatMs);
      timer.unref();
      // Nodes that died while none was running are found at once.
      void tick();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await redis
        .multi()
        .del(keys.alive(nodeId))
        .srem(keys.nodes, nodeId)
        .exec()
        .catch(() => undefined);
    },
  };
}
