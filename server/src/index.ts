import { createApp } from './app';
import { ConfigError, loadConfig } from './config/loadConfig';
import { createLogger } from './logger';

/** Boot: load config (fail fast, naming every bad field), wire the app, listen, shut down cleanly. */
async function main(): Promise<void> {
  let loaded;
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
  const app = await createApp({ config: () => loaded, logger });
  const url = await app.listen();
  const shown = url.replace('127.0.0.1', 'localhost');
  logger.info({ url: shown, ollama: loaded.config.ollama.host, model: loaded.config.chat.model, configVersion: loaded.version }, `Aisle is running at ${shown}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
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
}

main().catch((err: unknown) => {
  process.stderr.write(`Aisle could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
