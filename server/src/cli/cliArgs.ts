import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** Where a CLI writes: the process's streams, or a test's buffers. */
export interface CliOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** How a CLI reads its arguments. */
export interface CliSpec<O extends ParseArgsOptionsConfig> {
  /** The command as people type it, e.g. `pnpm eval`: errors point at `<command> --help`. */
  command: string;
  /** The text `--help` prints. */
  usage: string;
  /** Options besides `--help`/`-h`, which every CLI answers. */
  options: O;
  /** Whether words that are not options (sub-commands, files) are accepted. */
  allowPositionals?: boolean;
}

/** The parsed arguments, typed from the options. */
export type CliArgs<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;

/** The arguments, or the exit code when the CLI is done already (help shown: 0, bad usage: 2). */
export type CliArgsResult<O extends ParseArgsOptionsConfig> =
  ({ isDone: false } & Pick<CliArgs<O>, 'values' | 'positionals'>) | { isDone: true; exitCode: 0 | 2 };

/** Exit code for a command line that cannot be understood (as in most Unix tools). */
export const USAGE_EXIT_CODE = 2;

interface ParseArgsError extends Error {
  code: string;
}

function isParseArgsError(err: unknown): err is ParseArgsError {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS_');
}

/** One line naming what is wrong, instead of Node's message (which is long and names its own API). */
function describeProblem(err: ParseArgsError, args: string[], options: ParseArgsOptionsConfig): string {
  // A lenient second pass tells which word the strict pass refused.
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const unknown = tokens.find((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
    if (unknown?.kind === 'option') return `unknown option ${unknown.rawName}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = tokens.find((t) => t.kind === 'positional');
    if (extra?.kind === 'positional') return `unexpected argument "${extra.value}"`;
  }
  return err.message.split('\n')[0] ?? err.message;
}

/**
 * Parses a CLI's arguments with `node:util` parseArgs. `--help` or `-h` anywhere (before `--`) prints
 * the usage and means exit 0; an unknown option or a malformed value prints one line and a pointer
 * to `--help` and means exit 2. Never throws for bad input, so no stack trace reaches the terminal.
 */
export function parseCliArgs<O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  spec: CliSpec<O>,
  out: CliOutput = process,
): CliArgsResult<O> {
  const end = argv.indexOf('--');
  const beforeEnd = end >= 0 ? argv.slice(0, end) : argv;
  if (beforeEnd.some((a) => a === '--help' || a === '-h')) {
    out.stdout.write(spec.usage);
    return { isDone: true, exitCode: 0 };
  }
  const args = [...argv];
  try {
    const { values, positionals } = parseArgs({
      args,
      options: spec.options,
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
    });
    return { isDone: false, values, positionals };
  } catch (err) {
    if (!isParseArgsError(err)) throw err;
    out.stderr.write(`${spec.command}: ${describeProblem(err, args, spec.options)}. See: ${spec.command} --help\n`);
    return { isDone: true, exitCode: USAGE_EXIT_CODE };
  }
}
