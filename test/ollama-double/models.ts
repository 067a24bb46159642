import { createHash } from 'node:crypto';

/** A model the double pretends to have pulled. */
export interface FakeModel {
  /** `name:tag`; a missing tag means `latest`, as in Ollama. */
  name: string;
  /** Ollama capability strings: `completion`, `tools`, `thinking`, `embedding`, `vision`, … */
  capabilities: string[];
  /** Vector size for embedding models (also reported in /api/tags and /api/show). */
  embeddingLength?: number;
  /** Training context in tokens; `truncate:false` embeds longer than this fail. */
  contextLength?: number;
  /** GGUF architecture, e.g. `qwen3` or `qwen3moe`. */
  family?: string;
  /** Display size such as `8.2B` or `596M`. */
  parameterSize?: string;
}

/** The models a fresh double reports: enough for chat with tools and thinking, and for embeddings. */
export const DEFAULT_MODELS: readonly FakeModel[] = [
  {
    name: 'qwen3:4b',
    capabilities: ['completion', 'tools', 'thinking'],
    contextLength: 40960,
    embeddingLength: 2560,
    family: 'qwen3',
    parameterSize: '4.0B',
  },
  {
    name: 'qwen3:8b',
    capabilities: ['completion', 'tools', 'thinking'],
    contextLength: 40960,
    embeddingLength: 4096,
    family: 'qwen3',
    parameterSize: '8.2B',
  },
  {
    name: 'qwen3-embedding:0.6b',
    capabilities: ['embedding'],
    contextLength: 32768,
    embeddingLength: 1024,
    family: 'qwen3',
    parameterSize: '596M',
  },
];

/** Appends `:latest` when no tag is given, the way Ollama resolves names. */
export function normalizeModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

/** Ollama's internal full name, used in some error texts: `registry.ollama.ai/library/qwen3:8b`. */
export function fullModelName(name: string): string {
  const normalized = normalizeModelName(name);
  const parts = normalized.split('/');
  if (parts.length === 1) return `registry.ollama.ai/library/${normalized}`;
  if (parts.length === 2) return `registry.ollama.ai/${normalized}`;
  return normalized;
}

/** Guesses plausible capabilities for a model pulled by name only (the double has no registry). */
export function inferModel(name: string): FakeModel {
  const normalized = normalizeModelName(name);
  if (/embed/i.test(normalized)) {
    return {
      name: normalized,
      capabilities: ['embedding'],
      embeddingLength: 1024,
      contextLength: 32768,
      family: 'qwen3',
    };
  }
  const isQwen3 = /^qwen3/i.test(normalized) && !/instruct|coder/i.test(normalized);
  return {
    name: normalized,
    capabilities: isQwen3 ? ['completion', 'tools', 'thinking'] : ['completion', 'tools'],
    contextLength: 40960,
    embeddingLength: 4096,
    family: normalized.split(':')[0]?.replace(/[^a-z0-9]/gi, '') ?? 'llama',
  };
}

/** A stable fake digest (64 hex, no `sha256:` prefix, like /api/tags). */
export function modelDigest(name: string): string {
  return createHash('sha256').update(normalizeModelName(name)).digest('hex');
}

const MODIFIED_AT = '2026-08-01T10:11:12.123456789+02:00';

function parameterCount(model: FakeModel): number {
  const match = /^([\d.]+)\s*([MB])$/i.exec(model.parameterSize ?? '');
  if (!match?.[1] || !match[2]) return 4_000_000_000;
  return Math.round(Number(match[1]) * (match[2].toUpperCase() === 'B' ? 1e9 : 1e6));
}

/** Rough Q4 file size, so sizes look plausible and differ per model. */
function modelSize(model: FakeModel): number {
  return Math.round(parameterCount(model) * 0.62) + 1_000_000;
}

function details(model: FakeModel, withLengths: boolean): Record<string, unknown> {
  const family = model.family ?? 'qwen3';
  const result: Record<string, unknown> = {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: model.parameterSize ?? '4.0B',
    quantization_level: model.capabilities.includes('embedding') ? 'Q8_0' : 'Q4_K_M',
  };
  if (withLengths) {
    if (model.contextLength && !model.capabilities.includes('embedding')) result.context_length = model.contextLength;
    if (model.embeddingLength) result.embedding_length = model.embeddingLength;
  }
  return result;
}

/** One `/api/tags` item (v0.30+ shape with capabilities and lengths). */
export function tagsEntry(model: FakeModel): Record<string, unknown> {
  const name = normalizeModelName(model.name);
  return {
    name,
    model: name,
    modified_at: MODIFIED_AT,
    size: modelSize(model),
    digest: modelDigest(name),
    details: details(model, true),
    capabilities: model.capabilities,
  };
}

/** The `/api/show` body. */
export function showResponse(model: FakeModel): Record<string, unknown> {
  const family = model.family ?? 'qwen3';
  const name = normalizeModelName(model.name);
  const modelInfo: Record<string, unknown> = {
    'general.architecture': family,
    'general.parameter_count': parameterCount(model),
    [`${family}.context_length`]: model.contextLength ?? 40960,
    [`${family}.embedding_length`]: model.embeddingLength ?? 4096,
    [`${family}.block_count`]: 36,
    'tokenizer.ggml.tokens': null,
  };
  return {
    license: 'Apache License 2.0 (Ollama test double: no real weights)',
    modelfile: `# Modelfile generated by "ollama show"\n# Ollama TEST DOUBLE\nFROM ${name}\n`,
    parameters: 'repeat_penalty 1\nstop "<|im_start|>"\nstop "<|im_end|>"\ntemperature 0.6\ntop_k 20\ntop_p 0.95',
    template: '{{- $lastUserIdx := -1 -}}{{- range $i, $_ := .Messages }}…{{ end }}',
    details: details(model, false),
    model_info: modelInfo,
    capabilities: model.capabilities,
    modified_at: MODIFIED_AT,
  };
}

/** One `/api/ps` item. */
export function psEntry(model: FakeModel, loaded: { expiresAt: Date; contextLength: number }): Record<string, unknown> {
  const name = normalizeModelName(model.name);
  const size = modelSize(model);
  return {
    name,
    model: name,
    size,
    digest: modelDigest(name),
    details: details(model, false),
    expires_at: loaded.expiresAt.toISOString(),
    size_vram: size,
    context_length: loaded.contextLength,
  };
}
