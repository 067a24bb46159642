import { createApp } from './app';
import { createConfigStore } from './config/configStore';
import { ConfigError, loadConfig, type LoadedConfig } from './config/loadConfig';
import { checkModels, servedModelAvailability } from './llm/modelHealth';
import { createLogger, type Logger } from './logger';

/** Logs what `pnpm models` would say: one line when all is well, the fixes when it is not. */
async function logModelCheck(loaded: LoadedConfig, logger: Logger): Promise<void> {
  const log = logger.child({ area: 'models' });
  try {
    const report = await checkModels({ config: loaded });
    if (report.ok) {
      log.info({ models: report.models.map((m) => `${m.model} on ${m.presentOn.join(', ')}`) }, 'configured models are present');
      return;
    }
    for (const host of report.hosts.filter((h) => !h.reachable))
      log.warn({ host: host.name, url: host.url }, host.error ?? `Ollama host ${host.name} is down`);
    for (const m of report.models) {
      for (const p of m.pullCommands)
        log.warn({ model: m.model, host: p.hostName }, `model ${m.model} is not pulled on ${p.hostName}: run ${p.command}`);
      for (const problem of m.problems) log.warn({ model: m.model }, `model ${m.model} ${problem}`);
    }
  } catch (err) {
    log.warn({ err }, 'could not check the configured models');
  }
}

/** Fields whose change calls for a new model check. */
const MODEL_FIELDS = ['chat.model', 'chat.think', 'embedding', 'models', 'ollama.host', 'ollama.hosts'];

/**
 * Boot: load config (fail fast, naming every bad field) and keep watching it, wire the app, listen,
 * check the models, shut down cleanly. SIGHUP re-reads the config where file events do not arrive.
 */
async function main(): Promise<void> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(loaded.config.log.level);
  // An edit whose chat model no host has is refused: the config in force keeps answering.
  const store = createConfigStore({ logger, initial: loaded, checkModels: (next) => servedModelAvailability({ config: next }) });
  const app = await createApp({
    config: () => store.current(),
    configStatus: () => store.status(),
    logger,
    onConfigChange: (listener) => store.onChange(listener),
  });
  const url = await app.listen();
  const shown = url.replace('127.0.0.1', 'localhost');
  logger.info(
    {
      url: shown,
      ollama: loaded.config.ollama.hosts.length > 0 ? loaded.config.ollama.hosts : loaded.config.ollama.host,
      model: loaded.config.chat.model,
      configVersion: loaded.version,
      configFile: loaded.file,
    },
    `Aisle is running at ${shown}`,
  );
  void logModelCheck(loaded, logger);
  store.onChange((next, _previous, changed) => {
    if (changed.some((c) => MODEL_FIELDS.some((f) => c === f || c.startsWith(`${f}.`)))) void logModelCheck(next, logger);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    store.close();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => {
    store.reload().then(
      (outcome) => {
        if (outcome.status === 'unchanged') logger.info({ version: outcome.config.version }, 'SIGHUP: config unchanged');
      },
      (err: unknown) => logger.error({ err }, 'SIGHUP: config reload failed; keeping the config in force'),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`Aisle could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
