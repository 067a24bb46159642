import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The one logger. Structured JSON; areas get child loggers (`logger.child({ area: 'chat' })`).
 * Shopper text is never logged, only ids and sizes.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'aisle' },
    redact: { paths: ['req.headers.cookie', 'cookie', 'password', 'text', 'content'], censor: '[redacted]' },
  });
}
