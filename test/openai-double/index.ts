/**
 * OpenAI-compatible test double: a real HTTP server speaking `/v1/chat/completions` with SSE the way
 * vLLM or Ollama's /v1 do (shared/reference/ollama-wire.md §10), with scripted replies for tests.
 */
export { startOpenAiDouble } from './openaiDouble';
export type {
  OpenAiDouble,
  OpenAiDoubleFlavor,
  OpenAiDoubleOptions,
  OpenAiDoubleStats,
  OpenAiRecordedRequest,
} from './openaiDouble';
export { reasoning, text } from './script';
export type {
  ErrorShape,
  OpenAiChatContext,
  OpenAiReplySpec,
  OpenAiScriptedChunk,
  OpenAiScriptedReply,
  OpenAiScriptedToolCall,
} from './script';
export type { ChatCompletionRequest } from './wire';
