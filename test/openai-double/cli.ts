/**
 * Runs the OpenAI-compatible test double on 127.0.0.1:8000 (or --port N / PORT), imitating vLLM
 * (default) or Ollama's /v1 (--flavor ollama-v1), so the openai-compatible backend can be tried
 * without a GPU. It answers with the Ollama double's deterministic demo brain.
 */
import { parseCliArgs } from '@aisle/server/cli/cliArgs';
import { z } from 'zod';
import type { OpenAiDouble } from './index';
import { startOpenAiDouble } from './index';

const DEFAULT_PORT = 8000;
const DEMO_TOKEN_DELAY_MS = 25;

const argsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  delay: z.coerce.number().int().min(0).max(10_000),
  flavor: z.enum(['vllm', 'ollama-v1']),
  model: z.array(z.string().min(1)).optional(),
  apiKey: z.string().min(1).optional(),
});

const USAGE =
  'Usage: tsx test/openai-double/cli.ts [--port N] [--delay MS] [--flavor vllm|ollama-v1] [--model ID]... [--api-key KEY]\n';

const parsed = parseCliArgs(process.argv.slice(2), {
  command: 'tsx test/openai-double/cli.ts',
  usage: USAGE,
  options: {
    port: { type: 'string', short: 'p' },
    delay: { type: 'string' },
    flavor: { type: 'string' },
    model: { type: 'string', multiple: true },
    'api-key': { type: 'string' },
  },
});
if (parsed.isDone) process.exit(parsed.exitCode);
const { values } = parsed;

const args = argsSchema.safeParse({
  port: values.port ?? process.env.PORT ?? DEFAULT_PORT,
  delay: values.delay ?? DEMO_TOKEN_DELAY_MS,
  flavor: values.flavor ?? 'vllm',
  model: values.model,
  apiKey: values['api-key'],
});
if (!args.success) {
  process.stderr.write(`openai-double: ${args.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
  process.exit(2);
}

let double: OpenAiDouble;
try {
  double = await startOpenAiDouble({
    port: args.data.port,
    tokenDelayMs: args.data.delay,
    flavor: args.data.flavor,
    ...(args.data.model ? { models: args.data.model } : {}),
    ...(args.data.apiKey ? { apiKey: args.data.apiKey } : {}),
  });
} catch (error) {
  process.stderr.write(`openai-double: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

process.stdout.write(
  [
    '',
    '  OpenAI-compatible TEST DOUBLE — this is NOT a language model.',
    `  Listening on ${double.url} (/v1/chat/completions, imitating ${double.flavor}).`,
    `  Models: ${double.models.join(', ')}`,
    `  Tokens are streamed every ${args.data.delay} ms. Ctrl+C to stop.`,
    '',
  ].join('\n') + '\n',
);

const stop = () => {
  double.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
