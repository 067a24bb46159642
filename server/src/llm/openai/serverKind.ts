/**
 * Which OpenAI-compatible server is on the other end. It decides how thinking is switched off and which
 * hints an error carries; the wire protocol is the same.
 * - `vllm`: `vllm serve` (also SGLang): thinking via `chat_template_kwargs.enable_thinking`.
 * - `ollama-v1`: Ollama's `/v1` endpoints: thinking via `reasoning_effort`.
 * - `openai`: any other server; only standard OpenAI fields are sent, so thinking cannot be switched off.
 */
export type OpenAiServerKind = 'vllm' | 'openai' | 'ollama-v1';

/** How each kind is named in errors and hints. */
export const KIND_LABEL: Record<OpenAiServerKind, string> = {
  vllm: 'vLLM',
  'ollama-v1': 'Ollama (OpenAI API)',
  openai: 'the OpenAI-compatible server',
};
