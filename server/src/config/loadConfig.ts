import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, MAX_POLICY_CHARS, type AisleConfig, type AisleConfigInput } from './configSchema';

/** The effective configuration plus where it came from and its version (a hash of its content). */
export interface LoadedConfig {
  config: AisleConfig;
  /** Short hash of the effective config; stored on every answer. */
  version: string;
  /** Absolute path of the YAML file read, or null when none exists. */
  file: string | null;
  /** Absolute data directory. */
  dataDir: string;
  /**
   * Text of `chat.systemPromptFile` when one is set: more shop instructions, added after the built-in
   * prompt (part of the version: an edit of the file is a new config). Absent or null means none.
   */
  systemPrompt?: string | null;
  /**
   * The text of every `shop.policies` entry, files read (part of the version). Absent when the config
   * was built without a file to resolve against: then only inline policies count.
   */
  policies?: Record<string, string>;
  /** Names of the environment variables that overrode the file (a file edit of those fields does nothing). */
  envOverrides?: string[];
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

/** Environment variables that override the file, documented in README and .env.example. */
export const ENV_OVERRIDES = [
  'PORT',
  'HOST',
  'OLLAMA_HOST',
  'AISLE_MODEL',
  'AISLE_DATA_DIR',
  'DATABASE_URL',
  'LOG_LEVEL',
  'AISLE_AGENT_LOGIN_WINDOW_S',
  'AISLE_RETENTION_DAYS',
  'AISLE_METRICS_TOKEN',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'REDIS_URL',
] as const;

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
  // The name every PostgreSQL host (and most platforms) sets.
  if (env.DATABASE_URL?.trim()) section('database').url = env.DATABASE_URL.trim();
  if (env.LOG_LEVEL) section('log').level = env.LOG_LEVEL;
  const loginWindow = env.AISLE_AGENT_LOGIN_WINDOW_S?.trim();
  if (loginWindow) {
    const seconds = Number(loginWindow);
    if (!Number.isFinite(seconds) || seconds <= 0)
      problems.push(`AISLE_AGENT_LOGIN_WINDOW_S: expected a number of seconds above 0, got "${loginWindow}"`);
    else section('agents').loginWindowSeconds = seconds;
  }
  // A typo here must never delete data: anything but a whole number of days is refused, not ignored.
  const retention = env.AISLE_RETENTION_DAYS?.trim();
  if (retention) {
    const days = Number(retention);
    if (!Number.isInteger(days) || days < 1)
      problems.push(`AISLE_RETENTION_DAYS: expected a whole number of days (1 or more), got "${retention}"`);
    else section('privacy').retentionDays = days;
  }
  const metricsToken = env.AISLE_METRICS_TOKEN?.trim();
  if (metricsToken) section('metrics').token = metricsToken;
  // The standard OpenTelemetry variable, so an operator's usual setup works unchanged.
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) section('tracing').otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT.trim();
  if (env.REDIS_URL?.trim()) section('redis').url = env.REDIS_URL.trim();
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

/**
 * Version of a config: the first 12 hex digits of the sha256 of its canonical JSON, plus the system
 * prompt text when a prompt file is configured (so a prompt edit is a new version too).
 */
export function configVersion(config: AisleConfig, systemPrompt?: string | null, policies?: Record<string, string>): string {
  const hash = createHash('sha256').update(JSON.stringify(config));
  if (systemPrompt != null) hash.update('\0').update(systemPrompt);
  // Only texts read from files add anything: inline ones are already in the config's JSON.
  if (policies && Object.keys(policies).length > 0) hash.update('\0').update(JSON.stringify(policies));
  return hash.digest('hex').slice(0, 12);
}

/** Where each file-backed policy lives, absolute, keyed by policy name. */
export function policyFiles(config: AisleConfig, configDir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.shop.policies).flatMap(([name, source]) =>
      source !== undefined && typeof source !== 'string' ? [[name, path.resolve(configDir, source.file)]] : [],
    ),
  );
}

/** Reads a shop text file (a policy, the instructions file), refusing what the model could not sensibly read. */
function readShopText(file: string, field: string, problems: string[]): string {
  try {
    if (fs.statSync(file).size > MAX_POLICY_CHARS * 4) {
      problems.push(`${field}: ${file} is larger than ${MAX_POLICY_CHARS / 1000} KB`);
      return '';
    }
    const text = fs.readFileSync(file, 'utf8').trim();
    if (text === '') problems.push(`${field}: ${file} is empty`);
    else if (text.length > MAX_POLICY_CHARS) problems.push(`${field}: ${file} is larger than ${MAX_POLICY_CHARS / 1000} KB`);
    return text;
  } catch {
    problems.push(`${field}: cannot read ${file}`);
    return '';
  }
}

/** Every policy's text: inline ones as written, file ones read from disk. Problems name the field. */
function readPolicies(config: AisleConfig, configDir: string, problems: string[]): Record<string, string> {
  const files = policyFiles(config, configDir);
  return Object.fromEntries(
    Object.entries(config.shop.policies).flatMap(([name, source]) => {
      if (source === undefined) return [];
      const file = files[name];
      return [[name, file === undefined ? String(source) : readShopText(file, `shop.policies.${name}.file`, problems)]];
    }),
  );
}

/** Where the config file is: AISLE_CONFIG (or `file`) relative to `cwd`, else `aisle.yaml` there. */
export function resolveConfigFile(options: { env?: Env; cwd?: string; file?: string } = {}): { file: string; isNamed: boolean } {
  const env = options.env ?? process.env;
  const named = options.file ?? env.AISLE_CONFIG;
  return { file: path.resolve(options.cwd ?? process.cwd(), named || 'aisle.yaml'), isNamed: Boolean(named) };
}

/**
 * Builds a LoadedConfig from the text of a config file (or null when there is none): YAML, env
 * overrides, validation, the system prompt file, then a frozen result. Throws ConfigError.
 */
export function configFromText(text: string | null, options: { file: string; env: Env; cwd: string }): LoadedConfig {
  let raw: unknown = {};
  const source = text === null ? 'defaults and environment' : options.file;
  if (text !== null) {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0)
      throw new ConfigError(
        doc.errors.map((e) => e.message),
        options.file,
      );
    raw = doc.toJS();
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError(['(root): expected a mapping of settings'], source);
  }
  const config = deepFreeze(parseConfig(raw, options.env, source));
  const configDir = text === null ? options.cwd : path.dirname(options.file);
  const problems: string[] = [];
  const systemPrompt = config.chat.systemPromptFile
    ? readShopText(path.resolve(configDir, config.chat.systemPromptFile), 'chat.systemPromptFile', problems)
    : null;
  const policies = readPolicies(config, configDir, problems);
  if (problems.length > 0) throw new ConfigError(problems, source);
  return {
    config,
    version: configVersion(config, systemPrompt, policies),
    policies,
    file: text === null ? null : options.file,
    dataDir: path.resolve(options.cwd, config.dataDir),
    systemPrompt,
    envOverrides: ENV_OVERRIDES.filter((name) => options.env[name] !== undefined && options.env[name] !== ''),
  };
}

/**
 * Reads `aisle.yaml` in the working directory, or the file named by AISLE_CONFIG, applies environment
 * overrides, validates, and freezes the result. A missing default file means defaults; a missing
 * AISLE_CONFIG file is an error.
 */
export function loadConfig(options: { env?: Env; cwd?: string; file?: string } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { file, isNamed } = resolveConfigFile({ env, cwd, ...(options.file ? { file: options.file } : {}) });
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    if (isNamed) throw new ConfigError([`file not found: ${file}`], 'AISLE_CONFIG');
  }
  return configFromText(text, { file, env, cwd });
}
