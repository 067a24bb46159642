import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyDatabase, TargetNotEmptyError, type TableCheck } from '../db/copyDatabase';
import { databaseFile, databaseLocation, isPostgresUrl, openDatabase, redactUrl, type Database } from '../db/database';
import { parseCliArgs, USAGE_EXIT_CODE, type CliOutput } from './cliArgs';
import { loadCliConfig } from './cliConfig';

const USAGE = `Aisle database

Usage:
  pnpm db:migrate [--database <file or postgres:// URL>]
      Bring the shop's database to the latest schema (the server also does this at every start).
      Default: the database of the config (database.url / DATABASE_URL, else aisle.sqlite in dataDir).
  pnpm db:copy [--from <aisle.sqlite>] [--to <postgres:// URL>]
      Copy a shop from its SQLite file into an empty PostgreSQL database, then compare every table
      on both sides (row counts and checksums over the rows in key order) and print them.
      Default --from: aisle.sqlite in the config's dataDir; default --to: database.url / DATABASE_URL.
      Refuses a target that already holds rows. Exit code 1 when any table differs.
  pnpm db:copy --help           Show this help (also -h)

Stop the server first: a copy taken while shoppers chat misses what they write meanwhile. Then set
database.url (or DATABASE_URL) to the target and start the server again.
`;

const OPTIONS = {
  database: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

/** A path or URL as typed: relative paths mean the folder the command was run from. */
function resolveLocation(value: string): string {
  return isPostgresUrl(value) ? value : path.resolve(process.env.INIT_CWD ?? process.cwd(), value);
}

/** Where the given database is, for messages (a URL's password is never printed). */
function describeLocation(location: string): string {
  return isPostgresUrl(location) ? redactUrl(location) : location;
}

async function withOpen<T>(location: string, run: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(location);
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

/** The comparison table: one line per table, then the verdict. */
export function formatChecks(checks: readonly TableCheck[]): string {
  const width = Math.max(...checks.map((c) => c.table.length), 5);
  const lines = [`${'table'.padEnd(width)}  ${'rows'.padStart(8)}  ${'target'.padStart(8)}  checksum (sha256)   result`];
  for (const c of checks)
    lines.push(
      `${c.table.padEnd(width)}  ${String(c.source.rows).padStart(8)}  ${String(c.target.rows).padStart(8)}  ${c.source.checksum.slice(0, 16)}    ${
        c.isMatch ? 'same' : `DIFFERS (target ${c.target.checksum.slice(0, 16)})`
      }`,
    );
  const differing = checks.filter((c) => !c.isMatch);
  lines.push(
    differing.length === 0
      ? `Every table matches: ${checks.reduce((n, c) => n + c.source.rows, 0)} rows copied.`
      : `${differing.length} table(s) differ: ${differing.map((c) => c.table).join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

async function migrateCommand(databaseArg: string | undefined, out: CliOutput): Promise<number> {
  let location: string;
  if (databaseArg) location = resolveLocation(databaseArg);
  else {
    const loaded = loadCliConfig({}, out);
    if (!loaded) return 1;
    location = databaseLocation(loaded);
  }
  await withOpen(location, async () => {});
  out.stdout.write(`${describeLocation(location)} is at the latest schema.\n`);
  return 0;
}

async function copyCommand(fromArg: string | undefined, toArg: string | undefined, out: CliOutput): Promise<number> {
  let from = fromArg ? resolveLocation(fromArg) : null;
  let to = toArg ? resolveLocation(toArg) : null;
  if (!from || !to) {
    const loaded = loadCliConfig({}, out);
    if (!loaded) return 1;
    from ??= databaseFile(loaded);
    to ??= loaded.config.database.url;
  }
  if (!to) {
    out.stderr.write(`Where to? Give --to postgres://… or set database.url (DATABASE_URL).\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  if (!isPostgresUrl(to)) {
    out.stderr.write(`--to takes a postgres:// URL (the copy goes from SQLite to PostgreSQL), not "${to}".\n`);
    return USAGE_EXIT_CODE;
  }
  if (isPostgresUrl(from)) {
    out.stderr.write(`--from takes the shop's SQLite file (aisle.sqlite), not a PostgreSQL URL.\n`);
    return USAGE_EXIT_CODE;
  }
  if (!fs.existsSync(from)) {
    out.stderr.write(`There is no SQLite file at ${from}.\n`);
    return 1;
  }
  out.stdout.write(`Copying ${from}\n   into ${describeLocation(to)}\n`);
  try {
    const checks = await withOpen(from, (source) =>
      withOpen(to, (target) => copyDatabase(source, target, (table, rows) => out.stdout.write(`  ${table}: ${rows} rows\n`))),
    );
    out.stdout.write(`\n${formatChecks(checks)}`);
    return checks.every((c) => c.isMatch) ? 0 : 1;
  } catch (err) {
    if (err instanceof TargetNotEmptyError) {
      out.stderr.write(`Nothing was copied: ${err.message}.\n`);
      return 1;
    }
    throw err;
  }
}

/** `pnpm db:migrate` and `pnpm db:copy` (the first argument names the command). */
export async function main(argv: string[], out: CliOutput = process): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'migrate' && command !== 'copy') {
    out.stderr.write(`Unknown command "${command ?? ''}".\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  const args = parseCliArgs(rest, { command: `pnpm db:${command}`, usage: USAGE, options: OPTIONS }, out);
  if (args.isDone) return args.exitCode;
  if (command === 'migrate') return migrateCommand(args.values.database, out);
  return copyCommand(args.values.from, args.values.to, out);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`pnpm db failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
