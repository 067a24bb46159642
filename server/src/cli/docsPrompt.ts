import fs from 'node:fs';
import path from 'node:path';
import { SYSTEM_PROMPT_DOC, systemPromptMarkdown } from '../assistant/systemPrompt';
import { parseCliArgs } from './cliArgs';

const USAGE = `Aisle system prompt document

Usage:
  pnpm docs:prompt           Write docs/system-prompt.md from the built-in prompt (server/src/assistant/systemPrompt.ts)
  pnpm docs:prompt --check   Exit 1 when the file on disk is out of date, writing nothing
  pnpm docs:prompt --help    Show this help (also -h)
`;

/** `pnpm docs:prompt`: regenerates (or checks) the published system prompt. Returns the exit code. */
export function main(argv: readonly string[]): number {
  const args = parseCliArgs(argv, { command: 'pnpm docs:prompt', usage: USAGE, options: { check: { type: 'boolean' } } });
  if (args.isDone) return args.exitCode;
  const relative = path.relative(process.cwd(), SYSTEM_PROMPT_DOC);
  const wanted = systemPromptMarkdown();
  if (args.values.check) {
    const current = fs.existsSync(SYSTEM_PROMPT_DOC) ? fs.readFileSync(SYSTEM_PROMPT_DOC, 'utf8') : '';
    if (current === wanted) {
      process.stdout.write(`${relative} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${relative} is out of date: run pnpm docs:prompt\n`);
    return 1;
  }
  fs.writeFileSync(SYSTEM_PROMPT_DOC, wanted);
  process.stdout.write(`Wrote ${relative}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
