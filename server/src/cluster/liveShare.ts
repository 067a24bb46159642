import { randomUUID } from 'node:crypto';
import type { AnswerPhase } from '@aisle/shared';
import type { Generation, LiveShare, RemoteGeneration, StopReason } from '../chat/liveGenerations';
import type { Logger } from '../logger';
import type { RedisClient, RedisKeys } from './redisConnection';

/**
 * The live answers of every node in Redis. Per conversation a hash says which answer runs, on which
 * node, in which phase; per answer a string holds every piece of text sent so far, appended in order
 * (APPEND on the node's one connection, before the piece is broadcast), so its length is the offset of
 * the next piece and any node can resume a shopper exactly. Each node also lists the answers it runs,
 * for the sweeper (`nodeHeartbeat.ts`). Stop and take-over reach the running node on its own channel.
 */

/** A live answer is forgotten after this long at the latest, even if nobody cleans it up. */
const LIVE_TTL_MS = 60 * 60 * 1000;
/** How long a stop asked of another node may take (the answer is committed there before it replies). */
const STOP_REPLY_MS = 15_000;

/** Reads the conversation's live answer and its text in one step. */
const FIND_SCRIPT = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return nil end
local fields = {}
for i = 1, #h, 2 do fields[h[i]] = h[i + 1] end
local text = redis.call('GET', ARGV[1] .. fields['messageId']) or ''
table.insert(h, 'content')
table.insert(h, text)
return h`;

/** Claims the set-up of a conversation's next answer unless one runs: KEYS = live, starting; ARGV = node, ms. */
const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

/** Releases a claim this node holds. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

/** A claim outlives a node that died while setting an answer up by at most this long. */
const CLAIM_MS = 30_000;

/** Forgets an answer, unless a newer one of the conversation has replaced it. */
const END_SCRIPT = `
if redis.call('HGET', KEYS[1], 'messageId') == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1`;

type Command = { type: 'stop'; requestId: string; from: string; conversationId: string; reason: StopReason };
type Reply = { type: 'stopped'; requestId: string; messageId: string | null };

export interface RedisLiveShare extends LiveShare {
  /** Answers stop requests from other nodes with `stopHere` (set once the chat service exists). */
  serve(stopHere: (conversationId: string, reason: StopReason) => Promise<string | null>): void;
  /** What a dead node's answers had sent, then forgets them (the sweeper, after marking them failed). */
  answersOf(nodeId: string): Promise<Array<{ conversationId: string; messageId: string; content: string }>>;
  forget(nodeId: string, answers: ReadonlyArray<{ conversationId: string; messageId: string }>): Promise<void>;
  /** The message ids of every answer a listed node runs or ran (a dead one's are left to the sweeper). */
  listedAnswerIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createRedisLiveShare(options: {
  redis: RedisClient;
  subscriber: RedisClient;
  keys: RedisKeys;
  nodeId: string;
  logger: Logger;
}): Promise<RedisLiveShare> {
  const { redis, subscriber, keys, nodeId } = options;
  const log = options.logger.child({ area: 'cluster' });
  const textPrefix = keys.liveText('');
  const waiting = new Map<string, (reply: Reply) => void>();
  let stopHere: ((conversationId: string, reason: StopReason) => Promise<string | null>) | null = null;
  const report = (what: string) => (err: unknown) => log.warn({ err }, what);

  const myChannel = keys.nodeChannel(nodeId);
  await subscriber.subscribe(myChannel);
  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== myChannel) return;
    let message: Command | Reply;
    try {
      message = JSON.parse(raw) as Command | Reply;
    } catch {
      return;
    }
    if (message.type === 'stopped') {
      waiting.get(message.requestId)?.(message);
      return;
    }
    const { requestId, from, conversationId, reason } = message;
    void (async () => {
      const messageId = stopHere ? await stopHere(conversationId, reason) : null;
      const reply: Reply = { type: 'stopped', requestId, messageId };
      await redis.publish(keys.nodeChannel(from), JSON.stringify(reply));
    })().catch(report('could not answer a stop from another node'));
  });

  return {
    started(conversationId, messageId) {
      redis
        .multi()
        .hset(keys.live(conversationId), { messageId, node: nodeId, phase: 'waiting' })
        .pexpire(keys.live(conversationId), LIVE_TTL_MS)
        .set(keys.liveText(messageId), '', 'PX', LIVE_TTL_MS)
        .hset(keys.nodeAnswers(nodeId), conversationId, messageId)
        .exec()
        .catch(report('could not share a live answer'));
    },

    appended(event) {
      redis.append(keys.liveText(event.messageId), event.text).catch(report('could not share live text'));
    },

    phaseChanged(generation: Generation) {
      const key = keys.live(generation.conversationId);
      const fields: Record<string, string> = { phase: generation.phase };
      if (generation.detail) fields.detail = generation.detail;
      if (generation.position !== undefined) fields.position = String(generation.position);
      const stale = ['detail', 'position'].filter((f) => !(f in fields));
      const tx = redis.multi().hset(key, fields);
      if (stale.length > 0) tx.hdel(key, ...stale);
      tx.exec().catch(report('could not share an answer phase'));
    },

    ended(conversationId, messageId) {
      redis
        .eval(
          END_SCRIPT,
          3,
          keys.live(conversationId),
          keys.liveText(messageId),
          keys.nodeAnswers(nodeId),
          messageId,
          conversationId,
        )
        .catch(report('could not forget a live answer'));
    },

    async claim(conversationId) {
      const claimed = await redis.eval(
        CLAIM_SCRIPT,
        2,
        keys.live(conversationId),
        keys.starting(conversationId),
        nodeId,
        CLAIM_MS,
      );
      return claimed === 1;
    },

    release(conversationId) {
      redis.eval(RELEASE_SCRIPT, 1, keys.starting(conversationId), nodeId).catch(report('could not release a conversation'));
    },

    async find(conversationId): Promise<RemoteGeneration | null> {
      const flat = (await redis.eval(FIND_SCRIPT, 1, keys.live(conversationId), textPrefix)) as string[] | null;
      if (!flat) return null;
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
      const messageId = fields.get('messageId');
      if (!messageId) return null;
      const position = Number(fields.get('position'));
      const detail = fields.get('detail');
      return {
        messageId,
        content: fields.get('content') ?? '',
        phase: (fields.get('phase') ?? 'waiting') as AnswerPhase,
        ...(detail ? { detail } : {}),
        ...(Number.isInteger(position) && position > 0 ? { position } : {}),
      };
    },

    async stop(conversationId, reason) {
      const [messageId, node] = await redis.hmget(keys.live(conversationId), 'messageId', 'node');
      if (!messageId || !node) return null;
      // A dead node cannot stop anything: its answer is about to be marked interrupted by the sweep.
      if ((await redis.exists(keys.alive(node))) === 0) return messageId;
      const requestId = randomUUID();
      const replied = new Promise<string | null>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(requestId);
          // No reply: the node is dead or stuck; the sweeper marks its answer interrupted.
          log.warn({ conversationId, node }, 'no reply to a stop from the node running the answer');
          resolve(messageId);
        }, STOP_REPLY_MS);
        waiting.set(requestId, (reply) => {
          clearTimeout(timer);
          waiting.delete(requestId);
          resolve(reply.messageId);
        });
      });
      const command: Command = { type: 'stop', requestId, from: nodeId, conversationId, reason };
      await redis.publish(keys.nodeChannel(node), JSON.stringify(command));
      return replied;
    },

    serve(handler) {
      stopHere = handler;
    },

    async answersOf(deadNode) {
      const running = await redis.hgetall(keys.nodeAnswers(deadNode));
      const entries = Object.entries(running);
      const texts = entries.length > 0 ? await redis.mget(entries.map(([, messageId]) => keys.liveText(messageId))) : [];
      return entries.map(([conversationId, messageId], i) => ({ conversationId, messageId, content: texts[i] ?? '' }));
    },

    async forget(deadNode, answers) {
      for (const a of answers) {
        await redis.eval(
          END_SCRIPT,
          3,
          keys.live(a.conversationId),
          keys.liveText(a.messageId),
          keys.nodeAnswers(deadNode),
          a.messageId,
          a.conversationId,
        );
      }
      await redis.del(keys.nodeAnswers(deadNode));
    },

    async listedAnswerIds() {
      const nodes = await redis.smembers(keys.nodes);
      const ids = await Promise.all(nodes.map((n) => redis.hvals(keys.nodeAnswers(n))));
      return ids.flat();
    },

    async close() {
      await subscriber.unsubscribe(myChannel).catch(() => undefined);
    },
  };
}
