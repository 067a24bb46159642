import fs from 'node:fs';
import path from 'node:path';
import { configJsonSchema, JSON_SCHEMA_FILE } from '../config/writeJsonSchema';
import { parseCliArgs } from './cliArgs';

const USAGE = `Aisle config schema

Usage:
  pnpm config:schema           Write docs/aisle.schema.json from the config schema (server/src/config/configSchema.ts)
  pnpm config:schema --check   Exit 1 when the file on disk is out of date, writing nothing
  pnpm config:schema --help    Show this help (also -h)

aisle.yaml points editors at the file for completion and checks (# yaml-language-server: $schema=…).
`;

/** `pnpm config:schema`: regenerates (or checks) the JSON Schema of aisle.yaml. Returns the exit code. */
export function main(argv: readonly string[]): number {
  const args = parseCliArgs(argv, { command: 'pnpm config:schema', usage: USAGE, options: { check: { type: 'boolean' } } });
  if (args.isDone) return args.exitCode;
  const relative = path.relative(process.cwd(), JSON_SCHEMA_FILE);
  const wanted = configJsonSchema();
  if (args.values.check) {
    const current = fs.existsSync(JSON_SCHEMA_FILE) ? fs.readFileSync(JSON_SCHEMA_FILE, 'utf8') : '';
    if (current === wanted) {
      process.stdout.write(`${relative} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${relative} is out of date: run pnpm config:schema\n`);
    return 1;
  }
  fs.writeFileSync(JSON_SCHEMA_FILE, wanted);
  process.stdout.write(`Wrote ${relative}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
