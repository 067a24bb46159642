import fs from 'node:fs';
import path from 'node:path';
import type { ConfigStatus } from '@aisle/shared';
import type { Logger } from '../logger';
import { ConfigError, configFromText, loadConfig, policyFiles, resolveConfigFile, type LoadedConfig } from './loadConfig';
import { effectiveHosts, normaliseModelName, resolveModelSettings } from './modelSettings';

type Env = Record<string, string | undefined>;

/** Settings read once at start; an edit is noted in the log but needs a restart. */
export const RESTART_ONLY_FIELDS = [
  'server.host',
  'server.port',
  'server.trustProxy',
  'dataDir',
  'database.url',
  // Feeds, currency and shop address are read at every sync; only the demo choice is made at start.
  'catalogue.loadDemoWhenEmpty',
  'log.level',
  'agents.loginWindowSeconds',
] as const;

/** Where one model the shop answers with was found, as the hosts it may use said. */
export interface ModelAvailability {
  model: string;
  /** The hosts asked, as "name (url)". */
  hostsAsked: string[];
  /** Host names that list the model. */
  presentOn: string[];
  /** Host names that answered without it. */
  missingOn: string[];
  /** Host names that could not be reached, so nobody knows. */
  uncheckedOn: string[];
  /** What the operator runs to fix a missing model, e.g. `ollama pull qwen3:8b`. */
  fixes: string[];
}

/** Whether an edit that changes who serves the chat model may be applied. */
export type ModelEditVerdict =
  { status: 'served' } | { status: 'refused'; reason: string } | { status: 'unverified'; reason: string };

/**
 * The guard's decision. An edit is refused only when every host a model may use answered and none
 * has it: then every answer would fail. When hosts could not be reached the edit is accepted, since an
 * outage must not freeze a shop's config (and the host may well have the model once it is back).
 */
export function decideModelEdit(availability: readonly ModelAvailability[]): ModelEditVerdict {
  const missing = availability.filter((a) => a.presentOn.length === 0 && a.uncheckedOn.length === 0 && a.missingOn.length > 0);
  if (missing.length > 0) {
    const reason = missing
      .map((a) => {
        const fix = a.fixes.length > 0 ? a.fixes.join(' or ') : `make ${a.model} available on one of them`;
        return `no host has model ${a.model} (asked ${a.hostsAsked.join(', ')}); fix: ${fix}, then save the config again`;
      })
      .join('; ');
    return { status: 'refused', reason };
  }
  const unknown = availability.filter((a) => a.presentOn.length === 0);
  if (unknown.length > 0) {
    const reason = unknown
      .map((a) => `could not check model ${a.model}: no answer from ${[...a.uncheckedOn].join(', ') || 'any host'}`)
      .join('; ');
    return { status: 'unverified', reason };
  }
  return { status: 'served' };
}

/**
 * The models answers are made with (the chat model and an experiment's candidate) with the hosts each
 * may use: when an edit leaves this unchanged there is nothing to check with the hosts.
 */
export function servingPlan(config: LoadedConfig['config']): string {
  const hosts = effectiveHosts(config);
  const models = [config.chat.model, ...(config.experiment ? [config.experiment.candidate] : [])];
  return JSON.stringify(
    models.map((model) => ({
      model: normaliseModelName(model),
      hosts: resolveModelSettings(config, model).hosts.map((name) => hosts.find((h) => h.name === name) ?? name),
    })),
  );
}

/** What happened to one reload. */
export type ReloadOutcome =
  | { status: 'applied'; config: LoadedConfig; changed: string[] }
  | { status: 'unchanged'; config: LoadedConfig }
  | { status: 'rejected'; config: LoadedConfig; problems: string[] };

/** The config in force, swapped whole when the file changes and the new content is valid. */
export interface ConfigStore {
  /** The config in force. Read it per use (per answer): it can change between two calls. */
  current(): LoadedConfig;
  /** Called after a valid edit was swapped in. Returns an unsubscribe function. */
  onChange(listener: (next: LoadedConfig, previous: LoadedConfig, changed: string[]) => void): () => void;
  /** Called when an edit was refused; the config in force stays. Returns an unsubscribe function. */
  onReject(listener: (problems: string[]) => void): () => void;
  /** Re-reads the file now (e.g. on SIGHUP, or where file events are not delivered). Reloads run one at a time. */
  reload(): Promise<ReloadOutcome>;
  /** The version in force, since when, and the last refused edit if none was applied since (for agents). */
  status(): ConfigStatus;
  /** Stops watching. */
  close(): void;
}

export interface ConfigStoreOptions {
  /** The config file; default AISLE_CONFIG or ./aisle.yaml, as `loadConfig`. */
  file?: string;
  env?: Env;
  cwd?: string;
  logger: Logger;
  /** Quiet time after the last file event before reading: editors write in several steps. */
  debounceMs?: number;
  /** The config already loaded from the same file (e.g. to build the logger); default: load it now. */
  initial?: LoadedConfig;
  /**
   * Asks the hosts where the models of an edited config are (see `servedModelAvailability` in llm/).
   * Called only when an edit changes the chat model, the experiment candidate or their hosts; an edit
   * whose model no host has is refused. Without it, edits are not checked.
   */
  checkModels?: (next: LoadedConfig) => Promise<ModelAvailability[]>;
  /** The time, for the status; default the real one. */
  now?: () => Date;
}

/** Dotted paths of the leaves that differ between two plain values (arrays compare whole). */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}

/**
 * Loads the config (throwing ConfigError at start, so a bad file fails fast) and then watches it.
 * Watches the folder rather than the file, because editors that save by writing a new file and
 * renaming it over the old one would leave a file watcher on a deleted inode. An edit is read after
 * `debounceMs` of quiet; an invalid, empty or missing file is refused with one log line naming the
 * fields, and the config in force stays whole. The instructions file and policy files are watched the same way.
 */
export function createConfigStore(options: ConfigStoreOptions): ConfigStore {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { file } = resolveConfigFile({ env, cwd, ...(options.file ? { file: options.file } : {}) });
  const log = options.logger.child({ area: 'config' });
  const debounceMs = options.debounceMs ?? 150;
  const now = options.now ?? (() => new Date());
  let current = options.initial ?? loadConfig({ env, cwd, file });
  let status: ConfigStatus = { version: current.version, appliedAt: now().toISOString() };
  let queue: Promise<unknown> = Promise.resolve();
  const changeListeners = new Set<(next: LoadedConfig, previous: LoadedConfig, changed: string[]) => void>();
  const rejectListeners = new Set<(problems: string[]) => void>();
  const watchers = new Map<string, fs.FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let isClosed = false;

  /** Files whose change means "re-read": the config file, the instructions file and the policy files. */
  function watchedFiles(): string[] {
    const configDir = current.file ? path.dirname(current.file) : cwd;
    const prompt = current.config.chat.systemPromptFile;
    return [file, ...(prompt ? [path.resolve(configDir, prompt)] : []), ...Object.values(policyFiles(current.config, configDir))];
  }

  function syncWatchers(): void {
    const files = watchedFiles();
    const dirs = new Set(files.map((f) => path.dirname(f)));
    for (const [dir, watcher] of watchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
          // Some platforms give no file name: re-read anyway; an unchanged file changes nothing.
          if (name === null || watchedFiles().includes(path.join(dir, name.toString()))) schedule();
        });
        watcher.on('error', (err) => {
          log.warn({ err, dir }, 'stopped watching a config folder; edits there need a restart or SIGHUP');
          watcher.close();
          watchers.delete(dir);
        });
        watchers.set(dir, watcher);
      } catch (err) {
        log.warn({ err, dir }, 'cannot watch the config folder; edits need a restart or SIGHUP');
      }
    }
  }

  function schedule(): void {
    if (isClosed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      reload().catch((err: unknown) => log.error({ err, file }, 'config reload failed; keeping the config in force'));
    }, debounceMs);
  }

  function reject(problems: string[], fields: Record<string, unknown> = {}): ReloadOutcome {
    log.warn(
      { file, problems, version: current.version, ...fields },
      `config edit rejected, keeping version ${current.version}: ${problems.join('; ')}`,
    );
    status = { ...status, refused: { at: now().toISOString(), reason: problems.join('; ') } };
    for (const listener of rejectListeners) listener(problems);
    return { status: 'rejected', config: current, problems };
  }

  /** Asks the hosts about the edit's models; a failure to ask counts as "could not check". */
  async function verdictFor(next: LoadedConfig): Promise<{ verdict: ModelEditVerdict; asked: ModelAvailability[] }> {
    if (!options.checkModels || servingPlan(next.config) === servingPlan(current.config))
      return { verdict: { status: 'served' }, asked: [] };
    try {
      const asked = await options.checkModels(next);
      return { verdict: decideModelEdit(asked), asked };
    } catch (err) {
      const reason = `could not ask the hosts about the models: ${err instanceof Error ? err.message : String(err)}`;
      return { verdict: { status: 'unverified', reason }, asked: [] };
    }
  }

  function reload(): Promise<ReloadOutcome> {
    // One at a time: a second save while the hosts are being asked must not apply out of order.
    const run = queue.then(reloadNow, reloadNow);
    queue = run.catch(() => undefined);
    return run;
  }

  async function reloadNow(): Promise<ReloadOutcome> {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const isMissing = err instanceof Error && 'code' in err && err.code === 'ENOENT';
      return reject([
        isMissing ? `${file}: the file is missing` : `${file}: ${err instanceof Error ? err.message : String(err)}`,
      ]);
    }
    // An editor that saves in place truncates first: an empty file is a save in progress, not "all defaults".
    if (text.trim() === '') return reject([`${file}: the file is empty (still being written?)`]);
    let next: LoadedConfig;
    try {
      next = configFromText(text, { file, env, cwd });
    } catch (err) {
      if (err instanceof ConfigError) return reject(err.problems);
      throw err;
    }
    if (next.version === current.version) return { status: 'unchanged', config: current };
    const { verdict, asked } = await verdictFor(next);
    if (isClosed) return { status: 'unchanged', config: current };
    // The edit's model is missing everywhere: every answer would fail, so the config in force stays.
    if (verdict.status === 'refused') {
      const missing = asked.filter((a) => a.presentOn.length === 0);
      return reject([verdict.reason], {
        models: missing.map((a) => a.model),
        hostsAsked: [...new Set(missing.flatMap((a) => a.hostsAsked))],
        fix: missing.flatMap((a) => a.fixes),
      });
    }
    const previous = current;
    const changed = changedPaths(previous.config, next.config);
    if (previous.systemPrompt !== next.systemPrompt) changed.push('(system prompt text)');
    if (JSON.stringify(previous.policies) !== JSON.stringify(next.policies)) changed.push('(policy text)');
    current = next;
    const at = now().toISOString();
    status = { version: next.version, appliedAt: at };
    if (verdict.status === 'unverified') {
      status = { ...status, unverified: { at, reason: verdict.reason } };
      log.warn(
        { version: next.version, reason: verdict.reason },
        `config applied without checking its model, because the hosts could not be reached (an outage does not block config edits): ${verdict.reason}. Run \`pnpm models\` once they are back.`,
      );
    }
    log.info(
      { version: next.version, previous: previous.version, changed, envOverrides: next.envOverrides },
      `config reloaded: ${changed.join(', ')}`,
    );
    const needsRestart = changed.filter((c) => RESTART_ONLY_FIELDS.some((f) => c === f || c.startsWith(`${f}.`)));
    if (needsRestart.length > 0)
      log.warn({ fields: needsRestart }, `restart Aisle for these changes to take effect: ${needsRestart.join(', ')}`);
    syncWatchers();
    for (const listener of changeListeners) {
      try {
        listener(next, previous, changed);
      } catch (err) {
        log.error({ err }, 'a config change listener failed');
      }
    }
    return { status: 'applied', config: next, changed };
  }

  syncWatchers();

  return {
    current: () => current,
    onChange(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onReject(listener) {
      rejectListeners.add(listener);
      return () => rejectListeners.delete(listener);
    },
    reload,
    status: () => status,
    close() {
      isClosed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
