import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configVersion, parseConfig, type LoadedConfig } from '@aisle/server/config/loadConfig';
import { formatTable, writeReport, type EvalReport } from '@aisle/server/eval/report';
import { runEval } from '@aisle/server/eval/runner';
import { loadScenarios, parseScenarios } from '@aisle/server/eval/scenarios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type ChatRequestBody, type OllamaDouble, type ScriptedChatSpec } from '../ollama-double';

/**
 * Non-English eval scenarios, scored per language and per model. qwen3:4b always answers in German,
 * qwen3:8b always in English; both search the demo catalogue in English when the server's own search
 * on the shopper's words found nothing, then recommend the first product they were shown.
 */

const SCENARIOS = `
scenarios:
  - id: de-yoga-mat
    locale: de
    turns: [Ich suche eine Yogamatte für zu Hause]
    expect: { minRecommended: 1, constraints: { category: Yoga & Fitness } }
  - id: es-yoga-mat
    locale: es
    turns: [Busco una esterilla de yoga para casa]
    expect: { minRecommended: 1, constraints: { category: Yoga & Fitness } }
  - id: en-yoga-mat
    turns: [I am looking for a yoga mat for home]
    expect: { minRecommended: 1, constraints: { category: Yoga & Fitness } }
`;

const WORDS = {
  'qwen3:4b': 'Hier ist eine gute Yogamatte für dein Training zu Hause, sie ist rutschfest und leicht:',
  'qwen3:8b': 'Here is a good yoga mat for your training at home, it is non-slip and light:',
} as const;

function lastResults(request: ChatRequestBody): Array<{ id: string; title: string }> {
  const last = request.messages?.findLast((m) => m.role === 'tool');
  return last === undefined
    ? []
    : ((JSON.parse(last.content) as { results?: Array<{ id: string; title: string }> }).results ?? []);
}

function brain(request: ChatRequestBody): ScriptedChatSpec {
  const words = request.model.startsWith('qwen3:4b') ? WORDS['qwen3:4b'] : WORDS['qwen3:8b'];
  const found = lastResults(request).find((r) => /yoga mat/i.test(r.title));
  if (found === undefined && (request.tools?.length ?? 0) > 0)
    return { toolCalls: [{ name: 'search_products', arguments: { query: 'yoga mat' } }] };
  return { chunks: text(found ? `${words}\n- [${found.title}](product:${found.id})` : words) };
}

let double: OllamaDouble;
let dir: string;

beforeAll(async () => {
  double = await startOllamaDouble({ brain });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-eval-lang-'));
});
afterAll(async () => {
  await double.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function baseConfig(): LoadedConfig {
  const config = parseConfig({ ollama: { host: double.url }, chat: { coalesceMs: 0 }, log: { level: 'silent' } }, {}, 'test');
  return { config, version: configVersion(config), file: null, dataDir: dir };
}

describe('eval scenarios in other languages', () => {
  it(
    'fails an answer in the wrong language and reports passes per language and model (table, JSON, HTML)',
    { timeout: 60_000 },
    async () => {
      const result = await runEval({
        scenarios: parseScenarios(SCENARIOS),
        models: ['qwen3:4b', 'qwen3:8b'],
        baseConfig: baseConfig(),
      });
      const [german, english] = result.models;

      // The page's language reached the model with each message.
      const prompts = double.chatRequests().map((r) => r.messages?.find((m) => m.role === 'system')?.content ?? '');
      expect(prompts.some((p) => p.includes('Write your answer in German'))).toBe(true);
      expect(prompts.some((p) => p.includes('Write your answer in Spanish'))).toBe(true);

      const outcome = (m: typeof german) => Object.fromEntries((m?.scenarios ?? []).map((s) => [s.id, s.isPassed]));
      expect(outcome(german)).toEqual({ 'de-yoga-mat': true, 'es-yoga-mat': false, 'en-yoga-mat': true });
      expect(outcome(english)).toEqual({ 'de-yoga-mat': false, 'es-yoga-mat': false, 'en-yoga-mat': true });
      expect(german?.scenarios.find((s) => s.id === 'es-yoga-mat')?.turns[0]?.failures).toEqual([
        'answered in German, not in Spanish',
      ]);
      // The German question still reached a yoga mat through the model's own search.
      expect(german?.scenarios.find((s) => s.id === 'de-yoga-mat')?.turns[0]?.recommended).toHaveLength(1);

      expect(german?.summary.wrongLanguage).toBe(1);
      expect(german?.summary.languages).toEqual([
        { locale: 'en', scenarios: 1, passed: 1, wrongLanguage: 0 },
        { locale: 'de', scenarios: 1, passed: 1, wrongLanguage: 0 },
        { locale: 'es', scenarios: 1, passed: 0, wrongLanguage: 1 },
      ]);
      expect(english?.summary.wrongLanguage).toBe(2);

      const table = formatTable(result.models.map((m) => m.summary));
      expect(table).toMatch(/Answers in the wrong language\s+1\s+2/);
      expect(table).toMatch(/Passed in German\s+1\/1\s+0\/1 \(1 wrong language\)/);
      expect(table).toMatch(/Passed in Spanish\s+0\/1 \(1 wrong language\)\s+0\/1 \(1 wrong language\)/);

      const report: EvalReport = { generatedAt: '2026-01-02T03:04:05.678Z', scenarioSource: 'inline', ...result };
      const files = writeReport(report, path.join(dir, 'reports'));
      const html = fs.readFileSync(files.html, 'utf8');
      expect(html).toContain('<h2>Per language</h2>');
      expect(html).toMatch(/<th scope="row">Passed in German<\/th><td>1\/1<\/td><td>0\/1 \(1 wrong language\)<\/td>/);
      const json: EvalReport = JSON.parse(fs.readFileSync(files.json, 'utf8'));
      expect(json.models.map((m) => m.summary.languages.find((l) => l.locale === 'es')?.passed)).toEqual([0, 0]);
    },
  );

  it('ships scenarios in German, Spanish and Chinese that load and validate', () => {
    const shipped = loadScenarios(path.resolve(import.meta.dirname, '../../eval/scenarios'));
    const locales = new Set(shipped.map((s) => s.locale));
    expect([...locales].sort()).toEqual(['de', 'en', 'es', 'zh-CN']);
    expect(shipped.filter((s) => s.locale === 'zh-CN').length).toBeGreaterThanOrEqual(3);
    expect(() => parseScenarios('scenarios:\n  - id: x\n    locale: fr\n    turns: [Bonjour]\n')).toThrow(/locale/);
  });
});
