import { SYSTEM_PROMPT_DOC, systemPromptMarkdown } from '../assistant/systemPrompt';
import { runGeneratedFileCli } from './generatedFile';

const USAGE = `Aisle system prompt document

Usage:
  pnpm docs:prompt           Write docs/system-prompt.md from the built-in prompt (server/src/assistant/systemPrompt.ts)
  pnpm docs:prompt --check   Exit 1 when the file on disk is out of date, writing nothing
  pnpm docs:prompt --help    Show this help (also -h)
`;

/** `pnpm docs:prompt`: regenerates (or checks) the file. Returns the exit code. */
export function main(argv: readonly string[]): number {
  return runGeneratedFileCli(argv, {
    command: 'pnpm docs:prompt',
    usage: USAGE,
    file: SYSTEM_PROMPT_DOC,
    contents: systemPromptMarkdown,
  });
}

process.exitCode = main(process.argv.slice(2));
