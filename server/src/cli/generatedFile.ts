import fs from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from './cliArgs';

/**
 * The body of a CLI that writes a file generated from code (`pnpm config:schema`, `pnpm docs:prompt`):
 * writes it, or with `--check` exits 1 when the file on disk differs, writing nothing. Returns the exit code.
 */
export function runGeneratedFileCli(
  argv: readonly string[],
  spec: { command: string; usage: string; file: string; contents: () => string },
): number {
  const args = parseCliArgs(argv, { command: spec.command, usage: spec.usage, options: { check: { type: 'boolean' } } });
  if (args.isDone) return args.exitCode;
  const relative = path.relative(process.cwd(), spec.file);
  const wanted = spec.contents();
  if (args.values.check) {
    const current = fs.existsSync(spec.file) ? fs.readFileSync(spec.file, 'utf8') : '';
    if (current === wanted) {
      process.stdout.write(`${relative} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${relative} is out of date: run ${spec.command}\n`);
    return 1;
  }
  fs.writeFileSync(spec.file, wanted);
  process.stdout.write(`Wrote ${relative}\n`);
  return 0;
}
