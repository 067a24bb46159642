import { LlmError } from './llmErrors';
import type { EmbedRequest, EmbedResult } from './types';

/** A refused embedding request names the fix for an embedding model, not the chat model's. */
export function embedError(err: LlmError, model: string): LlmError {
  if (err.code !== 'model-unsupported') return err;
  return new LlmError(
    err.code,
    err.message,
    `Set embedding.model to an embedding model such as qwen3-embedding:0.6b (${model} cannot embed).`,
    err.status,
  );
}

/** One vector per input, all of one length: anything else is a server fault, not vectors to store. */
export function checkEmbeddings(embeddings: unknown, req: EmbedRequest, host: string): EmbedResult {
  const vectors: number[][] = [];
  for (const v of Array.isArray(embeddings) ? embeddings : []) {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) break;
    vectors.push(v);
  }
  const size = vectors[0]?.length ?? 0;
  if (vectors.length !== req.input.length || vectors.some((v) => v.length !== size))
    throw new LlmError(
      'model-error',
      `The embedding server at ${host} did not return one vector of one size per text (${vectors.length} for ${req.input.length}).`,
      `Check that ${req.model} is an embedding model.`,
    );
  return { model: req.model, embeddings: vectors };
}
