import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../config/loadConfig';
import { databaseLocation, isPostgresUrl, openDatabase } from '../db/database';
import { createVectorRepository } from '../db/vectorRepository';
import { checkModels, type ModelsReport } from '../llm/modelHealth';
import { parseCliArgs } from './cliArgs';
import { loadCliConfig } from './cliConfig';

const USAGE = `Aisle models check

Usage:
  pnpm models                  List the models on every configured Ollama host and check the configured ones
  pnpm models --config FILE    Use another config file (default: AISLE_CONFIG or ./aisle.yaml)
  pnpm models --json           Print the report as JSON
  pnpm models --help           Show this help (also -h, help)

Exit code 0 when every host answers and every configured model (chat, embedding and each entry under
"models:") is pulled on each host it may use, with the capabilities it needs; 1 otherwise.
`;

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** The model the README and hints suggest: small, multilingual, 1024 dimensions. */
const SUGGESTED_EMBEDDING_MODEL = 'qwen3-embedding:0.6b';

/** What the server's vector index holds, read from its database file. */
export interface SemanticIndexCounts {
  model: string | null;
  dimensions: number | null;
  embedded: number;
  total: number;
}

/**
 * The vector index's counts from the configuration's database, or null when there is no database
 * yet or no vector extension to read it with.
 */
export async function readSemanticIndex(loaded: LoadedConfig): Promise<SemanticIndexCounts | null> {
  const location = databaseLocation(loaded);
  if (!isPostgresUrl(location) && !fs.existsSync(location)) return null;
  const db = await openDatabase(location);
  try {
    const vectors = createVectorRepository(db);
    if (!vectors.availability().isAvailable) return null;
    const meta = vectors.meta();
    return { model: meta?.model ?? null, dimensions: meta?.dimensions ?? null, ...vectors.counts() };
  } finally {
    await db.close();
  }
}

/** Whether semantic search can work, and what to run when it cannot. */
function semanticSearchLines(report: ModelsReport, loaded: LoadedConfig, index: SemanticIndexCounts | null): string[] {
  const model = loaded.config.embedding.model;
  if (!model)
    return [
      'Semantic search: off (no embedding model configured); search is lexical only.',
      `  To find products by meaning and in other languages: ollama pull ${SUGGESTED_EMBEDDING_MODEL}`,
      `  then set embedding.model: ${SUGGESTED_EMBEDDING_MODEL} in the config.`,
    ];
  const entry = report.models.find((m) => m.roles.includes('embedding'));
  if (!entry || entry.presentOn.length === 0)
    return [`Semantic search: off until ${model} is pulled (see above); search is lexical only.`];
  const counts =
    index && index.model === model
      ? `embeddings: ${index.embedded.toLocaleString('en-US')} / ${index.total.toLocaleString('en-US')}, model ${model}`
      : `no vectors of ${model} yet: the server embeds the catalogue in the background`;
  return [`Semantic search: on, ${counts}.`];
}

/** The report as people read it: hosts and their models, the configured models, then what to run. */
export function formatModelsReport(report: ModelsReport, loaded: LoadedConfig, index: SemanticIndexCounts | null = null): string {
  const out: string[] = [];
  out.push(`Config: ${loaded.file ?? 'defaults (no config file)'} (version ${loaded.version})`, '');
  const roleOf = (name: string) => report.models.find((m) => m.model === name || m.model === name.replace(/:latest$/, ''))?.roles;

  for (const host of report.hosts) {
    if (!host.reachable) {
      out.push(`Host "${host.name}" at ${host.url}: DOWN`, `  ${host.error ?? 'No answer.'}`, '');
      continue;
    }
    const server =
      host.type === 'ollama'
        ? `Ollama ${host.version ?? '?'}`
        : `OpenAI-compatible server${host.version && host.version !== 'unknown' ? ` ${host.version}` : ''}`;
    out.push(`Host "${host.name}" at ${host.url}: ${server}, ${host.models.length} model${host.models.length === 1 ? '' : 's'}`);
    if (host.models.length === 0) out.push(host.type === 'ollama' ? '  (no models pulled yet)' : '  (no models served)');
    const width = Math.max(24, ...host.models.map((m) => m.name.length + 2));
    for (const m of [...host.models].sort((a, b) => a.name.localeCompare(b.name))) {
      const caps =
        host.type === 'openai'
          ? 'capabilities not reported'
          : m.capabilities.length > 0
            ? m.capabilities.join(', ')
            : 'capabilities unknown (Ollama before 0.30)';
      const roles = roleOf(m.name);
      out.push(`  ${pad(m.name, width)}${pad(caps, 34)}${roles ? `configured: ${roles.join(', ')}` : ''}`.trimEnd());
    }
    out.push('');
  }

  out.push('Configured models:');
  for (const m of report.models) {
    const label = `${m.model} (${m.roles.join(', ')})`;
    const isGood = m.missingOn.length === 0 && m.uncheckedOn.length === 0 && m.problems.length === 0;
    const parts: string[] = [];
    if (m.presentOn.length > 0) parts.push(`on ${m.presentOn.join(', ')}`);
    if (m.missingOn.length > 0) parts.push(`missing on ${m.missingOn.join(', ')}`);
    if (m.uncheckedOn.length > 0) parts.push(`not checked on ${m.uncheckedOn.join(', ')} (host down)`);
    const status = isGood ? 'ok' : m.missingOn.length > 0 ? 'MISSING' : m.problems.length > 0 ? 'PROBLEM' : 'UNKNOWN';
    out.push(`  ${status.padEnd(8)}${label}: ${parts.join('; ') || 'no host to check'}`);
    for (const p of m.problems) out.push(`          ${p}`);
  }

  const pulls = report.models.flatMap((m) => m.pullCommands.map((p) => ({ ...p, model: m.model })));
  const toServe = report.models.flatMap((m) =>
    m.missingOn
      .filter((h) => report.hosts.find((x) => x.name === h)?.type === 'openai')
      .map((hostName) => ({ hostName, model: m.model })),
  );
  if (pulls.length > 0) {
    out.push('', 'Pull the missing models:');
    for (const p of pulls) out.push(`  ${p.command}    # on ${p.hostName}`);
  }
  if (toServe.length > 0) {
    out.push('', 'Serve these on their OpenAI-compatible servers (they cannot pull):');
    for (const t of toServe) out.push(`  ${t.model}    # on ${t.hostName}`);
  }
  out.push('', ...semanticSearchLines(report, loaded, index));
  const down = report.hosts.filter((h) => !h.reachable);
  out.push('');
  if (report.ok) {
    out.push('All configured models are present.');
  } else {
    const problems: string[] = [];
    if (down.length > 0)
      problems.push(
        `${down.length} host${down.length === 1 ? '' : 's'} down (${down.map((h) => h.name).join(', ')}): start Ollama there or fix its URL in the config`,
      );
    if (pulls.length > 0) problems.push(`${pulls.length} model${pulls.length === 1 ? '' : 's'} to pull`);
    if (toServe.length > 0) problems.push(`${toServe.length} model${toServe.length === 1 ? '' : 's'} to serve`);
    const capability = report.models.filter((m) => m.problems.length > 0);
    if (capability.length > 0)
      problems.push(
        `${capability.length} model${capability.length === 1 ? '' : 's'} lacking a capability: choose another model in the config`,
      );
    out.push(`Not ready: ${problems.join('; ')}.`);
  }
  return `${out.join('\n')}\n`;
}

/** Runs the check; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseCliArgs(argv, {
    command: 'pnpm models',
    usage: USAGE,
    options: { config: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (args.isDone) return args.exitCode;
  if (args.positionals[0] === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.positionals.length > 0) {
    process.stderr.write(`Unknown argument: ${args.positionals.join(' ')}\n\n${USAGE}`);
    return 1;
  }
  const isJson = args.values.json === true;
  const configArg = args.values.config;

  // `pnpm models --config x.yaml` runs in the repo root; a relative path means the caller's folder.
  const loaded = loadCliConfig({ env, ...(configArg ? { file: path.resolve(env.INIT_CWD ?? process.cwd(), configArg) } : {}) });
  if (!loaded) return 1;
  const report = await checkModels({ config: loaded });
  const index = await readSemanticIndex(loaded).catch(() => null);
  process.stdout.write(
    isJson ? `${JSON.stringify({ ...report, semanticIndex: index }, null, 2)}\n` : formatModelsReport(report, loaded, index),
  );
  return report.ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`pnpm models failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
