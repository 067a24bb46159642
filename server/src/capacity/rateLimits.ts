import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Shopper actions that are rate-limited. */
export const RATE_ACTIONS = ['send', 'retry', 'request-human', 'feedback', 'refine', 'session-create'] as const;
export type RateAction = (typeof RATE_ACTIONS)[number];

/** A budget several actions may draw on. */
export type RateBudget = 'model-call' | 'request-human' | 'feedback' | 'session-create';

/**
 * Which budget each action spends. Sending and retrying both cost a model call, so they share one budget
 * (retrying must not be a way around the send limit).
 */
export const BUDGET_OF_ACTION = {
  send: 'model-call',
  retry: 'model-call',
  'request-human': 'request-human',
  feedback: 'feedback',
  // Editing an answer's filters searches the catalogue but calls no model: it shares the light feedback budget.
  refine: 'feedback',
  'session-create': 'session-create',
} as const satisfies Record<RateAction, RateBudget>;

/** `points` actions per `durationSeconds`, per key. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** One limit per budget. The caller chooses the key: the session for chat actions, the address for `session-create`. */
export type RateLimitSettings = Record<RateBudget, RateLimit>;

/** Starting values, the same as the config defaults (`chat.messagesPerMinute` and `limits`). */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  'model-call': { points: 20, durationSeconds: 60 },
  'request-human': { points: 3, durationSeconds: 60 },
  feedback: { points: 30, durationSeconds: 60 },
  'session-create': { points: 30, durationSeconds: 60 },
};

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** Rate limits per key and action; an interface so a shared (Redis) store can replace memory on several nodes. */
export interface RateLimits {
  /** Spends one point of the action's budget for `key`, or says how long to wait when it is spent. */
  consume(key: string, action: RateAction): Promise<RateDecision>;
}

/** Builds a limiter for one budget; the default keeps counts in memory. */
export type LimiterFactory = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

export interface RateLimitsOptions {
  /** Read on every call, so a hot-reloaded config applies at once. */
  limits: () => RateLimitSettings;
  /** E.g. `(o) => new RateLimiterRedis({ ...o, storeClient })` for several nodes. */
  createLimiter?: LimiterFactory;
}

/**
 * Rate limits over rate-limiter-flexible: it does fixed windows per key with expiry, and offers the same
 * API over Redis, which is what several nodes will need.
 */
export function createRateLimits(options: RateLimitsOptions): RateLimits {
  const createLimiter: LimiterFactory = options.createLimiter ?? ((o) => new RateLimiterMemory(o));
  const limiters = new Map<RateBudget, { limit: RateLimit; limiter: RateLimiterAbstract }>();

  /** The budget's limiter, rebuilt when its limit changed (its counts start afresh then). */
  function limiterFor(budget: RateBudget): RateLimiterAbstract {
    const limit = options.limits()[budget];
    const current = limiters.get(budget);
    if (current !== undefined && current.limit.points === limit.points && current.limit.durationSeconds === limit.durationSeconds)
      return current.limiter;
    const limiter = createLimiter({ keyPrefix: `aisle-${budget}`, points: limit.points, duration: limit.durationSeconds });
    limiters.set(budget, { limit: { ...limit }, limiter });
    return limiter;
  }

  return {
    async consume(key, action) {
      try {
        await limiterFor(BUDGET_OF_ACTION[action]).consume(key);
        return { ok: true };
      } catch (err) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the budget is spent, an Error when its store fails.
        if (err instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, err.msBeforeNext) };
        throw err;
      }
    },
  };
}
