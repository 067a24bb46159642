import fs from 'node:fs';
import path from 'node:path';
import { startOllamaDouble, type OllamaDouble, type OllamaDoubleOptions } from '../../ollama-double';
import { startTestServer, type TestServer } from '../../helpers/testServer';

/** The built client the server serves to the browser (`pnpm build`). */
export const CLIENT_DIST = path.resolve(import.meta.dirname, '../../../client/dist');

type ServerOptions = Parameters<typeof startTestServer>[0];

/** The real server with the built client, in front of an Ollama test double. */
export interface E2eStack {
  double: OllamaDouble;
  server: TestServer;
  /** The chat page, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  close(): Promise<void>;
}

/** Fails early, with the fix, when the client has not been built. */
export function assertClientBuilt(): void {
  if (!fs.existsSync(path.join(CLIENT_DIST, 'index.html'))) {
    throw new Error(`No built client in ${CLIENT_DIST}. Run \`pnpm build\` (or \`pnpm --filter @aisle/client build\`) first.`);
  }
}

/**
 * Boots the Ollama double and the real server serving the built client. Chat timings are the
 * production defaults (deltas coalesced every 25 ms, 15 s grace for reloads) unless `config` says
 * otherwise, so the browser sees what a shopper would.
 */
export async function startStack(
  options: { double?: OllamaDoubleOptions; catalogue?: ServerOptions['catalogue']; config?: ServerOptions['config'] } = {},
): Promise<E2eStack> {
  assertClientBuilt();
  const double = await startOllamaDouble(options.double ?? {});
  const config = options.config ?? {};
  let server: TestServer;
  try {
    server = await startTestServer({
      ollamaUrl: double.url,
      clientDist: CLIENT_DIST,
      catalogue: options.catalogue ?? 'fixtures',
      config: { ...config, chat: { coalesceMs: 25, disconnectGraceMs: 15_000, ...(config.chat ?? {}) } },
    });
  } catch (error) {
    await double.close();
    throw error;
  }
  return {
    double,
    server,
    url: `${server.url}/`,
    async close() {
      await server.close();
      await double.close();
    },
  };
}
