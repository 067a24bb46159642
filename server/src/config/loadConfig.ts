import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type AisleConfig, type AisleConfigInput } from './configSchema';

/** The effective configuration plus where it came from and its version (a hash of its content). */
export interface LoadedConfig {
  config: AisleConfig;
  /** Short hash of the effective config; stored on every answer. */
  version: string;
  /** Absolute path of the YAML file read, or null when none exists. */
  file: string | null;
  /** Absolute data directory. */
  dataDir: string;
}

/** A config that failed validation; `problems` name each bad field. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`Invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Environment overrides documented in README and .env.example. */
function applyEnv(input: Record<string, unknown>, env: Env): { input: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const out = structuredClone(input) as Record<string, Record<string, unknown> | unknown>;
  const section = (name: string): Record<string, unknown> => {
    const existing = out[name];
    if (existing && typeof existing === 'object') return existing as Record<string, unknown>;
    const created: Record<string, unknown> = {};
    out[name] = created;
    return created;
  };
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port)) problems.push(`PORT: expected a whole number, got "${env.PORT}"`);
    else section('server').port = port;
  }
  if (env.HOST) section('server').host = env.HOST;
  if (env.OLLAMA_HOST) section('ollama').host = normaliseOllamaHost(env.OLLAMA_HOST);
  if (env.AISLE_MODEL) section('chat').model = env.AISLE_MODEL;
  if (env.AISLE_DATA_DIR) out.dataDir = env.AISLE_DATA_DIR;
  if (env.LOG_LEVEL) section('log').level = env.LOG_LEVEL;
  return { input: out as Record<string, unknown>, problems };
}

/**
 * Accepts OLLAMA_HOST the way Ollama itself does ("127.0.0.1:11434", "0.0.0.0", "http://host:port")
 * and returns a full URL. Without this, ollama-js would send "http://host" to port 80.
 */
export function normaliseOllamaHost(value: string): string {
  let v = value.trim();
  if (!/^https?:\/\//i.test(v)) v = `http://${v}`;
  const url = new URL(v);
  if (!url.port && !/^https?:\/\/[^/]+:\d+/i.test(v)) url.port = '11434';
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  return url.toString().replace(/\/$/, '');
}

/** Parses and validates raw config data with env overrides; throws ConfigError naming every bad field. */
export function parseConfig(raw: unknown, env: Env = {}, source = 'config'): AisleConfig {
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(['(root): expected a mapping of settings'], source);
  }
  const { input, problems } = applyEnv((raw ?? {}) as Record<string, unknown>, env);
  const parsed = configSchema.safeParse(input satisfies AisleConfigInput | Record<string, unknown>);
  const all = [...problems, ...(parsed.success ? [] : formatIssues(parsed.error))];
  if (all.length > 0 || !parsed.success) throw new ConfigError(all, source);
  return parsed.data;
}

/** Version of a config: the first 12 hex digits of the sha256 of its canonical JSON. */
export function configVersion(config: AisleConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
}

/**
 * Reads `aisle.yaml` in the working directory, or the file named by AISLE_CONFIG, applies environment
 * overrides, validates, and freezes the result. A missing default file means defaults; a missing
 * AISLE_CONFIG file is an error.
 */
export function loadConfig(options: { env?: Env; cwd?: string; file?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.file ?? env.AISLE_CONFIG;
  const file = path.resolve(cwd, named ?? 'aisle.yaml');
  let raw: unknown = {};
  let source = 'defaults and environment';
  if (fs.existsSync(file)) {
    source = file;
    const doc = parseDocument(fs.readFileSync(file, 'utf8'), { prettyErrors: true });
    if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => e.message), file);
    raw = doc.toJS();
  } else if (named) {
    throw new ConfigError([`file not found: ${file}`], 'AISLE_CONFIG');
  }
  const config = deepFreeze(parseConfig(raw, env, source));
  return {
    config,
    version: configVersion(config),
    file: fs.existsSync(file) ? file : null,
    dataDir: path.resolve(cwd, config.dataDir),
  };
}
