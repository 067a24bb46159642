/**
 * The schema of aisle.yaml: one declarative zod object with a description on every field (it is also
 * the JSON Schema editors read). Long because the config is; splitting it by section would scatter the
 * cross-field checks at the end.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { AA_CONTRAST, contrastRatio, HEX_COLOUR, ON_ACCENT } from './contrast';

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
    maxParallel: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .optional()
      .describe("Answers this host serves at once; more wait in Aisle's fair line. Default: ollama.maxParallel."),
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

/** Names Express (proxy-addr) accepts for address ranges in "trust proxy". */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** True for an IP address, a CIDR range (`10.0.0.0/8`) or one of Express's range names. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

const proxyAddresses = z
  .string()
  .refine((s) => s.split(',').every((e) => isProxyAddress(e.trim())), 'addresses, CIDR ranges or "loopback", comma-separated');

const TRUST_PROXY_HELP =
  'write the number of proxies in front of Aisle (e.g. 1 for one nginx), or their addresses ("loopback", "10.0.0.5", "10.0.0.0/8"); false when clients connect directly';

/**
 * Express's "trust proxy", without `true`: trusting every hop lets a client write its own address
 * into X-Forwarded-For and so choose the key every per-address limit uses.
 */
const trustProxySchema = z.union(
  [z.literal(false), z.number().int().min(0).max(20), proxyAddresses, z.array(proxyAddresses).min(1)],
  {
    error: (issue) =>
      issue.input === true
        ? `true would trust any X-Forwarded-For a client sends (so it could pick its own address): ${TRUST_PROXY_HELP}`
        : TRUST_PROXY_HELP,
  },
);

/** Most characters one policy may have, inline or in its file: the model reads all of it on every policy question. */
export const MAX_POLICY_CHARS = 20_000;

/** Most characters of `chat.shopInstructions`: they are sent with every model call. */
export const MAX_SHOP_INSTRUCTIONS_CHARS = 2000;

const logoUrl = z
  .string()
  .refine(
    (v) => /^\/brand\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) || /^https:\/\/[^\s]+$/.test(v),
    'an https:// address or a file served by Aisle from <dataDir>/brand/, written /brand/logo.svg',
  )
  .describe(
    'The logo in the page header: an https:// address (its origin must be in server.imageOrigins) or /brand/<file> for a file in <dataDir>/brand/. Its alt text is brand.name.',
  );

const brandSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .default('Aisle')
      .describe("The shop's name for the assistant: page header, page title and how the assistant introduces itself."),
    logoUrl: logoUrl.optional(),
    accentColor: z
      .string()
      .regex(HEX_COLOUR, 'a CSS hex colour such as #0f766e')
      .optional()
      .superRefine((colour, ctx) => {
        if (colour === undefined || !HEX_COLOUR.test(colour)) return;
        const ratio = contrastRatio(colour, ON_ACCENT);
        if (ratio < AA_CONTRAST)
          ctx.addIssue({
            code: 'custom',
            message: `white text on ${colour} has contrast ${ratio.toFixed(2)}:1; WCAG AA needs at least ${AA_CONTRAST}:1 (buttons carry white text in this colour, links are written in it): pick a darker colour`,
          });
      })
      .describe(
        'Accent colour of buttons, links and the focus ring, e.g. "#7c3aed". Refused when white text on it is below WCAG AA contrast (4.5:1). Unset: the default teal.',
      ),
    greeting: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .optional()
      .describe('The heading of the empty chat, e.g. "Hi! What can we help you find today?".'),
    examplePrompts: z
      .array(z.string().trim().min(1).max(80, 'at most 80 characters'))
      .max(6, 'at most 6 example prompts')
      .optional()
      .describe('Example questions offered on the empty chat (at most 6, each up to 80 characters); clicking one sends it.'),
  })
  .strict();

/** A policy name: `returns`, `shipping`, `warranty`, `gift-wrapping`… (shown to the model as a topic). */
const policyName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a short lower-case name such as returns or gift-wrapping');

const policySchema = z
  .union([
    z.string().trim().min(1).max(MAX_POLICY_CHARS, `at most ${MAX_POLICY_CHARS} characters`),
    z
      .object({ file: z.string().min(1).describe('A Markdown file, relative to this config file (re-read on every reload).') })
      .strict(),
  ])
  .describe(`The policy as Markdown text, or { file: path } (at most ${MAX_POLICY_CHARS / 1000} KB).`);

/** One configured policy: the text itself or the file holding it. */
export type PolicySource = z.infer<typeof policySchema>;

const shopSchema = z
  .object({
    policies: z
      .object({ shipping: policySchema.optional(), returns: policySchema.optional(), warranty: policySchema.optional() })
      .catchall(policySchema)
      .default({})
      .describe(
        "The shop's own policies (shipping, returns, warranty, or any other name). The assistant answers policy questions only from these texts, through its get_policy tool; without any, it says the shop has not told it.",
      ),
  })
  .strict();

/** The name the single-host shorthand (`ollama.host` / OLLAMA_HOST) goes by in logs and traces. */
export const DEFAULT_HOST_NAME = 'default';

/**
 * The whole configuration. Every field has a default, so an empty aisle.yaml is valid; unknown keys
 * are errors so a typo never silently does nothing.
 */
/** One product feed the server syncs on a schedule (`catalogue.feeds`). */
const catalogueFeedSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'letters, digits, "-" and "_" (at most 40)')
      .refine((n) => !['demo', 'import'].includes(n.toLowerCase()), '"demo" and "import" name built-in sources')
      .describe('Names the source in the console and in `pnpm catalogue sync <name>`; products remember it.'),
    url: z
      .string()
      .min(1)
      .refine((u) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(u) || /^https?:\/\//i.test(u), 'an http(s) URL or a file path')
      .describe(
        'Where the feed is: an http(s) URL, or a file path (relative to the folder the server runs in). .gz is unpacked.',
      ),
    format: z
      .enum(['csv', 'tsv', 'jsonl', 'json'])
      .optional()
      .describe('The file format; detected from the name and the first bytes when omitted (Shopify CSV by its header).'),
    intervalMinutes: z.number().int().min(1).max(10_080).default(60).describe('Minutes between syncs.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'a three-letter currency code such as EUR')
      .optional()
      .describe('Currency of prices written without one (Shopify exports); default catalogue.currency.'),
    mode: z
      .enum(['full', 'incremental'])
      .default('full')
      .describe(
        'full: the feed is the whole catalogue, products it no longer lists are marked gone. incremental: only adds and updates.',
      ),
    maxRemoveShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("A full sync that would mark more than this share of the feed's products gone is refused (a broken export)."),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string())
      .optional()
      .describe('HTTP headers sent with the download, e.g. {Authorization: "Bearer ..."}; never logged or shown.'),
  })
  .strict();

/** The placeholders a cart URL template may use. */
const CART_PLACEHOLDERS = new Set(['{productId}', '{variantId}', '{quantity}']);

/** A cart template with sample values, to check the URL it makes. */
function fillCartTemplate(template: string): string {
  return template.replace(/\{(productId|variantId|quantity)\}/g, (_m, name: string) => (name === 'quantity' ? '1' : 'SKU-1'));
}

/**
 * Why a cart URL template is refused, or null. It must be a path on the shop ("/cart/..."; not
 * "//host", which leaves the shop) or an https URL, without credentials, spaces or unknown placeholders,
 * so a config edit cannot turn "Add to cart" into a javascript: link or a trip to another site.
 */
function cartTemplateProblem(template: string): string | null {
  if (template === '') return 'an empty template; use null for no cart button';
  if (/[\s\\<>"']/.test(template)) return 'no spaces, backslashes, quotes or angle brackets';
  const unknown = (template.match(/\{[^}]*\}/g) ?? []).find((p) => !CART_PLACEHOLDERS.has(p));
  if (unknown !== undefined) return `unknown placeholder ${unknown}; use {productId}, {variantId} or {quantity}`;
  if (/[{}]/.test(template.replace(/\{(productId|variantId|quantity)\}/g, ''))) return 'an unbalanced { or }';
  if (!template.includes('{productId}') && !template.includes('{variantId}'))
    return 'needs {productId} or {variantId}, or every card would add the same thing';
  if (template.startsWith('/')) return template.startsWith('//') ? 'a path starting with one /, not //' : null;
  let url: URL;
  try {
    url = new URL(fillCartTemplate(template));
  } catch {
    return 'a path such as /cart/{variantId}:{quantity} or an https URL';
  }
  if (url.protocol !== 'https:') return 'an https URL or a path on the shop';
  if (url.username !== '' || url.password !== '') return 'no user name or password in the URL';
  return null;
}

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
        publicUrl: z
          .url()
          .nullable()
          .default(null)
          .describe(
            'The address shoppers open, e.g. https://shop.example (behind a proxy). Its host is accepted as a Host header and its origin for sockets and sign-in.',
          ),
        allowedHosts: z
          .array(z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'a host name, optionally with a port, e.g. aisle.internal:8080'))
          .default([])
          .describe(
            'More names this server answers to (Host header), besides localhost, IP addresses and publicUrl; other names get 421, against DNS rebinding.',
          ),
        trustProxy: trustProxySchema
          .default(false)
          .describe(
            'Behind a reverse proxy: the number of proxies in front of Aisle (e.g. 1), or their addresses ("loopback", "10.0.0.5", "10.0.0.0/8"). Decides which X-Forwarded-For entry is the client address (sign-in limits, rate limits) and whether X-Forwarded-Proto counts. true is refused: it would let any client pick its own address. Restart to change.',
          ),
        imageOrigins: z
          .array(z.url())
          .default([])
          .describe(
            'Origins product images may load from besides this server, e.g. https://cdn.shop.example (added to the Content-Security-Policy img-src and sent to the page; a photo elsewhere shows as a placeholder). Applies to the next page load.',
          ),
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
        maxParallel: z
          .number()
          .int()
          .min(1)
          .max(1024)
          .default(4)
          .describe(
            "Answers one host serves at once (each of ollama.hosts unless it sets its own); more wait in a fair line and see their place. Set it to the server's OLLAMA_NUM_PARALLEL (vLLM: about --max-num-seqs). Default 4: Ollama before v0.10 and most GPU setups run 4; Ollama 0.10+ defaults to 1, where 3 answers then wait inside Ollama without a place shown.",
          ),
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
          .describe(
            'A text file of more shop instructions (path relative to this file), added after chat.shopInstructions. It cannot replace the built-in rules: those always come first.',
          ),
        shopInstructions: z
          .string()
          .trim()
          .max(MAX_SHOP_INSTRUCTIONS_CHARS, `at most ${MAX_SHOP_INSTRUCTIONS_CHARS} characters`)
          .nullable()
          .default(null)
          .describe(
            "The shop's own instructions for the assistant (tone, what to mention), added after the built-in prompt under a heading saying they cannot override its rules. See docs/system-prompt.md.",
          ),
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
        messagesPerMinute: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(20)
          .describe('Messages and retries per shopper session (one budget: each costs a model call).'),
        maxCards: z.number().int().min(0).max(12).default(6),
      })
      .strict()
      .prefault({}),
    capacity: z
      .object({
        maxQueuedPerAddress: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(10)
          .describe(
            'Answers one network address may have waiting for a model host; past it the shopper reads "busy right now, try again in a minute".',
          ),
        maxQueuedTotal: z
          .number()
          .int()
          .min(0)
          .max(100_000)
          .default(200)
          .describe('Answers that may wait for a model host in total, from everybody.'),
      })
      .strict()
      .prefault({})
      .describe('Admission in front of the model hosts: ollama.maxParallel answers run per host, the rest wait in a fair line.'),
    limits: z
      .object({
        requestHumanPerMinute: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(3)
          .describe('"Talk to a person" requests per shopper session (each one alerts every agent console).'),
        feedbackPerMinute: z.number().int().min(1).max(1000).default(30).describe('Thumbs up/down changes per shopper session.'),
        sessionsPerAddressPerMinute: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(30)
          .describe(
            'New shopper sessions per network address (browsers that already have one are not counted). 30 covers an office or a school behind one address opening the shop at once; a script opening hundreds is refused.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Per-minute limits on shopper actions; chat.messagesPerMinute covers sending and retrying (one budget).'),
    search: z
      .object({
        synonyms: z
          .array(z.array(z.string().trim().min(1).max(60)).min(2).max(50))
          .max(1000)
          .default([])
          .describe(
            "Extra synonym groups for catalogue search, e.g. [[beanie, toque, bobble hat]]: a shopper's word finds products that use any word of its group. Added to the built-in English groups (rucksack/backpack, trainers/sneakers, …); a group naming a built-in word extends it. Applies to the next search, no reindex.",
          ),
        catalogueLanguage: z
          .string()
          .regex(/^[a-z]{2,3}$/, 'a two- or three-letter language code, e.g. en')
          .default('en')
          .describe(
            "The language of the catalogue's product text (ISO 639 code, e.g. en or de). Misspelt words are corrected to catalogue words only for shoppers whose page is in this language: in another language a word the catalogue lacks is usually a correct word of that language, not a typo (German 'Wandern' is not 'lantern').",
          ),
      })
      .strict()
      .prefault({})
      .describe("Catalogue search: synonyms and the catalogue's language (typo tolerance uses the catalogue's own words)."),
    embedding: z
      .object({
        model: z
          .string()
          .min(1)
          .nullable()
          .default(null)
          .describe('Embedding model for semantic search, e.g. qwen3-embedding:0.6b; null for none (search is lexical only).'),
        dimensions: z
          .number()
          .int()
          .min(32)
          .max(8192)
          .nullable()
          .default(null)
          .describe(
            "Keep only this many dimensions of each vector (Matryoshka truncation: smaller index, slightly less precise); null for the model's own size. Changing it re-embeds the catalogue.",
          ),
        queryInstruction: z
          .string()
          .max(500)
          .nullable()
          .default(null)
          .describe(
            "Text put before each shopper query when it is embedded (Qwen3-Embedding's 'Instruct: …' line); null uses the model's own recommendation when Aisle knows it, an empty string none.",
          ),
        batchSize: z
          .number()
          .int()
          .min(1)
          .max(512)
          .default(32)
          .describe('Products embedded per request while indexing the catalogue in the background.'),
        concurrency: z
          .number()
          .int()
          .min(1)
          .max(16)
          .default(1)
          .describe(
            'Embedding requests in flight at once while indexing. Ollama serves an embedding model one request at a time, so more only helps on other servers.',
          ),
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
    handoff: z
      .object({
        offlineReplyText: z
          .string()
          .trim()
          .min(1)
          .max(300)
          .default("We'll reply by email within one working day.")
          .describe('What a shopper is told after leaving their email while no agent is online: when to expect a reply.'),
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
    brand: brandSchema.prefault({}).describe("The shop's name, logo, colour and welcome on the shopper page. Applied on reload."),
    shop: shopSchema.prefault({}),
    storefront: z
      .object({
        linkDomains: z
          .array(
            z
              .string()
              .toLowerCase()
              .regex(
                /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/,
                'a host name such as shop.example (no scheme, port or path)',
              ),
          )
          .default([])
          .describe(
            "Domains whose http(s) links in answers are clickable (their subdomains too); other links show as plain text. Empty: the domains of the catalogue's product links.",
          ),
        trackingParams: z
          .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a query parameter name such as utm_source'), z.string().max(200))
          .default({})
          .describe(
            'Query parameters added to every card\'s "View product" link, e.g. { utm_source: aisle, utm_medium: chat }. A parameter the product link already has is kept as it is.',
          ),
        cartUrlTemplate: z
          .string()
          .trim()
          .max(500)
          .nullable()
          .default(null)
          .superRefine((template, ctx) => {
            const problem = template === null ? null : cartTemplateProblem(template);
            if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
          })
          .describe(
            'Where "Add to cart" on the standalone chat page goes, with {productId}, {variantId} and {quantity} filled in: a path on the shop (e.g. Shopify /cart/{variantId}:{quantity}, WooCommerce /?add-to-cart={productId}), resolved against the product link\'s origin, or an https URL on one of linkDomains. null: no cart button there (the widget raises aisle:add-to-cart instead).',
          ),
      })
      .strict()
      .superRefine((storefront, ctx) => {
        const template = storefront.cartUrlTemplate;
        if (template === null || template.startsWith('/') || storefront.linkDomains.length === 0) return;
        const host = new URL(fillCartTemplate(template)).hostname;
        const onShop = storefront.linkDomains.some((d) => host === d || host.endsWith(`.${d}`));
        if (!onShop)
          ctx.addIssue({ code: 'custom', path: ['cartUrlTemplate'], message: `${host} is not one of storefront.linkDomains` });
      })
      .prefault({}),
    widget: z
      .object({
        allowedOrigins: z
          .array(z.url({ protocol: /^https?$/ }))
          .default([])
          .describe(
            'Shop origins that may embed the chat widget (<script src=".../widget.js">), e.g. https://shop.example. Only they may frame /embed (CSP frame-ancestors); any other page gets no widget.',
          ),
        position: z
          .enum(['bottom-right', 'bottom-left'])
          .default('bottom-right')
          .describe("Where the launcher button sits on the shop's pages, unless the tag says data-aisle-position."),
        openOnLoad: z
          .boolean()
          .default(false)
          .describe('Open the chat panel when a page loads, unless the tag says data-aisle-open.'),
      })
      .strict()
      .prefault({}),
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
        feeds: z
          .array(catalogueFeedSchema)
          .default([])
          .describe(
            'Product feeds the server keeps in sync on a schedule (hot-reloadable; `pnpm catalogue sync [name]` runs one now). The first real catalogue replaces the demo.',
          ),
      })
      .strict()
      .superRefine((catalogue, ctx) => {
        const seen = new Set<string>();
        catalogue.feeds.forEach((feed, i) => {
          if (seen.has(feed.name))
            ctx.addIssue({ code: 'custom', path: ['feeds', i, 'name'], message: `feed name "${feed.name}" is used twice` });
          seen.add(feed.name);
        });
      })
      .prefault({}),
    metrics: z
      .object({
        enabled: z.boolean().default(false).describe('Serve Prometheus metrics at GET /metrics. Off: /metrics answers 404.'),
        token: z
          .string()
          .min(16, 'at least 16 characters')
          .optional()
          .describe(
            'When set, /metrics requires "Authorization: Bearer <token>" (AISLE_METRICS_TOKEN overrides it). Without one, only clients on this machine that come in directly (not through a proxy) may read it.',
          ),
      })
      .strict()
      .prefault({}),
    tracing: z
      .object({
        otlpEndpoint: z
          .url()
          .nullable()
          .default(null)
          .describe(
            'Send OpenTelemetry traces (answer, catalogue search, model call) to this OTLP/HTTP collector, e.g. http://127.0.0.1:4318; null for none (OTEL_EXPORTER_OTLP_ENDPOINT overrides it). Restart to change.',
          ),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
          .nullable()
          .default(null)
          .describe(
            'Run several Aisle nodes together through this Redis (REDIS_URL overrides it): Socket.IO traffic, rate limits, the answer line, live answers and node heartbeats are shared. null: one node, all in memory. Restart to change.',
          ),
        keyPrefix: z
          .string()
          .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-" (at most 64)')
          .default('aisle:')
          .describe('Prefix of every Redis key and channel Aisle uses, so several shops can share one Redis. Restart to change.'),
        heartbeatMs: z
          .number()
          .int()
          .min(50)
          .max(60_000)
          .default(1000)
          .describe('How often each node says it is alive. Restart to change.'),
        nodeTimeoutMs: z
          .number()
          .int()
          .min(150)
          .max(300_000)
          .default(5000)
          .describe(
            'A node silent for this long is dead: another node marks its answers interrupted (the shopper sees Retry) and frees its places at the model hosts. Restart to change.',
          ),
      })
      .strict()
      .prefault({}),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .describe('Where the SQLite database lives (AISLE_DATA_DIR overrides it). Restart to change.'),
    database: z
      .object({
        url: z
          .string()
          .trim()
          .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// (or postgresql://) connection URL')
          .nullable()
          .default(null)
          .describe(
            'A PostgreSQL connection URL (postgres://user:password@host:5432/database) to keep the shop in PostgreSQL instead of the SQLite file in dataDir; null for SQLite (DATABASE_URL overrides it). Copy an existing shop over with `pnpm db:copy`. Restart to change.',
          ),
      })
      .strict()
      .prefault({}),
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
    const policyNames = Object.keys(config.shop.policies);
    for (const name of policyNames) {
      if (!policyName.safeParse(name).success)
        ctx.addIssue({
          code: 'custom',
          path: ['shop', 'policies', name],
          message: 'a policy name is short and lower-case, such as returns or gift-wrapping',
        });
    }
    if (policyNames.length > 12)
      ctx.addIssue({ code: 'custom', path: ['shop', 'policies'], message: 'at most 12 policies (merge related ones)' });
    const logo = config.brand.logoUrl;
    if (logo?.startsWith('https://')) {
      const origin = URL.canParse(logo) ? new URL(logo).origin : null;
      const allowed = config.server.imageOrigins.map((o) => new URL(o).origin);
      if (origin === null || !allowed.includes(origin))
        ctx.addIssue({
          code: 'custom',
          path: ['brand', 'logoUrl'],
          message: `images from ${origin ?? logo} are blocked by the page's Content-Security-Policy: add ${origin ?? 'its origin'} to server.imageOrigins, or put the file in <dataDir>/brand/ and write /brand/<file>`,
        });
    }
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
export type CatalogueFeed = z.infer<typeof catalogueFeedSchema>;
export type AisleConfigInput = z.input<typeof configSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type OllamaHostConfig = z.infer<typeof hostSchema>;
export type BrandConfig = z.infer<typeof brandSchema>;
