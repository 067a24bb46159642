import { randomInt } from 'node:crypto';
import { z } from 'zod';

/** Exact error texts Ollama puts in `{"error": …}` bodies (see shared/reference/ollama-wire.md §6). */
export const OLLAMA_ERRORS = {
  missingBody: 'missing request body',
  modelRequired: 'model is required',
  /** Note the TWO spaces after "again.": copied from server/sched.go. */
  busy: 'server busy, please try again.  maximum pending requests exceeded',
  toolCallParse: 'failed to parse JSON: unexpected end of JSON input',
  runner: 'an error was encountered while running the model',
  invalidInputType: 'invalid input type',
  inputTooLong: 'the input length exceeds the context length',
  chatModelNotFound: (name: string) => `model '${name}' not found`,
  embedModelNotFound: (name: string) => `model ${JSON.stringify(name)} not found, try pulling it first`,
  noChat: (name: string) => `${JSON.stringify(name)} does not support chat`,
  noThinking: (name: string) => `${JSON.stringify(name)} does not support thinking`,
  noTools: (fullName: string) => `${fullName} does not support tools`,
  invalidThink: (raw: string) => `invalid think value: ${raw} (must be "high", "medium", "low", "max", true, or false)`,
} as const;

/** Go's `%q`-style value Ollama reports for a bad `think`; JSON.stringify matches it for strings. */
const thinkLevels = ['high', 'medium', 'low', 'max'] as const;

const toolCallInSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().optional(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** A chat message as Ollama accepts it; unknown fields are ignored like Go's encoding/json does. */
export const chatMessageInSchema = z.looseObject({
  // Ollama lowercases the role on input (api.Message.UnmarshalJSON).
  role: z.string().transform((role) => role.toLowerCase()),
  content: z.string().optional().default(''),
  thinking: z.string().optional(),
  images: z.array(z.string()).nullish(),
  tool_calls: z.array(toolCallInSchema).nullish(),
  tool_name: z.string().optional(),
  tool_call_id: z.string().optional(),
});
export type ChatMessageIn = z.infer<typeof chatMessageInSchema>;

const toolSchema = z.looseObject({
  type: z.string().optional(),
  function: z.looseObject({
    name: z.string().optional(),
    description: z.string().optional(),
    parameters: z.unknown().optional(),
  }),
});

/** The `/api/chat` body, parsed as leniently as Ollama parses it. */
export const chatRequestSchema = z.looseObject({
  model: z.string().optional().default(''),
  messages: z.array(chatMessageInSchema).nullish(),
  tools: z.array(toolSchema).nullish(),
  stream: z.boolean().nullish(),
  // Checked by parseThink so a bad value gets Ollama's own message, whatever its JSON type.
  think: z.unknown().optional(),
  format: z.unknown().optional(),
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.number(), z.string()]).nullish(),
});
/** A parsed `/api/chat` request body as the double saw it. */
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;

export const embedRequestSchema = z.looseObject({
  model: z.string().optional().default(''),
  input: z.unknown().optional(),
  truncate: z.boolean().nullish(),
  dimensions: z.number().int().nullish(),
  keep_alive: z.union([z.number(), z.string()]).nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
});

/** show, pull and delete take `model`, or the deprecated `name` (which ollama-js still sends for pull). */
export const modelRefSchema = z.looseObject({
  model: z.string().nullish(),
  name: z.string().nullish(),
  stream: z.boolean().nullish(),
  verbose: z.boolean().nullish(),
});

/**
 * Turns a zod failure into the shape of Go's json error, so a wrong field type gets a 400 that
 * reads like Ollama's (the exact Go text depends on the input anyway).
 */
export function describeBodyError(error: z.ZodError, structName: string): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request body';
  const field = issue.path.join('.');
  return `json: cannot unmarshal value into Go struct field ${structName}.${field}: ${issue.message}`;
}

/** Normalises the `think` field: `undefined` when absent, or an error message for a bad value. */
export function parseThink(raw: unknown): { ok: true; value: boolean | string | undefined } | { ok: false; error: string } {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (typeof raw === 'string' && (thinkLevels as readonly string[]).includes(raw)) return { ok: true, value: raw };
  return { ok: false, error: OLLAMA_ERRORS.invalidThink(JSON.stringify(raw)) };
}

// Wall clock at start plus a monotonic offset: nanosecond resolution that never goes backwards.
const epochBaseNs = BigInt(Date.now()) * 1_000_000n;
const hrtimeBase = process.hrtime.bigint();

/**
 * Go's `time.Time` JSON: UTC, RFC 3339, nanoseconds with trailing zeros trimmed, so the number of
 * fractional digits varies from line to line as it does with real Ollama.
 */
export function goTimestamp(): string {
  const nowNs = epochBaseNs + (process.hrtime.bigint() - hrtimeBase);
  const iso = new Date(Number(nowNs / 1_000_000n)).toISOString(); // 2026-08-20T09:15:02.118Z
  const fraction = (nowNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

const idAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** `call_` + 8 × [a-z0-9], like Ollama's toolCallId(). */
export function toolCallId(): string {
  let id = 'call_';
  for (let i = 0; i < 8; i += 1) id += idAlphabet[randomInt(idAlphabet.length)];
  return id;
}

/** A tool call exactly as Ollama serialises it. */
export interface WireToolCall {
  id: string;
  function: { index: number; name: string; arguments: Record<string, unknown> };
}

/** `message` of a chat response; `content` is always present, the rest only when non-empty. */
export interface WireMessage {
  role: 'assistant';
  content: string;
  thinking?: string;
  tool_calls?: WireToolCall[];
}

/** Metrics carried only by the final `done:true` object (all in integer nanoseconds except counts). */
export interface WireMetrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/** Builds `message` with Go's field order and omitempty rules. */
export function wireMessage(content: string, thinking?: string, toolCalls?: WireToolCall[]): WireMessage {
  const message: WireMessage = { role: 'assistant', content };
  if (thinking) message.thinking = thinking;
  if (toolCalls && toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

/** One chat response object in Go's serialisation order. */
export function chatChunk(
  model: string,
  message: WireMessage,
  final?: { doneReason: string; metrics?: WireMetrics },
): Record<string, unknown> {
  const chunk: Record<string, unknown> = { model, created_at: goTimestamp(), message, done: final !== undefined };
  if (final) {
    if (final.doneReason) chunk.done_reason = final.doneReason;
    if (final.metrics) {
      // omitempty: a zero metric is left out, as Go does.
      for (const [key, value] of Object.entries(final.metrics)) if (value) chunk[key] = value;
    }
  }
  return chunk;
}

/** JSON as Go writes it; with `htmlEscape` the bytes match Go's `json.Marshal` (`<` → `\u003c` …). */
export function toJson(value: unknown, htmlEscape: boolean): string {
  const json = JSON.stringify(value);
  if (!htmlEscape) return json;
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
