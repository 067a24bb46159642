import { causeCode, LlmError } from '../llmErrors';
import { KIND_LABEL, type OpenAiServerKind } from './serverKind';
import { parseErrorBody, parseJsonOrUndefined } from './wire';

/** A non-2xx reply. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** False when the body is not an OpenAI error (e.g. a 404 for a wrong URL). */
    readonly isErrorShape: boolean,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** An error event inside the stream, or a reply we cannot read. */
export class StreamErrorEvent extends Error {}
/** The stream ended with neither `[DONE]` nor a finish reason. */
export class StreamEndedEarly extends Error {}

/** Reads a non-2xx reply into an HttpStatusError, whichever error shape (or none) it uses. */
export async function httpError(res: Response): Promise<HttpStatusError> {
  const text = await res.text().catch(() => '');
  const parsed = parseErrorBody(parseJsonOrUndefined(text));
  const message = parsed?.message ?? (text.trim().slice(0, 300) || `HTTP ${res.status} ${res.statusText}`);
  return new HttpStatusError(res.status, message, parsed?.isErrorShape ?? false);
}

/** What a failure is classified against. */
export interface OpenAiErrorContext {
  /** Base URL without `/v1`. */
  host: string;
  kind: OpenAiServerKind;
  /** Empty for calls that are not about a model (version, model list). */
  model: string;
  /** True when text had already streamed. */
  isMidStream: boolean;
}

/** Maps any failure of an OpenAI-compatible server to an LlmError with the codes the native gateway uses. */
export function classifyOpenAiError(err: unknown, ctx: OpenAiErrorContext): LlmError {
  if (err instanceof LlmError) return err;
  const label = KIND_LABEL[ctx.kind];
  const models = `${ctx.host}/v1/models`;
  if (err instanceof HttpStatusError) {
    const { status, message } = err;
    if (status === 404 && !err.isErrorShape) {
      return new LlmError(
        'model-error',
        `${ctx.host} has no OpenAI-compatible chat endpoint (/v1/chat/completions answered 404).`,
        'Check the backend baseUrl in aisle.yaml: it is the server address, e.g. http://gpu-box:8000.',
        404,
      );
    }
    if (status === 404) {
      const hint =
        ctx.kind === 'vllm'
          ? `vLLM serves only the models it was started with: run "vllm serve ${ctx.model}" (or add --served-model-name ${ctx.model}), or set the chat model to a name listed at ${models}.`
          : ctx.kind === 'ollama-v1'
            ? `Run: ollama pull ${ctx.model}`
            : `Set the chat model to a name listed at ${models}.`;
      return new LlmError('model-not-pulled', `The model ${ctx.model} is not served by ${label} at ${ctx.host}.`, hint, 404);
    }
    if (status === 401 || status === 403) {
      return new LlmError(
        'model-error',
        `${label} at ${ctx.host} refused the request (HTTP ${status}): ${message}`,
        'Check the backend apiKey in aisle.yaml.',
        status,
      );
    }
    if (status === 429 || status === 503) {
      return new LlmError('ollama-busy', `${label} is busy with other requests.`, 'Please try again in a moment.', status);
    }
    if (status === 400 || status === 422) {
      const hint =
        ctx.kind === 'vllm'
          ? 'Tools need vLLM started with --enable-auto-tool-choice --tool-call-parser hermes, thinking needs --reasoning-parser qwen3, and the prompt must fit --max-model-len.'
          : 'Choose a model that supports tools in aisle.yaml, or check the chat options.';
      return new LlmError('model-unsupported', `${label} refused the request for ${ctx.model}: ${message}`, hint, status);
    }
    return new LlmError(
      'model-error',
      `The model failed before answering: ${message}`,
      `Try again; if it keeps failing, check the ${label} logs.`,
      status,
    );
  }
  if (err instanceof StreamErrorEvent) {
    return new LlmError(
      'generation-failed',
      `The model stopped with an error: ${err.message}`,
      'Try again.',
      null,
      ctx.isMidStream,
    );
  }
  const code = causeCode(err);
  if (
    err instanceof StreamEndedEarly ||
    code === 'UND_ERR_SOCKET' ||
    (err instanceof TypeError && err.message === 'terminated')
  ) {
    return new LlmError(
      'generation-interrupted',
      'The answer ended unexpectedly before it was finished.',
      'Try again.',
      null,
      ctx.isMidStream,
    );
  }
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new LlmError(
      'ollama-timeout',
      `${label} at ${ctx.host} did not answer in time.`,
      'The server may be overloaded; try again.',
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  if (
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN'].includes(code ?? '') ||
    message === 'fetch failed'
  ) {
    const hint =
      ctx.kind === 'vllm'
        ? `Start vLLM (for example "vllm serve ${ctx.model || 'Qwen/Qwen3-8B'} --enable-auto-tool-choice --tool-call-parser hermes --reasoning-parser qwen3") or fix the backend baseUrl in aisle.yaml.`
        : ctx.kind === 'ollama-v1'
          ? 'Start Ollama with "ollama serve", or fix the backend baseUrl in aisle.yaml.'
          : 'Check that the server is running and that the backend baseUrl in aisle.yaml points at it.';
    return new LlmError('ollama-unreachable', `Can't reach ${label} at ${ctx.host}.`, hint);
  }
  return new LlmError('generation-failed', `The model stopped with an error: ${message}`, 'Try again.', null, ctx.isMidStream);
}
