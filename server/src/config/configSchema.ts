import { z } from 'zod';

const duration = z.union([z.number().int(), z.string().regex(/^-?\d+(\.\d+)?(ms|s|m|h)$/, 'a Go duration like "10m" or "1h"')]);

/** Ollama request options Aisle sends. `num_ctx` is sent on every request: a change reloads the model. */
const modelOptionsSchema = z
  .object({
    num_ctx: z.number().int().min(512).max(1_048_576).default(8192),
    temperature: z.number().min(0).max(2).default(0.6),
    top_p: z.number().min(0).max(1).optional(),
    num_predict: z.number().int().min(16).max(32_768).default(1024),
    seed: z.number().int().optional(),
  })
  .strict();

/**
 * The whole configuration. Every field has a default, so an empty aisle.yaml is valid; unknown keys
 * are errors so a typo never silently does nothing.
 */
export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(3000),
        /** Extra browser origins allowed to open sockets (the server's own origin always is). */
        allowedOrigins: z.array(z.url()).default([]),
        /** Set when behind a reverse proxy that terminates TLS (Express `trust proxy`). */
        trustProxy: z.union([z.boolean(), z.number().int(), z.string()]).default(false),
        /** Extra origins product images may load from (added to the Content-Security-Policy). */
        imageOrigins: z.array(z.url()).default([]),
      })
      .strict()
      .prefault({}),
    ollama: z
      .object({
        host: z.url().default('http://127.0.0.1:11434'),
        /** Longest wait for Ollama to start answering (a cold model load counts). */
        firstTokenTimeoutMs: z.number().int().min(100).max(290_000).default(120_000),
        /** Longest silence between two chunks once an answer is streaming. */
        idleTimeoutMs: z.number().int().min(100).max(290_000).default(60_000),
        /** How often a "server busy" (503) is retried, with exponential backoff, before giving up. */
        busyRetries: z.number().int().min(0).max(10).default(3),
        busyRetryBaseMs: z.number().int().min(1).max(60_000).default(1000),
      })
      .strict()
      .prefault({}),
    chat: z
      .object({
        model: z.string().min(1).default('qwen3:4b'),
        /** Qwen3 thinks by default on Ollama; off keeps answers fast. Thinking text is stored, never shown. */
        think: z.union([z.boolean(), z.enum(['low', 'medium', 'high'])]).default(false),
        keepAlive: duration.default('30m'),
        options: modelOptionsSchema.prefault({}),
        /** A file whose text replaces the built-in system prompt (path relative to the config file). */
        systemPromptFile: z.string().nullable().default(null),
        maxToolRounds: z.number().int().min(1).max(8).default(4),
        maxMessageChars: z.number().int().min(1).max(20_000).default(4000),
        /** Messages of history sent with each request (older ones are left out). */
        historyMessages: z.number().int().min(2).max(200).default(20),
        /** Products put in front of the model from a search on the shopper's words before the first call. */
        prefetchProducts: z.number().int().min(0).max(20).default(6),
        answerTimeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000),
        /** How long an answer keeps generating with nobody connected (reloads and network drops). */
        disconnectGraceMs: z.number().int().min(0).max(600_000).default(15_000),
        /** At most one delta emit per stream per this many ms. The first token is never held back. */
        coalesceMs: z.number().int().min(0).max(100).default(25),
        /** Per shopper session. */
        messagesPerMinute: z.number().int().min(1).max(1000).default(20),
        maxCards: z.number().int().min(0).max(12).default(6),
      })
      .strict()
      .prefault({}),
    catalogue: z
      .object({
        /** Load the built-in demo catalogue on first start when the catalogue is empty. */
        loadDemoWhenEmpty: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    dataDir: z.string().min(1).default('./data'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type AisleConfig = z.infer<typeof configSchema>;
export type AisleConfigInput = z.input<typeof configSchema>;
