/**
 * Aisle's own vocabulary for talking to a model, shared by every backend. Nothing here comes from a
 * client library: each backend converts these to its wire format at its edge (ollama-js types stay in
 * `ollamaClient.ts`, OpenAI wire types in `openai/`). Field names follow the chat-message convention
 * (`tool_calls`, `tool_name`, `tool_call_id`) because the assistant builds history in that shape.
 */

/** Who wrote a message in the history sent to the model. */
export type LlmRole = 'system' | 'user' | 'assistant' | 'tool';

/** A tool call kept in the history; the id is optional because the prefetch and older rows have none. */
export interface LlmMessageToolCall {
  id?: string;
  function: { name: string; arguments: Record<string, unknown> };
}

/** One message of the history sent to the model. */
export interface LlmMessage {
  role: LlmRole;
  content: string;
  /** Reasoning of an earlier assistant turn. */
  thinking?: string;
  /** Calls an assistant turn made. */
  tool_calls?: LlmMessageToolCall[];
  /** On a tool result: which tool produced it. */
  tool_name?: string;
  /** On a tool result: the call it answers, when the model gave the call an id. */
  tool_call_id?: string;
}

/** One property of a tool's parameters (a small JSON Schema subset). */
export interface LlmToolProperty {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  items?: unknown;
}

/** A function the model may call. */
export interface LlmTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: {
      type?: string;
      properties?: Record<string, LlmToolProperty>;
      required?: string[];
    };
  };
}

/** A tool call as the model made it in this turn; arguments are always an object. */
export interface LlmToolCall {
  id: string | null;
  name: string;
  arguments: Record<string, unknown>;
}

/** Token counts and durations of one model call (Ollama's final-chunk metrics, or measured). */
export interface LlmStats {
  doneReason: string | null;
  promptEvalCount: number;
  evalCount: number;
  loadDurationNs: number;
  promptEvalDurationNs: number;
  evalDurationNs: number;
  totalDurationNs: number;
}

/** What a backend's stream yields: text as it arrives, tool calls, then `done` once. */
export type LlmEvent =
  | { type: 'thinking'; text: string }
  | { type: 'content'; text: string }
  | { type: 'tool_calls'; calls: LlmToolCall[] }
  | { type: 'done'; stats: LlmStats };

/** How much the model should think: off, on (the model's default) or a level. */
export type ThinkSetting = boolean | 'low' | 'medium' | 'high';

/** One streamed model call. */
export interface ChatStreamRequest {
  model: string;
  messages: LlmMessage[];
  tools?: LlmTool[];
  think: ThinkSetting;
  keepAlive: string | number;
  /** Sampling options under Ollama's names (`temperature`, `num_predict`, …); backends map them. */
  options: Record<string, number | undefined>;
  /** Aborts the HTTP request (before or after headers), so the server stops generating. */
  signal: AbortSignal;
  /** Longest wait for the first token (on Ollama the headers come with it). */
  firstTokenTimeoutMs: number;
  /** Longest silence between two chunks. */
  idleTimeoutMs: number;
}

/** One embedding call: a batch of texts to one embedding model. */
export interface EmbedRequest {
  model: string;
  /** Texts to embed; the vectors come back in the same order. */
  input: string[];
  /** Keep only the first N dimensions (Matryoshka models), re-normalised; omitted for the model's own size. */
  dimensions?: number;
  /** Longest wait for the whole batch. */
  timeoutMs: number;
  /** Ends the request early (shutdown). */
  signal?: AbortSignal;
}

/** The vectors of one embedding call, unit length, in input order. */
export interface EmbedResult {
  model: string;
  embeddings: number[][];
}
