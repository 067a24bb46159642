/**
 * `pnpm ollama-double`: runs the Ollama test double on 127.0.0.1:11434 (or --port N / PORT) so the
 * app can be tried without a GPU. It answers with the deterministic demo brain, streamed slowly
 * enough to look like a model.
 */
import { parseCliArgs } from '@aisle/server/cli/cliArgs';
import { z } from 'zod';
import type { OllamaDouble } from './index';
import { DEFAULT_MODELS, startOllamaDouble } from './index';

const DEFAULT_PORT = 11434;
const DEMO_TOKEN_DELAY_MS = 25;

const portSchema = z.coerce.number().int().min(0).max(65535);
const delaySchema = z.coerce.number().int().min(0).max(10_000);

const USAGE =
  'Usage: pnpm ollama-double [--port N] [--delay MS]\n' +
  `  --port, -p  port on 127.0.0.1 (default PORT env or ${DEFAULT_PORT})\n` +
  `  --delay     milliseconds between streamed tokens (default ${DEMO_TOKEN_DELAY_MS})\n` +
  '  --help, -h  show this help\n';

const args = parseCliArgs(process.argv.slice(2), {
  command: 'pnpm ollama-double',
  usage: USAGE,
  options: { port: { type: 'string', short: 'p' }, delay: { type: 'string' } },
});
if (args.isDone) process.exit(args.exitCode);
const { values } = args;

const port = portSchema.safeParse(values.port ?? process.env.PORT ?? DEFAULT_PORT);
const delay = delaySchema.safeParse(values.delay ?? DEMO_TOKEN_DELAY_MS);
if (!port.success || !delay.success) {
  process.stderr.write('ollama-double: --port must be 0-65535 and --delay 0-10000 (milliseconds)\n');
  process.exit(2);
}

let double: OllamaDouble;
try {
  double = await startOllamaDouble({ port: port.data, tokenDelayMs: delay.data });
} catch (error) {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  process.stderr.write(
    code === 'EADDRINUSE'
      ? `ollama-double: port ${port.data} is in use (is a real Ollama running?). Try --port 11435.\n`
      : `ollama-double: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}

process.stdout.write(
  [
    '',
    '  ┌──────────────────────────────────────────────────────────────────────┐',
    '  │  Ollama TEST DOUBLE — this is NOT a language model.                  │',
    '  └──────────────────────────────────────────────────────────────────────┘',
    `  Listening on ${double.url} (Ollama's native API).`,
    `  Models: ${DEFAULT_MODELS.map((model) => model.name).join(', ')}`,
    '  It writes canned answers: it calls search_products with your question, then',
    '  recommends up to 3 products from the catalogue results it is given.',
    `  Tokens are streamed every ${delay.data} ms. Ctrl+C to stop.`,
    '',
  ].join('\n') + '\n',
);

let isStopping = false;
const stop = (signal: string) => {
  if (isStopping) return;
  isStopping = true;
  process.stdout.write(`\n  ${signal}: stopping the Ollama test double.\n`);
  double.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
