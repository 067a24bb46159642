import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SingleBar, Presets } from 'cli-progress';
import { parseCliArgs } from '../cli/cliArgs';
import { ConfigError, loadConfig, normaliseOllamaHost } from '../config/loadConfig';
import { isSameModel } from '../llm/modelNames';
import { OllamaGateway } from '../llm/ollamaClient';
import { formatFailures, formatTable, writeReport, type EvalReport } from './report';
import { runEval, type EvalProgress } from './runner';
import { loadScenarios, ScenarioError, type Scenario } from './scenarios';
import { scenariosFromTranscripts } from './transcriptScenarios';

const USAGE = `Aisle evaluation: which model serves the shop better, measured.

Usage:
  pnpm eval [options]

Options:
  --model <name>               A model to evaluate (repeatable). Default: the configured chat model.
  --scenarios <file|dir>       Scenario YAML file or folder. Default: eval/scenarios
  --from-transcripts <sqlite>  Replay conversations recorded in an aisle.sqlite file instead
  --label <label>              With --from-transcripts: only conversations agents gave this label
  --ollama <url>               Ollama to use. Default: ollama.host of the config (or OLLAMA_HOST)
  --out <dir>                  Where reports go. Default: reports
  --require-pass               Exit with status 2 unless every scenario passes (a gate for model swaps)
  -h, --help                   Show this help

Each scenario runs through the real server (in-process, on a copy of the demo catalogue), and the
answers are scored: grounding score, constraint violations, invented products and prices, discount
promises, time to first token, tokens/s and tokens used. Writes reports/eval-<time>.json and .html.
`;

const DEFAULT_SCENARIOS = path.resolve(import.meta.dirname, '../../../eval/scenarios');

function progressPrinter(): (p: EvalProgress) => void {
  const isTty = process.stdout.isTTY === true;
  let bar: SingleBar | null = null;
  return (p) => {
    if (p.type === 'model-start') {
      process.stdout.write(`\n${p.model}: ${p.scenarios} scenario(s)\n`);
      if (isTty) {
        bar = new SingleBar(
          { format: '  [{bar}] {value}/{total} {scenario}', hideCursor: true, clearOnComplete: true },
          Presets.shades_classic,
        );
        bar.start(p.scenarios, 0, { scenario: '' });
      }
    } else if (p.type === 'scenario-done') {
      const line = `${p.result.isPassed ? 'pass' : 'FAIL'}  ${p.result.id} (${(p.ms / 1000).toFixed(1)} s)`;
      if (bar) bar.update(p.index, { scenario: line });
      else process.stdout.write(`  ${String(p.index).padStart(3)}/${p.total} ${line}\n`);
    } else {
      bar?.stop();
      bar = null;
      process.stdout.write(`  ${p.summary.passed}/${p.summary.scenarios} passed\n`);
    }
  };
}

/** Checks that Ollama answers and has the models, naming the pull command for each missing one. */
async function checkModels(host: string, models: readonly string[]): Promise<string | null> {
  try {
    const available = await new OllamaGateway(host).listModels();
    const missing = models.filter((m) => !available.some((a) => isSameModel(a.name, m)));
    if (missing.length > 0)
      return `Not pulled on ${host}: ${missing.join(', ')}\n${missing.map((m) => `  ollama pull ${m}`).join('\n')}`;
    return null;
  } catch (err) {
    return `Ollama is not reachable at ${host} (${err instanceof Error ? err.message : String(err)}). Start it, or pass --ollama <url>.`;
  }
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv, {
    command: 'pnpm eval',
    usage: USAGE,
    options: {
      model: { type: 'string', multiple: true },
      scenarios: { type: 'string' },
      'from-transcripts': { type: 'string' },
      label: { type: 'string' },
      ollama: { type: 'string' },
      out: { type: 'string' },
      'require-pass': { type: 'boolean' },
    },
  });
  if (args.isDone) return args.exitCode;
  const { values } = args;
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const baseConfig = loadConfig();
  const models = values.model?.length ? values.model : [baseConfig.config.chat.model];
  const ollamaHost = values.ollama ? normaliseOllamaHost(values.ollama) : baseConfig.config.ollama.host;

  let scenarios: Scenario[];
  let source: string;
  const transcripts = values['from-transcripts'] ? path.resolve(cwd, values['from-transcripts']) : undefined;
  if (transcripts) {
    const replay = await scenariosFromTranscripts(transcripts, values.label ? { label: values.label } : {});
    scenarios = replay.scenarios;
    source = transcripts;
    if (scenarios.length === 0) {
      process.stderr.write(`No conversations${values.label ? ` labelled "${values.label}"` : ''} to replay in ${transcripts}.\n`);
      return 1;
    }
  } else {
    source = values.scenarios ? path.resolve(cwd, values.scenarios) : DEFAULT_SCENARIOS;
    scenarios = loadScenarios(source);
  }

  const problem = await checkModels(ollamaHost, models);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    return 1;
  }

  process.stdout.write(
    `Evaluating ${models.join(', ')} on ${scenarios.length} scenario(s) from ${path.relative(cwd, source) || source} (Ollama ${ollamaHost})\n`,
  );
  const result = await runEval({
    scenarios,
    models,
    baseConfig,
    ollamaHost,
    ...(transcripts ? { catalogueFrom: transcripts } : {}),
    onProgress: progressPrinter(),
  });
  const report: EvalReport = { generatedAt: new Date().toISOString(), scenarioSource: source, ...result };
  const files = writeReport(report, path.resolve(cwd, values.out ?? 'reports'));

  process.stdout.write(`\n${formatTable(report.models.map((m) => m.summary))}\n`);
  const failures = formatFailures(report);
  if (failures) process.stdout.write(`\n${failures}\n`);
  const shown = (f: string) => (path.relative(cwd, f).startsWith('..') ? f : path.relative(cwd, f));
  process.stdout.write(`\nReport: ${shown(files.html)}\n        ${shown(files.json)}\n`);
  const isAllPassed = report.models.every((m) => m.summary.passed === m.summary.scenarios);
  return values['require-pass'] && !isAllPassed ? 2 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof ConfigError || err instanceof ScenarioError) process.stderr.write(`${err.message}\n`);
      else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
