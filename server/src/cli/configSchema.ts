import { configJsonSchema, JSON_SCHEMA_FILE } from '../config/writeJsonSchema';
import { runGeneratedFileCli } from './generatedFile';

const USAGE = `Aisle config schema

Usage:
  pnpm config:schema           Write docs/aisle.schema.json from the config schema (server/src/config/configSchema.ts)
  pnpm config:schema --check   Exit 1 when the file on disk is out of date, writing nothing
  pnpm config:schema --help    Show this help (also -h)

aisle.yaml points editors at the file for completion and checks (# yaml-language-server: $schema=…).
`;

/** `pnpm config:schema`: regenerates (or checks) the file. Returns the exit code. */
export function main(argv: readonly string[]): number {
  return runGeneratedFileCli(argv, {
    command: 'pnpm config:schema',
    usage: USAGE,
    file: JSON_SCHEMA_FILE,
    contents: configJsonSchema,
  });
}

process.exitCode = main(process.argv.slice(2));
