import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, type CliOutput } from './cliArgs';

function buffers(): CliOutput & { out: string; err: string } {
  const b = {
    out: '',
    err: '',
    stdout: { write: (t: string) => (b.out += t) },
    stderr: { write: (t: string) => (b.err += t) },
  };
  return b;
}

const spec = {
  command: 'pnpm thing',
  usage: 'Usage: pnpm thing [--name N] [--loud] <file>\n',
  options: { name: { type: 'string' }, loud: { type: 'boolean', short: 'l' } },
  allowPositionals: true,
} as const;

describe('parseCliArgs', () => {
  it('returns typed values and positionals', () => {
    const io = buffers();
    const args = parseCliArgs(['--name', 'Ann', '-l', 'file.tsv'], spec, io);
    expect(args).toEqual({ isDone: false, values: { name: 'Ann', loud: true }, positionals: ['file.tsv'] });
    expect(io.out + io.err).toBe('');
  });

  it('prints the usage for --help or -h anywhere before --, and is done with exit 0', () => {
    for (const argv of [['--help'], ['-h'], ['file.tsv', '--name', 'x', '--help'], ['--bogus', '-h']]) {
      const io = buffers();
      expect(parseCliArgs(argv, spec, io)).toEqual({ isDone: true, exitCode: 0 });
      expect(io.out).toBe(spec.usage);
      expect(io.err).toBe('');
    }
    const io = buffers();
    expect(parseCliArgs(['--', '--help'], spec, io)).toEqual({ isDone: false, values: {}, positionals: ['--help'] });
  });

  it('names an unknown option in one line with a pointer to --help, and is done with exit 2', () => {
    const io = buffers();
    expect(parseCliArgs(['file.tsv', '--frobnicate'], spec, io)).toEqual({ isDone: true, exitCode: 2 });
    expect(io.err).toBe('pnpm thing: unknown option --frobnicate. See: pnpm thing --help\n');
    expect(io.out).toBe('');

    const short = buffers();
    expect(parseCliArgs(['-z'], spec, short)).toEqual({ isDone: true, exitCode: 2 });
    expect(short.err).toBe('pnpm thing: unknown option -z. See: pnpm thing --help\n');
  });

  it('refuses a missing value or a stray word in one line, exit 2', () => {
    const missing = buffers();
    expect(parseCliArgs(['--name'], spec, missing)).toEqual({ isDone: true, exitCode: 2 });
    expect(missing.err.trimEnd().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/^pnpm thing: .*--name.*\. See: pnpm thing --help\n$/);

    const stray = buffers();
    expect(parseCliArgs(['file.tsv'], { ...spec, allowPositionals: false }, stray)).toEqual({ isDone: true, exitCode: 2 });
    expect(stray.err).toBe('pnpm thing: unexpected argument "file.tsv". See: pnpm thing --help\n');
  });
});

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Runs a CLI as its script does, with no config around that could make it do real work. */
function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { AISLE_CONFIG: _config, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env }, (error, stdout, stderr) => {
      resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

describe('every CLI', () => {
  const clis: Array<[command: string, script: string, usageSays: string]> = [
    ['pnpm catalogue', 'server/src/cli/catalogue.ts', 'pnpm catalogue import <file>'],
    ['pnpm agent', 'server/src/cli/agent.ts', 'pnpm agent create --email'],
    ['pnpm models', 'server/src/cli/models.ts', 'pnpm models --json'],
    ['pnpm eval', 'server/src/eval/cli.ts', '--from-transcripts <sqlite>'],
    ['pnpm config:schema', 'server/src/cli/configSchema.ts', 'pnpm config:schema --check'],
    ['pnpm bench', 'test/bench/streaming.bench.ts', 'pnpm bench --quick'],
    ['pnpm ollama-double', 'test/ollama-double/cli.ts', 'Usage: pnpm ollama-double'],
    ['tsx test/openai-double/cli.ts', 'test/openai-double/cli.ts', '--flavor vllm|ollama-v1'],
  ];

  it.each(clis)(
    '%s answers --help and -h with its usage (exit 0), and an unknown option with one line (exit 2)',
    async (command, script, usageSays) => {
      const [help, short, unknown] = await Promise.all([
        run(script, ['--help']),
        run(script, ['-h']),
        run(script, ['--frobnicate']),
      ]);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toContain(usageSays);
      expect(short).toEqual(help);
      expect(unknown).toEqual({
        code: 2,
        stdout: '',
        stderr: `${command}: unknown option --frobnicate. See: ${command} --help\n`,
      });
    },
    // Three fresh `tsx` processes each: seconds apiece on a busy machine.
    90_000,
  );
});
