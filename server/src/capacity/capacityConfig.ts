import type { LoadedConfig } from '../config/loadConfig';
import type { AdmissionLimits } from './admissionQueue';
import type { RateLimitSettings } from './rateLimits';

/**
 * The admission and rate limits as the config states them. Every value is read from `config()` on each
 * decision, so a hot-reloaded aisle.yaml applies to the next one.
 */

/** `maxParallel` per host (a host's own, else `ollama.maxParallel`) and the queue caps. */
export function admissionLimitsFrom(config: () => LoadedConfig): AdmissionLimits {
  return {
    capacity: (host) => {
      const { ollama } = config().config;
      return ollama.hosts.find((h) => h.name === host)?.maxParallel ?? ollama.maxParallel;
    },
    maxQueuedPerAddress: () => config().config.capacity.maxQueuedPerAddress,
    maxQueuedTotal: () => config().config.capacity.maxQueuedTotal,
  };
}

/** Per-minute budgets: sending and retrying share `chat.messagesPerMinute`. */
export function rateLimitsFrom(config: () => LoadedConfig): () => RateLimitSettings {
  return () => {
    const { chat, limits } = config().config;
    const perMinute = (points: number) => ({ points, durationSeconds: 60 });
    return {
      'model-call': perMinute(chat.messagesPerMinute),
      'request-human': perMinute(limits.requestHumanPerMinute),
      feedback: perMinute(limits.feedbackPerMinute),
      'session-create': perMinute(limits.sessionsPerAddressPerMinute),
    };
  };
}
