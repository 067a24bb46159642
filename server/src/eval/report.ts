import fs from 'node:fs';
import path from 'node:path';
import type { ShopperLocale } from '@aisle/shared';
import type { ModelSummary, ScenarioResult } from './scoring';

/** Everything one `pnpm eval` run measured, as written to reports/eval-<timestamp>.json. */
export interface EvalReport {
  generatedAt: string;
  ollamaHost: string;
  configVersion: string;
  scenarioSource: string;
  models: Array<{ model: string; summary: ModelSummary; scenarios: ScenarioResult[] }>;
}

/** One row of the side-by-side table: a label, how to show a value, and whether higher is better. */
interface Metric {
  label: string;
  value: (s: ModelSummary) => number | null;
  format: (v: number | null, s: ModelSummary) => string;
  /** For charts: which direction is good (shown in the chart title). */
  isHigherBetter: boolean;
}

const int = (v: number | null) => (v === null ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** The metrics, in table order. */
export const METRICS: Metric[] = [
  { label: 'Scenarios passed', value: (s) => s.passed, format: (_v, s) => `${s.passed}/${s.scenarios}`, isHigherBetter: true },
  {
    label: 'Grounding score',
    value: (s) => s.groundingScore,
    format: (v, s) => (v === null ? 'n/a' : `${pct(v)} (${s.grounded}/${s.recommended})`),
    isHigherBetter: true,
  },
  { label: 'Constraint violations', value: (s) => s.constraintViolations, format: int, isHigherBetter: false },
  { label: 'Invented products', value: (s) => s.inventedProducts, format: int, isHigherBetter: false },
  { label: 'Wrong prices', value: (s) => s.wrongPrices, format: int, isHigherBetter: false },
  { label: 'Discount promises', value: (s) => s.discountPromises, format: int, isHigherBetter: false },
  {
    label: 'Constraint precision',
    value: (s) => s.constraintPrecision,
    format: (v) => (v === null ? 'n/a' : pct(v)),
    isHigherBetter: true,
  },
  {
    label: 'Constraint recall',
    value: (s) => s.constraintRecall,
    format: (v) => (v === null ? 'n/a' : pct(v)),
    isHigherBetter: true,
  },
  { label: 'Budget/category mismatches', value: (s) => s.budgetOrCategoryMismatches, format: int, isHigherBetter: false },
  { label: 'Forbidden phrases', value: (s) => s.forbiddenPhrases, format: int, isHigherBetter: false },
  { label: 'Answers in the wrong language', value: (s) => s.wrongLanguage, format: int, isHigherBetter: false },
  { label: 'Failed answers', value: (s) => s.failedAnswers, format: (v, s) => `${int(v)}/${s.answers}`, isHigherBetter: false },
  {
    label: 'Time to first token (median)',
    value: (s) => s.ttftMedianMs,
    format: (v) => (v === null ? 'n/a' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`),
    isHigherBetter: false,
  },
  {
    label: 'Tokens/s',
    value: (s) => s.tokensPerSecond,
    format: (v) => (v === null ? 'n/a' : v.toFixed(1)),
    isHigherBetter: true,
  },
  { label: 'Tokens used', value: (s) => s.tokensUsed, format: int, isHigherBetter: false },
];

const LANGUAGE_LABELS: Record<ShopperLocale, string> = { en: 'English', de: 'German', es: 'Spanish', 'zh-CN': 'Chinese' };

/**
 * One row per shopper language asked (when the run had more than English): scenarios passed in it,
 * and how many answers were in another language.
 */
function languageRows(summaries: readonly ModelSummary[]): string[][] {
  const locales = [...new Set(summaries.flatMap((s) => s.languages.map((l) => l.locale)))];
  if (locales.length === 0 || (locales.length === 1 && locales[0] === 'en')) return [];
  return locales.map((locale) => [
    `Passed in ${LANGUAGE_LABELS[locale]}`,
    ...summaries.map((s) => {
      const l = s.languages.find((x) => x.locale === locale);
      if (l === undefined) return 'n/a';
      return `${l.passed}/${l.scenarios}${l.wrongLanguage > 0 ? ` (${l.wrongLanguage} wrong language)` : ''}`;
    }),
  ]);
}

/** The side-by-side table printed at the end of a run: one column per model, then one row per language. */
export function formatTable(summaries: readonly ModelSummary[]): string {
  const header = ['Metric', ...summaries.map((s) => s.model)];
  const rows = [...METRICS.map((m) => [m.label, ...summaries.map((s) => m.format(m.value(s), s))]), ...languageRows(summaries)];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Failed scenarios per model, one line each, for the end of the console output. */
export function formatFailures(report: EvalReport, maxPerModel = 10): string {
  const out: string[] = [];
  for (const m of report.models) {
    const failed = m.scenarios.filter((s) => !s.isPassed);
    if (failed.length === 0) continue;
    out.push(`${m.model}: ${failed.length} scenario(s) failed`);
    for (const s of failed.slice(0, maxPerModel)) {
      const reasons = s.turns.flatMap((t) => [
        ...t.failures,
        ...t.mismatches.map((x) => `${x.kind}: ${x.found ?? x.text}${x.expected ? ` (expected ${x.expected})` : ''}`),
      ]);
      out.push(`  - ${s.id}: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (+${reasons.length - 3} more)` : ''}`);
    }
    if (failed.length > maxPerModel) out.push(`  … and ${failed.length - maxPerModel} more (see the HTML report)`);
  }
  return out.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const PALETTE = ['#2f6fde', '#e07b28', '#2a9d6f', '#b5487d', '#7a5cc7', '#8c8c2a'];

/** A horizontal bar chart (inline SVG) of one metric, one bar per model. */
function barChart(metric: Metric, summaries: readonly ModelSummary[]): string {
  const values = summaries.map((s) => metric.value(s));
  const max = Math.max(1e-9, ...values.map((v) => v ?? 0));
  const barH = 22;
  const labelW = 150;
  const chartW = 300;
  const height = summaries.length * (barH + 8) + 8;
  const bars = summaries
    .map((s, i) => {
      const v = values[i] ?? null;
      const w = v === null ? 0 : Math.max(1, (v / max) * chartW);
      const y = 8 + i * (barH + 8);
      return `<text x="${labelW - 8}" y="${y + barH * 0.7}" text-anchor="end">${escapeHtml(s.model)}</text>
<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${PALETTE[i % PALETTE.length]}" rx="3"><title>${escapeHtml(metric.format(v, s))}</title></rect>
<text x="${labelW + w + 6}" y="${y + barH * 0.7}">${escapeHtml(metric.format(v, s))}</text>`;
    })
    .join('\n');
  return `<figure><figcaption>${escapeHtml(metric.label)} <small>(${metric.isHigherBetter ? 'higher is better' : 'lower is better'})</small></figcaption>
<svg role="img" aria-label="${escapeHtml(metric.label)}" width="${labelW + chartW + 140}" height="${height}" viewBox="0 0 ${labelW + chartW + 140} ${height}">${bars}</svg></figure>`;
}

/** A self-contained HTML report: the table, a bar chart per metric, and every scenario's outcome per model. */
export function renderHtml(report: EvalReport): string {
  const summaries = report.models.map((m) => m.summary);
  const table = `<table><thead><tr><th>Metric</th>${summaries.map((s) => `<th>${escapeHtml(s.model)}</th>`).join('')}</tr></thead><tbody>${METRICS.map(
    (m) =>
      `<tr><th scope="row">${escapeHtml(m.label)}</th>${summaries.map((s) => `<td>${escapeHtml(m.format(m.value(s), s))}</td>`).join('')}</tr>`,
  ).join('')}</tbody></table>`;
  const perLanguage = languageRows(summaries);
  const languageTable =
    perLanguage.length === 0
      ? ''
      : `<h2>Per language</h2><table><thead><tr><th>Shopper language</th>${summaries.map((s) => `<th>${escapeHtml(s.model)}</th>`).join('')}</tr></thead><tbody>${perLanguage
          .map(
            ([label, ...cells]) =>
              `<tr><th scope="row">${escapeHtml(label ?? '')}</th>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`,
          )
          .join('')}</tbody></table>`;
  const ids = [...new Set(report.models.flatMap((m) => m.scenarios.map((s) => s.id)))];
  const details = ids
    .map((id) => {
      const cells = report.models.map((m) => {
        const s = m.scenarios.find((x) => x.id === id);
        if (!s) return '<td>—</td>';
        const reasons = s.turns.flatMap((t) => [
          ...t.failures,
          ...t.mismatches.map((x) => `${x.kind}: ${x.found ?? x.text}${x.expected ? ` (expected ${x.expected})` : ''}`),
        ]);
        const answers = s.turns
          .map((t) => `<details><summary>${escapeHtml(t.say)}</summary><pre>${escapeHtml(t.answer)}</pre></details>`)
          .join('');
        return `<td class="${s.isPassed ? 'pass' : 'fail'}">${s.isPassed ? 'passed' : 'failed'}${reasons.length ? `<ul>${reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : ''}${answers}</td>`;
      });
      const description = report.models.flatMap((m) => m.scenarios).find((s) => s.id === id)?.description ?? '';
      return `<tr><th scope="row">${escapeHtml(id)}<br><small>${escapeHtml(description)}</small></th>${cells.join('')}</tr>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aisle evaluation ${escapeHtml(report.generatedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1d1d1f}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}
thead th{background:#f4f5f7}td.pass{background:#eef9f1}td.fail{background:#fdf0ef}
.charts{display:flex;flex-wrap:wrap;gap:1rem 2rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.2rem}
svg text{font:12px system-ui,sans-serif;fill:#333}pre{white-space:pre-wrap;background:#f7f7f7;padding:.5rem;margin:.3rem 0}ul{margin:.3rem 0;padding-left:1.2rem}
</style></head><body>
<h1>Aisle evaluation</h1>
<p>Generated ${escapeHtml(report.generatedAt)} · Ollama ${escapeHtml(report.ollamaHost)} · config ${escapeHtml(report.configVersion)} · scenarios from ${escapeHtml(report.scenarioSource)}</p>
<h2>Summary</h2>${table}${languageTable}
<h2>Charts</h2><div class="charts">${METRICS.map((m) => barChart(m, summaries)).join('\n')}</div>
<h2>Scenarios</h2><table><thead><tr><th>Scenario</th>${summaries.map((s) => `<th>${escapeHtml(s.model)}</th>`).join('')}</tr></thead><tbody>${details}</tbody></table>
</body></html>
`;
}

/** Writes reports/eval-<timestamp>.json and .html; returns their paths. */
export function writeReport(report: EvalReport, outDir: string): { json: string; html: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.generatedAt.replace(/[:.]/g, '-');
  const json = path.join(outDir, `eval-${stamp}.json`);
  const html = path.join(outDir, `eval-${stamp}.html`);
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(html, renderHtml(report));
  return { json, html };
}
