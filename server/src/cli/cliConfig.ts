import { ConfigError, loadConfig, type LoadedConfig } from '../config/loadConfig';
import type { CliOutput } from './cliArgs';

/**
 * Loads the configuration exactly as the server does (AISLE_CONFIG or ./aisle.yaml, then the
 * environment overrides), so a CLI works on the same data dir as the server. An invalid config is
 * printed, naming each bad field, and gives null.
 */
export function loadCliConfig(options: Parameters<typeof loadConfig>[0] = {}, out: CliOutput = process): LoadedConfig | null {
  try {
    return loadConfig(options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    out.stderr.write(`${err.message}\n`);
    return null;
  }
}
