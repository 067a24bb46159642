import { tokens } from '../ollama-double/script';
import type { ChatCompletionRequest } from './wire';

/** A tool call the model "makes"; the double adds an id unless given. */
export interface OpenAiScriptedToolCall {
  name: string;
  /** An object is serialised; a string is sent as is (e.g. deliberately broken JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

/** One streamed delta. Both fields in one chunk is fine for vLLM; the ollama-v1 flavour splits it in two. */
export interface OpenAiScriptedChunk {
  content?: string;
  reasoning?: string;
}

/** `nested`: `{"error":{"message",…}}` (OpenAI, Ollama /v1, newer vLLM); `flat`: `{"object":"error","message",…}` (older vLLM). */
export type ErrorShape = 'nested' | 'flat';

/**
 * How one `/v1/chat/completions` reply goes. Everything is optional: `{}` is an empty answer that
 * still ends with a finish chunk, a usage chunk and `[DONE]`.
 */
export interface OpenAiReplySpec {
  /** Reply with this status and an error body instead of streaming (404, 400, 429, 503, 500…). */
  status?: number;
  error?: string;
  /** Default: the double's flavour (`flat` for vllm, `nested` for ollama-v1). */
  errorShape?: ErrorShape;
  chunks?: OpenAiScriptedChunk[];
  /** Which field carries reasoning. `both` sends the same text under both names (vLLM in transition). */
  reasoningField?: 'reasoning' | 'reasoning_content' | 'both';
  /** Tool calls streamed after `chunks`. */
  toolCalls?: OpenAiScriptedToolCall[];
  /** `fragments` (vLLM): name first, then the arguments in pieces; `whole` (Ollama /v1): one delta. Default: the flavour's. */
  toolCallStyle?: 'fragments' | 'whole';
  /** Characters per argument fragment. Default 6. */
  fragmentSize?: number;
  /** With fragments: alternate the fragments of parallel calls instead of finishing one call first. */
  interleave?: boolean;
  /** Default `tool_calls` when there are tool calls, `length` when `max_tokens` cut the reply, else `stop`. */
  finishReason?: string;
  /** Token counts for the usage chunk (sent when the request asks for it); `false` never sends one. */
  usage?: { prompt_tokens: number; completion_tokens: number } | false;
  /**
   * `done` (default): finish chunk, usage chunk, `data: [DONE]`. `no-done`: the same without `[DONE]`.
   * `eof`: close after the content, with no finish chunk. `{ error }`: an error event mid-stream, then close
   * (the vllm flavour still sends `[DONE]` after it, as vLLM does).
   */
  end?: 'done' | 'no-done' | 'eof' | { error: string; shape?: ErrorShape };
  /** Hold the status line back this long. */
  headersDelayMs?: number;
  /** After the headers (which vLLM sends at once), wait this long before the first event. */
  firstChunkDelayMs?: number;
  /** Delay between events; overrides the double's `tokenDelayMs`. */
  tokenDelayMs?: number;
  /** Write each event in two pieces, cut inside its first multibyte UTF-8 character. */
  splitUtf8?: boolean;
  /** End SSE lines with CRLF instead of LF. */
  crlf?: boolean;
  /** Answer with one whole `chat.completion` JSON even when the request asked to stream (some proxies do). */
  ignoreStream?: boolean;
}

/** What the double knows when it asks a brain or a script function for a reply. */
export interface OpenAiChatContext {
  /** False when the request turned thinking off (`enable_thinking: false` / `reasoning_effort: "none"`). */
  isThinking: boolean;
  model: string;
}

/** A scripted reply, or a function of the request that returns one. */
export type OpenAiScriptedReply =
  OpenAiReplySpec | ((request: ChatCompletionRequest, context: OpenAiChatContext) => OpenAiReplySpec);

/** Content chunks, one per word-ish token: `enqueue({ chunks: text('Hello there') })`. */
export function text(value: string): OpenAiScriptedChunk[] {
  return tokens(value).map((content) => ({ content }));
}

/** Reasoning chunks, one per token. */
export function reasoning(value: string): OpenAiScriptedChunk[] {
  return tokens(value).map((part) => ({ reasoning: part }));
}
