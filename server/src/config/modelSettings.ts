import { DEFAULT_HOST_NAME, type AisleConfig, type ModelEntry, type OllamaHostConfig } from './configSchema';

/** The settings one model call uses: the `chat` defaults with the model's own entry laid over them. */
export interface ModelSettings {
  model: string;
  think: boolean | 'low' | 'medium' | 'high';
  keepAlive: string | number;
  options: Record<string, number | undefined>;
  /** Host names in order of preference (every configured host when the model names none). */
  hosts: string[];
}

/** `qwen3` and `qwen3:latest` are one model, as in Ollama (a registry host's port is not a tag). */
export function normaliseModelName(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? name : `${name}:latest`;
}

/** The `models:` entry for a model, matching names the way Ollama does (a missing tag means latest). */
export function modelEntry(config: AisleConfig, modelName: string): ModelEntry | undefined {
  const exact = config.models[modelName];
  if (exact) return exact;
  const wanted = normaliseModelName(modelName);
  return Object.entries(config.models).find(([name]) => normaliseModelName(name) === wanted)?.[1];
}

/** The Ollama hosts in force: `ollama.hosts`, or the single-host shorthand `ollama.host` named "default". */
export function effectiveHosts(config: AisleConfig): OllamaHostConfig[] {
  return config.ollama.hosts.length > 0
    ? config.ollama.hosts.map((h) => ({ ...h }))
    : [{ name: DEFAULT_HOST_NAME, url: config.ollama.host, type: 'ollama' }];
}

/**
 * Effective options for a model: per-model `think`, `keepAlive` and `options` override the `chat`
 * defaults key by key; hosts come from the model's entry or default to every host in listed order.
 */
export function resolveModelSettings(config: AisleConfig, modelName: string): ModelSettings {
  const entry = modelEntry(config, modelName);
  const options: Record<string, number | undefined> = { ...config.chat.options };
  for (const [key, value] of Object.entries(entry?.options ?? {})) {
    if (value !== undefined) options[key] = value;
  }
  return {
    model: modelName,
    think: entry?.think ?? config.chat.think,
    keepAlive: entry?.keepAlive ?? config.chat.keepAlive,
    options,
    hosts: entry?.hosts ? [...entry.hosts] : effectiveHosts(config).map((h) => h.name),
  };
}

/** What a configured model is for; `candidate` is a model listed under `models:` only. */
export type ModelRole = 'chat' | 'embedding' | 'candidate';

/** Every model the config names (chat, embedding, and each `models:` key), without duplicates. */
export function configuredModels(config: AisleConfig): Array<{ model: string; roles: ModelRole[] }> {
  const out: Array<{ model: string; roles: ModelRole[] }> = [];
  const add = (model: string, role: ModelRole) => {
    const found = out.find((m) => normaliseModelName(m.model) === normaliseModelName(model));
    if (found) {
      if (!found.roles.includes(role)) found.roles.push(role);
    } else {
      out.push({ model, roles: [role] });
    }
  };
  add(config.chat.model, 'chat');
  if (config.embedding.model) add(config.embedding.model, 'embedding');
  for (const name of Object.keys(config.models)) {
    if (!out.some((m) => normaliseModelName(m.model) === normaliseModelName(name))) add(name, 'candidate');
  }
  return out;
}

/**
 * A copy of the config that sends every model to one Ollama URL, dropping `ollama.hosts` and the
 * per-model host preferences that would name hosts no longer there (eval runs, tests).
 */
export function withSingleHost(config: AisleConfig, url: string): AisleConfig {
  const copy = structuredClone(config);
  copy.ollama.host = url;
  copy.ollama.hosts = [];
  for (const entry of Object.values(copy.models)) delete entry.hosts;
  return copy;
}
