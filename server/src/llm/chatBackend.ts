import type { ChatStreamRequest, EmbedRequest, EmbedResult, LlmEvent } from './types';

/**
 * What the assistant needs from a model server. Ollama's native API (`OllamaGateway`) is the default;
 * an OpenAI-compatible server (vLLM, Ollama's /v1) is another implementation.
 */
export interface ChatBackend {
  /** Base URL, shown in errors and traces. */
  readonly host: string;
  /** Streams one model call; throws LlmError (or the abort reason). */
  streamChat(req: ChatStreamRequest): AsyncGenerator<LlmEvent>;
  /** Models loaded in memory now, or null when unknown (used to show "loading the model"). */
  loadedModels(timeoutMs?: number): Promise<string[] | null>;
  /** Server version; throws LlmError when unreachable. */
  version(timeoutMs?: number): Promise<string>;
  /** Models available on the server with their capabilities. */
  listModels(timeoutMs?: number): Promise<Array<{ name: string; capabilities: string[] }>>;
  /** Embeds a batch of texts (semantic search); throws LlmError. */
  embed(req: EmbedRequest): Promise<EmbedResult>;
}
