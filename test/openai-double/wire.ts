import { randomInt } from 'node:crypto';
import { z } from 'zod';

const toolCallInSchema = z.looseObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), z.null()]);

const messageInSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: contentSchema.optional(),
  tool_calls: z.array(toolCallInSchema).optional(),
  tool_call_id: z.string().optional(),
});

/** The `/v1/chat/completions` body as the double accepts it (OpenAI's rules, unknown fields ignored). */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageInSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function'),
        function: z.looseObject({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.unknown().optional(),
        }),
      }),
    )
    .nullish(),
  max_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  seed: z.number().int().nullish(),
  chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
  reasoning_effort: z.string().nullish(),
});
/** A parsed chat completion request. */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/**
 * The checks OpenAI and vLLM make on a history: every tool result answers a call made earlier, and
 * call arguments are JSON. Returns the error message, or null when the history is valid.
 */
export function historyError(request: ChatCompletionRequest): string | null {
  const callIds = new Set<string>();
  for (const message of request.messages) {
    for (const call of message.tool_calls ?? []) {
      try {
        JSON.parse(call.function.arguments);
      } catch {
        return `Invalid JSON in the arguments of tool call ${call.id}.`;
      }
      callIds.add(call.id);
    }
    if (message.role === 'tool') {
      if (!message.tool_call_id) return "Missing required parameter: 'messages[].tool_call_id'.";
      if (!callIds.has(message.tool_call_id)) {
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      }
    }
  }
  return null;
}

/** The text of a message whatever its content form. */
export function messageText(content: z.infer<typeof contentSchema> | undefined): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => part.text ?? '').join('');
}

const idAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** A random id with a prefix, e.g. `chatcmpl-…` or `call_…`. */
export function randomId(prefix: string, length = 12): string {
  let id = prefix;
  for (let i = 0; i < length; i += 1) id += idAlphabet[randomInt(idAlphabet.length)];
  return id;
}

/** An error body in either shape. */
export function errorBody(shape: 'nested' | 'flat', status: number, message: string, type: string): Record<string, unknown> {
  return shape === 'flat'
    ? { object: 'error', message, type, param: null, code: status }
    : { error: { message, type, param: null, code: status } };
}

/** vLLM-style error type names for a status (`flat`), or OpenAI-style ones (`nested`). */
export function errorType(shape: 'nested' | 'flat', status: number): string {
  if (shape === 'flat') {
    if (status === 404) return 'NotFoundError';
    if (status === 400) return 'BadRequestError';
    if (status === 401) return 'AuthenticationError';
    if (status === 429 || status === 503) return 'ServiceUnavailableError';
    return 'InternalServerError';
  }
  if (status === 404) return 'not_found_error';
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  return 'api_error';
}
