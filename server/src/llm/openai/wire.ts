import { z } from 'zod';
import type { LlmRole } from '../types';

/**
 * The OpenAI chat-completions wire format. Replies are validated with zod where they enter (loose
 * objects: servers add fields of their own); requests are typed only, as we build them.
 */

// ---- requests (what we send) ----

/** A tool call in an assistant message; arguments are a JSON string on this API. */
export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A chat message as OpenAI-compatible servers take it. */
export type OpenAiMessage =
  | { role: 'assistant'; content: string; tool_calls: OpenAiToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string }
  | { role: Exclude<LlmRole, 'tool'>; content: string };

/** A function offered to the model. */
export interface OpenAiTool {
  type: 'function';
  function: { name: string; description?: string; parameters: object };
}

/** Sampling fields of a request. */
export interface OpenAiSamplingFields {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  /** vLLM extensions. */
  top_k?: number;
  min_p?: number;
}

/** How thinking is switched, which depends on the server kind. */
export interface OpenAiThinkingFields {
  chat_template_kwargs?: { enable_thinking: boolean };
  reasoning_effort?: string;
}

/** The body of `POST /v1/chat/completions`. */
export type ChatCompletionBody = {
  model: string;
  messages: OpenAiMessage[];
  tools?: OpenAiTool[];
  stream: true;
  stream_options: { include_usage: true };
} & OpenAiSamplingFields &
  OpenAiThinkingFields;

// ---- replies (validated where data enters) ----

/** One tool-call fragment of a streamed delta. */
export const toolCallDeltaSchema = z.looseObject({
  index: z.number().int().min(0).nullish(),
  id: z.string().nullish(),
  function: z
    .looseObject({
      name: z.string().nullish(),
      // Standard servers send a string; a few send an object. Both are accepted.
      arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
    })
    .nullish(),
});

const deltaSchema = z.looseObject({
  content: z.string().nullish(),
  reasoning: z.string().nullish(),
  reasoning_content: z.string().nullish(),
  tool_calls: z.array(toolCallDeltaSchema).nullish(),
});

const usageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
});

const choiceSchema = z.looseObject({
  index: z.number().nullish(),
  delta: deltaSchema.nullish(),
  // A non-streamed completion (a server that ignored `stream: true`) has `message` instead.
  message: deltaSchema.nullish(),
  finish_reason: z.string().nullish(),
});

/** One streamed chunk, or a whole completion from a server that ignored `stream: true`. */
export const chunkSchema = z.looseObject({
  choices: z.array(choiceSchema).nullish(),
  usage: usageSchema.nullish(),
});
/** One streamed chunk (or a whole completion); validated where it enters. */
export type Chunk = z.infer<typeof chunkSchema>;
/** One tool-call fragment as it arrived. */
export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

const errorDetailSchema = z.looseObject({
  message: z.string(),
  type: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
});

/**
 * Both error shapes: `{"error":{"message",…}}` (OpenAI, Ollama /v1, newer vLLM) and
 * `{"object":"error","message",…}` (older vLLM); also `{"error":"…"}` and FastAPI's `{"detail":…}`.
 */
export function parseErrorBody(value: unknown): { message: string; type: string | null; isErrorShape: boolean } | null {
  const nested = z.looseObject({ error: errorDetailSchema }).safeParse(value);
  if (nested.success) return { message: nested.data.error.message, type: nested.data.error.type ?? null, isErrorShape: true };
  const flat = errorDetailSchema.extend({ object: z.literal('error') }).safeParse(value);
  if (flat.success) return { message: flat.data.message, type: flat.data.type ?? null, isErrorShape: true };
  const plain = z.looseObject({ error: z.string() }).safeParse(value);
  if (plain.success) return { message: plain.data.error, type: null, isErrorShape: true };
  const detail = z.looseObject({ detail: z.unknown() }).safeParse(value);
  if (detail.success)
    return {
      message: typeof detail.data.detail === 'string' ? detail.data.detail : JSON.stringify(detail.data.detail),
      type: null,
      isErrorShape: false,
    };
  return null;
}

/** `GET /v1/models`. */
export const modelsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });
/** vLLM `/version`, Ollama `/api/version`. */
export const versionSchema = z.looseObject({ version: z.string() });

/** JSON.parse that returns undefined instead of throwing. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body of `POST /v1/embeddings`. */
export interface EmbeddingsBody {
  model: string;
  input: string[];
  encoding_format: 'float';
  dimensions?: number;
}

/** `POST /v1/embeddings`: vectors with the index of the input each belongs to. */
export const embeddingsSchema = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().int().min(0), embedding: z.array(z.number()) })),
});
