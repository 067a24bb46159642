import type { Health } from '@aisle/shared';
import { Ollama } from 'ollama';
import type { OllamaHostConfig } from '../config/configSchema';
import type { ModelAvailability } from '../config/configStore';
import type { LoadedConfig } from '../config/loadConfig';
import { configuredModels, effectiveHosts, resolveModelSettings, type ModelRole } from '../config/modelSettings';
import { LlmError } from './llmErrors';
import type { ChatBackend } from './chatBackend';
import { createBackend } from './hostPool';
import { isSameModel } from './modelNames';

/**
 * Why a host could not be asked, with what to do. Host-level calls carry no model, so the generic
 * hint (which names one) is rebuilt here.
 */
function hostErrorText(err: unknown, model: string | null): string {
  if (!(err instanceof LlmError)) return err instanceof Error ? err.message : String(err);
  if (err.code !== 'ollama-unreachable') return `${err.message}${err.hint ? ` ${err.hint}` : ''}`;
  const hint = model
    ? `Install Ollama (https://ollama.com/download), start it with "ollama serve", then run "ollama pull ${model}". Or point OLLAMA_HOST at a running Ollama.`
    : 'Is Ollama running there ("ollama serve")? Otherwise fix the URL in the config (ollama.hosts, ollama.host or OLLAMA_HOST).';
  return `${err.message} ${hint}`;
}

/**
 * Checks that Ollama answers and that the chat model is pulled. Results are cached briefly because the
 * UI polls this while something is wrong.
 */
export function createModelHealth(deps: {
  gateway: () => ChatBackend;
  model: () => string;
  productCount: () => Promise<number>;
  cacheMs?: number;
}) {
  let cached: { at: number; key: string; value: Health } | null = null;
  const cacheMs = deps.cacheMs ?? 2000;

  return {
    async check(options: { fresh?: boolean } = {}): Promise<Health> {
      const gateway = deps.gateway();
      const model = deps.model();
      const key = `${gateway.host}|${model}`;
      if (!options.fresh && cached && cached.key === key && Date.now() - cached.at < cacheMs) return cached.value;
      const pullCommand = `ollama pull ${model}`;
      let version: string | null = null;
      let error: string | null = null;
      let available: boolean | null = null;
      try {
        version = await gateway.version();
        const models = await gateway.listModels();
        available = models.some((m) => isSameModel(m.name, model));
      } catch (err) {
        error = hostErrorText(err, model);
      }
      const value: Health = {
        ok: version !== null && available === true,
        ollama: { host: gateway.host, reachable: version !== null, version, error },
        model: { name: model, available, pullCommand },
        catalogue: { products: await deps.productCount() },
      };
      // Only a healthy answer is reused: after a fix, "Check again" must see the new state at once.
      cached = value.ok ? { at: Date.now(), key, value } : null;
      return value;
    },
  };
}

export type ModelHealth = ReturnType<typeof createModelHealth>;

/** One host as `pnpm models` and `/api/health/models` show it. */
export interface HostModelsReport {
  name: string;
  url: string;
  /** `openai` hosts cannot pull: the model has to be served there by whoever runs the server. */
  type: 'ollama' | 'openai';
  reachable: boolean;
  version: string | null;
  /** Why the host could not be checked, with what to do. */
  error: string | null;
  models: Array<{ name: string; capabilities: string[] }>;
}

/** One model the config names, and where it is (or is not) pulled. */
export interface ConfiguredModelReport {
  model: string;
  roles: ModelRole[];
  /** Host names the model may use, in order of preference. */
  hosts: string[];
  presentOn: string[];
  missingOn: string[];
  /** Preferred hosts that were down, so nobody could say. */
  uncheckedOn: string[];
  /** From the first host that has the model; null when no host could tell. */
  capabilities: string[] | null;
  /** Capabilities the model lacks for its role (e.g. "tools" for the chat model). */
  problems: string[];
  /** One `ollama pull` line per Ollama host that lacks the model. */
  pullCommands: Array<{ hostName: string; command: string }>;
}

/** Every configured host and model: what `pnpm models` prints and the server logs at start. */
export interface ModelsReport {
  /** True when every host answered and every configured model is present, with the capabilities it needs. */
  ok: boolean;
  configVersion: string;
  checkedAt: string;
  hosts: HostModelsReport[];
  models: ConfiguredModelReport[];
}

/** The `ollama pull` line for a host: plain for the local default, with OLLAMA_HOST for another host. */
export function pullCommand(model: string, url: string): string {
  const isLocalDefault = /^http:\/\/(127\.0\.0\.1|localhost):11434\/?$/.test(url);
  return isLocalDefault ? `ollama pull ${model}` : `OLLAMA_HOST=${url} ollama pull ${model}`;
}

/** Capabilities from `/api/show`, for Ollama older than 0.30 whose `/api/tags` does not list them. */
async function showCapabilities(url: string, model: string, timeoutMs: number): Promise<string[]> {
  try {
    const client = new Ollama({
      host: url,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
    });
    const shown = await client.show({ model });
    return Array.isArray(shown.capabilities) ? shown.capabilities.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

function neededCapabilities(config: LoadedConfig['config'], model: string, roles: ModelRole[]): string[] {
  const needs = new Set<string>();
  if (roles.includes('chat') || roles.includes('candidate')) {
    needs.add('tools');
    if (resolveModelSettings(config, model).think !== false) needs.add('thinking');
  }
  if (roles.includes('embedding')) needs.add('embedding');
  return [...needs];
}

/**
 * Asks every configured host for its models (`/api/tags`) and checks each configured model (chat,
 * embedding, and every `models:` entry) against the hosts it may use.
 */
export async function checkModels(options: {
  config: LoadedConfig;
  /** The backend of a host; default a fresh OllamaGateway (the host pool passes its own). */
  backendOf?: (host: OllamaHostConfig) => ChatBackend;
  timeoutMs?: number;
}): Promise<ModelsReport> {
  const { config } = options.config;
  const timeoutMs = options.timeoutMs ?? Math.max(config.ollama.healthCheckTimeoutMs, 3000);
  const backendOf = options.backendOf ?? ((h: OllamaHostConfig) => createBackend(h));
  const hosts: HostModelsReport[] = await Promise.all(
    effectiveHosts(config).map(async (h): Promise<HostModelsReport> => {
      const backend = backendOf(h);
      try {
        const version = await backend.version(timeoutMs);
        const models = await backend.listModels(timeoutMs);
        return { name: h.name, url: h.url, type: h.type, reachable: true, version, error: null, models };
      } catch (err) {
        return {
          name: h.name,
          url: h.url,
          type: h.type,
          reachable: false,
          version: null,
          error: hostErrorText(err, null),
          models: [],
        };
      }
    }),
  );

  const models = await Promise.all(
    configuredModels(config).map(async ({ model, roles }): Promise<ConfiguredModelReport> => {
      const preferred = resolveModelSettings(config, model).hosts;
      const report: ConfiguredModelReport = {
        model,
        roles,
        hosts: preferred,
        presentOn: [],
        missingOn: [],
        uncheckedOn: [],
        capabilities: null,
        problems: [],
        pullCommands: [],
      };
      for (const name of preferred) {
        const host = hosts.find((h) => h.name === name);
        if (!host) continue;
        if (!host.reachable) {
          report.uncheckedOn.push(name);
          continue;
        }
        const found = host.models.find((m) => isSameModel(m.name, model));
        if (!found) {
          report.missingOn.push(name);
          if (host.type === 'ollama') report.pullCommands.push({ hostName: name, command: pullCommand(model, host.url) });
          continue;
        }
        report.presentOn.push(name);
        // OpenAI-compatible servers do not say what a model can do; only Ollama's answer counts.
        if (host.type === 'ollama' && (report.capabilities === null || report.capabilities.length === 0)) {
          report.capabilities =
            found.capabilities.length > 0 ? found.capabilities : await showCapabilities(host.url, found.name, timeoutMs);
        }
      }
      if (report.capabilities && report.capabilities.length > 0) {
        const has = report.capabilities;
        for (const need of neededCapabilities(config, model, roles)) {
          if (!has.includes(need))
            report.problems.push(`lacks the "${need}" capability its use as ${roles.join(' and ')} model needs`);
        }
      }
      return report;
    }),
  );

  return {
    ok:
      hosts.every((h) => h.reachable) &&
      models.every((m) => m.missingOn.length === 0 && m.uncheckedOn.length === 0 && m.problems.length === 0),
    configVersion: options.config.version,
    checkedAt: new Date().toISOString(),
    hosts,
    models,
  };
}

/**
 * Where the models answers are made with (the chat model and an experiment's candidate) are, asking
 * only the hosts each may use (`/api/tags` on Ollama, `/v1/models` on OpenAI-compatible servers). The
 * config store uses it to refuse an edit whose model no host has.
 */
export async function servedModelAvailability(options: {
  config: LoadedConfig;
  backendOf?: (host: OllamaHostConfig) => ChatBackend;
  timeoutMs?: number;
}): Promise<ModelAvailability[]> {
  const { config } = options.config;
  const timeoutMs = options.timeoutMs ?? Math.max(config.ollama.healthCheckTimeoutMs, 3000);
  const backendOf = options.backendOf ?? ((h: OllamaHostConfig) => createBackend(h));
  const hosts = effectiveHosts(config);
  const models = [config.chat.model, ...(config.experiment ? [config.experiment.candidate] : [])].filter(
    (m, i, all) => all.findIndex((other) => isSameModel(other, m)) === i,
  );
  const listed = new Map<string, Promise<string[] | null>>();
  const namesOn = (h: OllamaHostConfig): Promise<string[] | null> => {
    let names = listed.get(h.name);
    if (!names) {
      names = backendOf(h)
        .listModels(timeoutMs)
        .then(
          (list) => list.map((m) => m.name),
          () => null,
        );
      listed.set(h.name, names);
    }
    return names;
  };
  return Promise.all(
    models.map(async (model): Promise<ModelAvailability> => {
      const own = resolveModelSettings(config, model)
        .hosts.map((name) => hosts.find((h) => h.name === name))
        .filter((h): h is OllamaHostConfig => h !== undefined);
      const report: ModelAvailability = {
        model,
        hostsAsked: own.map((h) => `${h.name} (${h.url})`),
        presentOn: [],
        missingOn: [],
        uncheckedOn: [],
        fixes: [],
      };
      for (const h of own) {
        const names = await namesOn(h);
        if (names === null) report.uncheckedOn.push(h.name);
        else if (names.some((n) => isSameModel(n, model))) report.presentOn.push(h.name);
        else {
          report.missingOn.push(h.name);
          report.fixes.push(h.type === 'ollama' ? pullCommand(model, h.url) : `serve ${model} on ${h.name} (${h.url})`);
        }
      }
      return report;
    }),
  );
}

/**
 * `checkModels` behind a short cache, for an endpoint the UI may poll (e.g. `GET /api/health/models`).
 */
export function createModelsHealth(deps: {
  config: () => LoadedConfig;
  backendOf?: (host: OllamaHostConfig) => ChatBackend;
  cacheMs?: number;
}) {
  let cached: { at: number; value: ModelsReport } | null = null;
  const cacheMs = deps.cacheMs ?? 5000;
  return {
    async check(options: { fresh?: boolean } = {}): Promise<ModelsReport> {
      const loaded = deps.config();
      if (!options.fresh && cached && cached.value.configVersion === loaded.version && Date.now() - cached.at < cacheMs)
        return cached.value;
      const value = await checkModels({ config: loaded, ...(deps.backendOf ? { backendOf: deps.backendOf } : {}) });
      cached = { at: Date.now(), value };
      return value;
    },
  };
}

export type ModelsHealth = ReturnType<typeof createModelsHealth>;
