import { z } from 'zod';

const duration = z
  .union([z.number().int(), z.string().regex(/^-?\d+(\.\d+)?(ms|s|m|h)$/, 'a Go duration like "10m" or "1h"')])
  .describe(
    'How long Ollama keeps the model in memory after a request: seconds, or a Go duration like "30m". -1 keeps it forever.',
  );

const think = z
  .union([z.boolean(), z.enum(['low', 'medium', 'high'])])
  .describe('Let the model think before answering (Qwen3 thinks by default on Ollama). Thinking text is stored, never shown.');

const numCtx = z
  .number()
  .int()
  .min(512)
  .max(1_048_576)
  .describe('Context window in tokens. Sent on every request: changing it makes Ollama reload the model.');
const temperature = z.number().min(0).max(2);
const numPredict = z.number().int().min(16).max(32_768).describe('Most tokens one model call may generate.');

/** Ollama request options Aisle sends. `num_ctx` is sent on every request: a change reloads the model. */
const modelOptionsSchema = z
  .object({
    num_ctx: numCtx.default(8192),
    temperature: temperature.default(0.6),
    top_p: z.number().min(0).max(1).optional(),
    num_predict: numPredict.default(1024),
    seed: z.number().int().optional(),
  })
  .strict();

/** The same options without defaults: a model entry overrides only what it names. */
const modelOptionOverridesSchema = z
  .object({
    num_ctx: numCtx.optional(),
    temperature: temperature.optional(),
    top_p: z.number().min(0).max(1).optional(),
    num_predict: numPredict.optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/** Host names are short labels used in `models.<name>.hosts`, logs and answer traces. */
const hostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a short name of letters, digits, "-", "_" or "."');

const hostSchema = z
  .object({
    name: hostName.describe('Short label used in models.<model>.hosts, logs and answer traces, e.g. "gpu".'),
    url: z.url().describe('Base URL of the server, e.g. http://gpu-box:11434 (Ollama) or http://gpu-box:8000 (vLLM).'),
    type: z
      .enum(['ollama', 'openai'])
      .default('ollama')
      .describe('"ollama" for Ollama\'s native API; "openai" for an OpenAI-compatible server (vLLM, SGLang, Ollama\'s /v1).'),
    kind: z
      .enum(['vllm', 'openai', 'ollama-v1'])
      .optional()
      .describe(
        'For type "openai": which server it is, so its extra fields (reasoning, version) are understood. Default "openai".',
      ),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional()
      .describe('For type "openai": the environment variable holding the API key (the key itself never goes in this file).'),
  })
  .strict();

/**
 * Per-model settings. Anything left out falls back to the `chat` defaults, so a model needs an entry
 * only when it differs (a bigger context, thinking on, a GPU host).
 */
const modelEntrySchema = z
  .object({
    think: think.optional(),
    keepAlive: duration.optional(),
    options: modelOptionOverridesSchema.optional().describe('Overrides chat.options for this model, key by key.'),
    hosts: z
      .array(hostName)
      .min(1)
      .optional()
      .describe(
        'Names from ollama.hosts in order of preference; the first healthy one serves. Default: every host, in the order listed.',
      ),
  })
  .strict();

/** The name the single-host shorthand (`ollama.host` / OLLAMA_HOST) goes by in logs and traces. */
export const DEFAULT_HOST_NAME = 'default';

/**
 * The whole configuration. Every field has a default, so an empty aisle.yaml is valid; unknown keys
 * are errors so a typo never silently does nothing.
 */
export const configSchema = z
  .object({
    server: z
      .object({
        host: z
          .string()
          .default('127.0.0.1')
          .describe('Address to listen on; 0.0.0.0 accepts connections from other machines. Restart to change.'),
        port: z.number().int().min(0).max(65_535).default(3000).describe('HTTP port. Restart to change.'),
        allowedOrigins: z
          .array(z.url())
          .default([])
          .describe("Extra browser origins allowed to open chat sockets (the server's own origin always is)."),
        trustProxy: z
          .union([z.boolean(), z.number().int(), z.string()])
          .default(false)
          .describe('Set when behind a reverse proxy that terminates TLS (Express "trust proxy"). Restart to change.'),
        imageOrigins: z
          .array(z.url())
          .default([])
          .describe('Extra origins product images may load from (added to the Content-Security-Policy). Restart to change.'),
      })
      .strict()
      .prefault({}),
    ollama: z
      .object({
        host: z
          .url()
          .default('http://127.0.0.1:11434')
          .describe('The Ollama server when ollama.hosts is empty (OLLAMA_HOST overrides it).'),
        hosts: z
          .array(hostSchema)
          .default([])
          .describe(
            'Several Ollama servers, e.g. a GPU box and a fallback. When set, ollama.host is not used. Models choose hosts in models.<model>.hosts.',
          ),
        healthCheckIntervalMs: z
          .number()
          .int()
          .min(1000)
          .max(3_600_000)
          .default(30_000)
          .describe('How often every host is checked (GET /api/version).'),
        healthCheckTimeoutMs: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .default(1500)
          .describe('A host that takes longer than this to answer a health check counts as down.'),
        firstTokenTimeoutMs: z
          .number()
          .int()
          .min(100)
          .max(290_000)
          .default(120_000)
          .describe('Longest wait for Ollama to start answering (a cold model load counts).'),
        idleTimeoutMs: z
          .number()
          .int()
          .min(100)
          .max(290_000)
          .default(60_000)
          .describe('Longest silence between two chunks once an answer is streaming.'),
        busyRetries: z
          .number()
          .int()
          .min(0)
          .max(10)
          .default(3)
          .describe('How often a "server busy" (503) is retried, with exponential backoff, before giving up.'),
        busyRetryBaseMs: z.number().int().min(1).max(60_000).default(1000),
      })
      .strict()
      .prefault({}),
    chat: z
      .object({
        model: z
          .string()
          .min(1)
          .default('qwen3:4b')
          .describe(
            'The chat model (AISLE_MODEL overrides it). Needs the "tools" capability. Run `pnpm models` to check it is pulled.',
          ),
        think: think.default(false),
        keepAlive: duration.default('30m'),
        options: modelOptionsSchema
          .prefault({})
          .describe('Default Ollama options for every model; models.<model>.options override them.'),
        systemPromptFile: z
          .string()
          .nullable()
          .default(null)
          .describe('A text file whose content replaces the built-in system prompt (path relative to this file).'),
        maxToolRounds: z
          .number()
          .int()
          .min(1)
          .max(8)
          .default(4)
          .describe('Most model calls per answer; the last one is offered no tools so the model has to answer.'),
        maxMessageChars: z.number().int().min(1).max(20_000).default(4000),
        historyMessages: z
          .number()
          .int()
          .min(2)
          .max(200)
          .default(20)
          .describe('Messages of history sent with each request (older ones are left out).'),
        prefetchProducts: z
          .number()
          .int()
          .min(0)
          .max(20)
          .default(6)
          .describe("Products put in front of the model from a search on the shopper's words before the first call."),
        answerTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(3_600_000)
          .default(300_000)
          .describe('An answer still running after this long is stopped and marked failed.'),
        disconnectGraceMs: z
          .number()
          .int()
          .min(0)
          .max(600_000)
          .default(15_000)
          .describe('How long an answer keeps generating with nobody connected (reloads and network drops).'),
        coalesceMs: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(25)
          .describe('At most one delta emit per stream per this many ms. The first token is never held back.'),
        messagesPerMinute: z.number().int().min(1).max(1000).default(20).describe('Per shopper session.'),
        maxCards: z.number().int().min(0).max(12).default(6),
      })
      .strict()
      .prefault({}),
    embedding: z
      .object({
        model: z
          .string()
          .min(1)
          .nullable()
          .default(null)
          .describe('Embedding model for semantic search, e.g. qwen3-embedding:0.6b; null for none.'),
      })
      .strict()
      .prefault({}),
    models: z
      .record(z.string().min(1), modelEntrySchema)
      .default({})
      .describe(
        'Per-model settings keyed by model name (quote names with a colon, e.g. "qwen3:8b"). Also lists candidate models `pnpm models` checks.',
      ),
    agents: z
      .object({
        loginWindowSeconds: z
          .number()
          .positive()
          .default(15 * 60)
          .describe(
            'Failed agent sign-ins are counted over this many seconds; a locked account or address unlocks when it ends (AISLE_AGENT_LOGIN_WINDOW_S overrides it). Restart to change.',
          ),
      })
      .strict()
      .prefault({}),
    privacy: z
      .object({
        retentionDays: z
          .number()
          .int()
          .min(1)
          .nullable()
          .default(null)
          .describe(
            'Delete conversations older than this many days (checked hourly); null keeps them (AISLE_RETENTION_DAYS overrides it).',
          ),
      })
      .strict()
      .prefault({}),
    experiment: z
      .object({
        name: z
          .string()
          .min(1)
          .max(60)
          .describe('Recorded on every conversation in the experiment; change it to start a new one.'),
        candidate: z.string().min(1).describe('The model new conversations are routed to, e.g. qwen3:8b.'),
        share: z.number().min(0).max(1).describe('Share of new conversations that get the candidate, e.g. 0.2 for 20%.'),
      })
      .strict()
      .nullable()
      .default(null)
      .describe(
        'Route a share of new conversations to a candidate model, sticky per conversation, to compare it with chat.model.',
      ),
    catalogue: z
      .object({
        loadDemoWhenEmpty: z
          .boolean()
          .default(true)
          .describe('Load the built-in demo catalogue on first start when the catalogue is empty.'),
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'a three-letter currency code such as EUR')
          .nullable()
          .default(null)
          .describe(
            "The shop's currency, e.g. EUR: used by `pnpm catalogue import` for prices written without one and for Shopify exports (which have no currency column). --currency overrides it.",
          ),
        shopUrl: z
          .url({ protocol: /^https?$/ })
          .nullable()
          .default(null)
          .describe(
            "The storefront's address, e.g. https://shop.example: Shopify imports link each product to <shopUrl>/products/<handle>. --shop-url overrides it.",
          ),
      })
      .strict()
      .prefault({}),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Where the SQLite database lives (AISLE_DATA_DIR overrides it). Restart to change.'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Cross-field checks: host names are unique and every model's host list names known hosts.
    const seen = new Set<string>();
    config.ollama.hosts.forEach((h, i) => {
      if (seen.has(h.name))
        ctx.addIssue({ code: 'custom', path: ['ollama', 'hosts', i, 'name'], message: `host name "${h.name}" is used twice` });
      seen.add(h.name);
    });
    const known = config.ollama.hosts.length > 0 ? [...seen] : [DEFAULT_HOST_NAME];
    for (const [model, entry] of Object.entries(config.models)) {
      entry.hosts?.forEach((name, i) => {
        if (!known.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', model, 'hosts', i],
            message: `unknown host "${name}"; ollama.hosts names: ${known.join(', ')}`,
          });
        }
      });
    }
  });

export type AisleConfig = z.infer<typeof configSchema>;
export type AisleConfigInput = z.input<typeof configSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type OllamaHostConfig = z.infer<typeof hostSchema>;
