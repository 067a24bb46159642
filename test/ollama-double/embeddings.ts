import { createHash } from 'node:crypto';

/**
 * Deterministic, L2-normalised stand-in for an embedding model.
 *
 * It hashes words and character trigrams into the vector (feature hashing), so texts that share
 * words get a high cosine similarity: retrieval code under test ranks sensibly instead of randomly.
 * The first `dimensions` components are kept before normalising, which mimics Matryoshka truncation;
 * features are hashed at several scales so even a 32-dimension prefix keeps them apart.
 */
export function fakeEmbedding(text: string, nativeDimensions: number, dimensions?: number | null): number[] {
  const size = dimensions && dimensions > 0 && dimensions < nativeDimensions ? dimensions : nativeDimensions;
  const vector = new Array<number>(nativeDimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    addFeature(vector, `w:${word}`, 1);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i += 1) addFeature(vector, `t:${padded.slice(i, i + 3)}`, 0.35);
  }
  // A small text-specific component keeps different texts apart and gives empty-word texts a direction.
  addFeature(vector, `x:${text}`, 0.05);
  return normalize(vector.slice(0, size));
}

/** Slot ranges per feature: every prefix of 32+ dimensions still holds some of each text's features. */
const SCALES = [32, 128, 512, Number.POSITIVE_INFINITY];

function addFeature(vector: number[], feature: string, weight: number): void {
  const digest = createHash('sha256').update(feature).digest();
  SCALES.forEach((scale, k) => {
    const index = digest.readUInt32LE(k * 4) % Math.min(scale, vector.length);
    const sign = (digest[16 + k] ?? 0) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign * weight;
  });
}

function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  if (norm === 0) {
    // Truncation can leave nothing; fall back to a fixed unit vector rather than NaNs.
    return vector.map((_, i) => (i === 0 ? 1 : 0));
  }
  // float32 precision, as Ollama returns.
  return vector.map((value) => Math.fround(value / norm));
}

/** Word-ish token estimate used for prompt_eval_count and the context-length check. */
export function countTokens(text: string): number {
  return (text.match(/\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]/gu) ?? []).length;
}
