/**
 * Ollama test double: a real HTTP server speaking Ollama's native API (shared/reference/ollama-wire.md),
 * with scripted replies for tests and a deterministic "demo brain" for trying the UI without a GPU.
 */
export { startOllamaDouble } from './ollamaDouble';
export type { OllamaDouble, OllamaDoubleOptions, OllamaDoubleStats, RecordedRequest } from './ollamaDouble';
export { DEFAULT_MODELS, normalizeModelName } from './models';
export type { FakeModel } from './models';
export { text, thoughts, tokens } from './script';
export type { ChatBrain, ChatContext, ScriptedChat, ScriptedChatSpec, ScriptedChunk, ScriptedToolCall } from './script';
export { demoBrain, NO_RESULTS_REPLY, RECOMMENDATION_INTRO, SEARCH_TOOL_NAME } from './demoBrain';
export { fakeEmbedding } from './embeddings';
export { OLLAMA_ERRORS } from './wire';
export type { ChatMessageIn, ChatRequestBody } from './wire';
