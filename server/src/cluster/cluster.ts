import { randomUUID } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { AdmissionLimits } from '../capacity/admissionQueue';
import type { LimiterFactory } from '../capacity/rateLimits';
import type { InterruptedAnswer } from '../chat/interruptedAnswers';
import type { StopReason } from '../chat/liveGenerations';
import type { Logger } from '../logger';
import { createNodeHeartbeat } from './nodeHeartbeat';
import { createRedisAdmissionQueue, type RedisAdmissionQueue } from './redisAdmission';
import { createRedisLiveShare, type RedisLiveShare } from './liveShare';
import { connectRedis, redisKeys, subscriberOf, type RedisClient } from './redisConnection';

/**
 * Aisle on several nodes (`redis.url`): one Redis shared by all of them for the Socket.IO adapter
 * (wired in app.ts with this client), rate limits, the admission line's places at the model hosts,
 * the live answers (text with offsets, phase, stop) and the nodes' heartbeats. Without `redis.url`
 * none of this exists and everything stays in memory on one node.
 */

export interface ClusterSettings {
  url: string;
  keyPrefix: string;
  heartbeatMs: number;
  nodeTimeoutMs: number;
}

export interface Cluster {
  /** This node's id (a new one at every start). */
  nodeId: string;
  /** The client for the Socket.IO adapter (it makes its own extra connections from it). */
  redis: RedisClient;
  /** Key names for the adapter: its stream, its channels and its session keys. */
  adapterNames: { streamName: string; channelPrefix: string; sessionKeyPrefix: string };
  live: RedisLiveShare;
  admission: RedisAdmissionQueue;
  /** Rate limiters counting in Redis (with an in-memory stand-in while Redis cannot be reached). */
  createLimiter: LimiterFactory;
  /** Starts serving the other nodes: stops they ask for, and the sweep of dead nodes' answers. */
  start(handlers: {
    stopHere: (conversationId: string, reason: StopReason) => Promise<string | null>;
    failInterrupted: (answers: InterruptedAnswer[]) => Promise<number>;
  }): Promise<void>;
  /** Leaves the cluster and closes the connections (after this node's answers are committed). */
  close(): Promise<void>;
}

export async function startCluster(
  settings: ClusterSettings,
  limits: AdmissionLimits & { onCallbackError?: (err: unknown) => void },
  logger: Logger,
): Promise<Cluster> {
  const nodeId = randomUUID();
  const log = logger.child({ area: 'cluster', node: nodeId });
  const keys = redisKeys(settings.keyPrefix);
  const redis = await connectRedis(settings.url, log);
  const subscriber = await subscriberOf(redis);
  const live = await createRedisLiveShare({ redis, subscriber, keys, nodeId, logger: log });
  const admission = await createRedisAdmissionQueue({
    ...limits,
    redis,
    subscriber,
    keys,
    leaseMs: settings.nodeTimeoutMs,
    retryMs: Math.min(250, settings.heartbeatMs),
    logger: log,
  });
  const heartbeat = createNodeHeartbeat({
    redis,
    keys,
    nodeId,
    heartbeatMs: settings.heartbeatMs,
    nodeTimeoutMs: settings.nodeTimeoutMs,
    live,
    onBeat: () => admission.renew(),
    logger: log,
  });
  log.info('joined the cluster');

  return {
    nodeId,
    redis,
    adapterNames: { streamName: keys.socketIo, channelPrefix: keys.socketIo, sessionKeyPrefix: keys.socketIoSession },
    live,
    admission,
    createLimiter: (o) =>
      new RateLimiterRedis({
        ...o,
        keyPrefix: `${keys.rateLimit}${o.keyPrefix}`,
        storeClient: redis,
        // Redis unreachable: each node counts on its own meanwhile rather than refusing every shopper.
        insuranceLimiter: new RateLimiterMemory(o),
      }),
    async start(handlers) {
      live.serve(handlers.stopHere);
      await heartbeat.start(handlers.failInterrupted);
    },
    async close() {
      await heartbeat.close();
      await live.close();
      await admission.close();
      subscriber.disconnect();
      await redis.quit().catch(() => undefined);
    },
  };
}
