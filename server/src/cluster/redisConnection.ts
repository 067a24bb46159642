import { Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * The one Redis client library of the app: ioredis. Chosen because the Socket.IO streams adapter and
 * rate-limiter-flexible both take it as it is, it reconnects on its own (queuing commands meanwhile),
 * keeps the commands of one connection in order (the live text of an answer relies on it), and runs
 * Lua scripts (the shared admission slots).
 */

export type RedisClient = Redis;

/** Connects to `url` and resolves once Redis answers; errors after that are logged, not thrown. */
export async function connectRedis(url: string, logger: Logger): Promise<RedisClient> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: false });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection problem'));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Could not reach Redis at ${withoutPassword(url)} (redis.url or REDIS_URL): ${reason}`, {
      cause: err,
    });
  }
  return redis;
}

/** The URL for messages: a password in it is replaced by stars. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

/** A second connection for subscriptions (a subscribed connection can run nothing else). */
export async function subscriberOf(redis: RedisClient): Promise<RedisClient> {
  const sub = redis.duplicate();
  if (sub.status !== 'ready' && sub.status !== 'connecting' && sub.status !== 'connect') await sub.connect();
  return sub;
}

/** Key and channel names of one Aisle installation (`redis.keyPrefix`). */
export function redisKeys(prefix: string) {
  return {
    nodes: `${prefix}nodes`,
    alive: (nodeId: string) => `${prefix}node:${nodeId}:alive`,
    nodeAnswers: (nodeId: string) => `${prefix}node:${nodeId}:answers`,
    sweepClaim: (nodeId: string) => `${prefix}node:${nodeId}:swept`,
    nodeChannel: (nodeId: string) => `${prefix}node:${nodeId}:commands`,
    live: (conversationId: string) => `${prefix}live:${conversationId}`,
    starting: (conversationId: string) => `${prefix}starting:${conversationId}`,
    liveText: (messageId: string) => `${prefix}live-text:${messageId}`,
    slots: (host: string) => `${prefix}slots:${host}`,
    slotFreed: `${prefix}slot-freed`,
    rateLimit: `${prefix}rate:`,
    socketIo: `${prefix}socket.io`,
    socketIoSession: `${prefix}sio:session:`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
