import { formatMoney, SHOPPER_LOCALES, type ShopperConstraints, type ShopperLocale } from '@aisle/shared';
import type { GroundingMismatch, GroundingProduct, MismatchKind } from '../assistant/groundingCheck';
import { matchesProduct, type Expectation, type ScenarioUnderstood } from './scenarios';

/** A product the answer recommended, as the catalogue knows it (or not). */
export interface RecommendedProduct {
  /** The linked id, or the name for a product named without a link that the catalogue does not know. */
  id: string;
  isInCatalogue: boolean;
  title: string | null;
  /** Scenario constraints the product breaks, in words ("price $139.99 is over $120.00"). */
  violations: string[];
}

/** Measurements of one answer, read from its stored row. */
export interface AnswerMetrics {
  status: string;
  errorCode: string | null;
  firstTokenMs: number | null;
  totalMs: number | null;
  promptEvalCount: number;
  evalCount: number;
  evalDurationNs: number;
}

/** One shopper turn and how its answer scored. */
export interface TurnResult {
  say: string;
  answer: string;
  recommended: RecommendedProduct[];
  mismatches: GroundingMismatch[];
  /** Expectations of the scenario the answer did not meet, in words. */
  failures: string[];
  metrics: AnswerMetrics;
  /** How the answer's constraints compare with the scenario's `understood`, when it has one. */
  understanding?: UnderstandingScore;
}

/** Constraint understanding of one answer: items as `field=value` ("priceMax=120", "features=waterproof"). */
export interface UnderstandingScore {
  expected: string[];
  found: string[];
  /** Items both expected and found. */
  matched: string[];
}

/** The constraints as comparable items; `subject` and `currency` are not understanding and are left out. */
function understandingItems(c: Partial<ScenarioUnderstood> | ShopperConstraints): string[] {
  const items: string[] = [];
  for (const key of ['category', 'priceMin', 'priceMax', 'size', 'colour', 'brand', 'inStockOnly'] as const) {
    const value = c[key];
    if (value !== undefined && !(key === 'inStockOnly' && value === false)) items.push(`${key}=${String(value).toLowerCase()}`);
  }
  for (const f of c.features ?? []) items.push(`features=${f.toLowerCase()}`);
  return items;
}

/** Compares what the answer understood with what the scenario expected. */
export function scoreUnderstanding(expected: ScenarioUnderstood, found: ShopperConstraints | undefined): UnderstandingScore {
  const want = understandingItems(expected);
  const got = found ? understandingItems(found) : [];
  return { expected: want, found: got, matched: got.filter((i) => want.includes(i)) };
}

export interface ScenarioResult {
  id: string;
  description: string;
  /** The shopper page's language the scenario was asked in. */
  locale: ShopperLocale;
  /** Every answer met its expectations and the grounding check found nothing. */
  isPassed: boolean;
  turns: TurnResult[];
}

/** The side-by-side figures for one model. */
export interface ModelSummary {
  model: string;
  scenarios: number;
  passed: number;
  /** Recommended products over all answers (invented ones included). */
  recommended: number;
  /** Of those, how many exist and meet the scenario's constraints. */
  grounded: number;
  /** grounded / recommended, or null when nothing was recommended. */
  groundingScore: number | null;
  /** Recommended products times constraints each breaks (price, category, stock). */
  constraintViolations: number;
  inventedProducts: number;
  wrongPrices: number;
  discountPromises: number;
  /** Grounding-check findings against the constraints read from the shopper's words. */
  budgetOrCategoryMismatches: number;
  forbiddenPhrases: number;
  /** Answers that failed (Ollama errors, timeouts). */
  failedAnswers: number;
  answers: number;
  /** Median time to first token over answers that produced text. */
  ttftMedianMs: number | null;
  /** Generated tokens per second of generation time (Ollama's eval_count / eval_duration). */
  tokensPerSecond: number | null;
  /** Prompt plus generated tokens over all answers. */
  tokensUsed: number;
  generatedTokens: number;
  /** Of the constraints understood in turns that say what to expect, the share that were expected; null without any. */
  constraintPrecision: number | null;
  /** Of the constraints expected, the share understood; null when no turn says what to expect. */
  constraintRecall: number | null;
  /** Answers of non-English scenarios written in another language than the shopper's. */
  wrongLanguage: number;
  /** Scenarios and passes per shopper language, in the order of SHOPPER_LOCALES (only those asked). */
  languages: LanguageSummary[];
}

/** How one model did in one shopper language. */
export interface LanguageSummary {
  locale: ShopperLocale;
  scenarios: number;
  passed: number;
  wrongLanguage: number;
}

/** The failure text of an answer in the wrong language (see `answerLanguage.ts`). */
export const WRONG_LANGUAGE_PREFIX = 'answered in ';

const wrongLanguageCount = (turns: readonly TurnResult[]) =>
  turns.filter((t) => t.failures.some((f) => f.startsWith(WRONG_LANGUAGE_PREFIX))).length;

/** Per-language figures over a model's scenarios. */
function byLanguage(results: readonly ScenarioResult[]): LanguageSummary[] {
  return SHOPPER_LOCALES.flatMap((locale) => {
    const asked = results.filter((r) => r.locale === locale);
    if (asked.length === 0) return [];
    return [
      {
        locale,
        scenarios: asked.length,
        passed: asked.filter((r) => r.isPassed).length,
        wrongLanguage: wrongLanguageCount(asked.flatMap((r) => r.turns)),
      },
    ];
  });
}

/** Checks a recommended catalogue product against a scenario's constraints. */
export function constraintViolations(product: GroundingProduct, constraints: Expectation['constraints']): string[] {
  const out: string[] = [];
  const effective = product.salePrice ?? product.price;
  if (constraints.maxPrice !== undefined && effective.amountMinor > Math.round(constraints.maxPrice * 100)) {
    out.push(
      `price ${formatMoney(effective)} is over ${formatMoney({ amountMinor: Math.round(constraints.maxPrice * 100), currency: effective.currency })}`,
    );
  }
  if (constraints.category !== undefined) {
    const allowed = (Array.isArray(constraints.category) ? constraints.category : [constraints.category]).map((c) =>
      c.toLowerCase(),
    );
    if (!allowed.includes((product.category ?? '').toLowerCase()))
      out.push(`category ${product.category ?? 'none'} is not ${allowed.join(' or ')}`);
  }
  if (constraints.inStock && product.availability !== 'in_stock') out.push(`availability is ${product.availability}`);
  return out;
}

/**
 * Scores one answer: which recommended products exist and fit, and which expectations failed.
 * `catalogue` holds the rows for the recommended ids that exist.
 */
export function scoreTurn(input: {
  say: string;
  answer: string;
  recommendedIds: readonly string[];
  catalogue: ReadonlyMap<string, GroundingProduct>;
  mismatches: GroundingMismatch[];
  expect: Expectation | null;
  /** Phrases no answer of the scenario may contain. */
  mustNotContain: readonly string[];
  metrics: AnswerMetrics;
  /** The constraints stored with the answer (what Aisle understood). */
  understood?: ShopperConstraints;
}): TurnResult {
  const constraints = input.expect?.constraints ?? {};
  const recommended: RecommendedProduct[] = input.recommendedIds.map((id) => {
    const p = input.catalogue.get(id);
    return p
      ? { id, isInCatalogue: true, title: p.title, violations: constraintViolations(p, constraints) }
      : { id, isInCatalogue: false, title: null, violations: [] };
  });
  // Names the check found without a link are recommendations too, of products that do not exist.
  for (const m of input.mismatches) {
    if (m.kind === 'invented-product' && m.productId === undefined)
      recommended.push({ id: m.found ?? m.text, isInCatalogue: false, title: null, violations: [] });
  }

  const failures: string[] = [];
  if (input.metrics.status === 'error') failures.push(`the answer failed (${input.metrics.errorCode ?? 'error'})`);
  const ids = recommended.filter((r) => r.isInCatalogue).map((r) => r.id);
  const has = (pattern: string) => ids.some((id) => matchesProduct(id, pattern));
  const e = input.expect;
  if (e) {
    for (const p of e.mustRecommend) if (!has(p)) failures.push(`did not recommend ${p}`);
    if (e.mustRecommendAny.length > 0 && !e.mustRecommendAny.some(has))
      failures.push(`recommended none of ${e.mustRecommendAny.join(', ')}`);
    for (const p of e.mustNotRecommend) if (has(p)) failures.push(`recommended ${p}, which it must not`);
    if (e.minRecommended !== undefined && recommended.length < e.minRecommended)
      failures.push(`recommended ${recommended.length} products, expected at least ${e.minRecommended}`);
    if (e.maxRecommended !== undefined && recommended.length > e.maxRecommended)
      failures.push(`recommended ${recommended.length} products, expected at most ${e.maxRecommended}`);
    for (const r of recommended) for (const v of r.violations) failures.push(`${r.id}: ${v}`);
    const lower = input.answer.toLowerCase();
    if (e.mustContainAny.length > 0 && !e.mustContainAny.some((p) => lower.includes(p.toLowerCase())))
      failures.push(`says none of: ${e.mustContainAny.map((p) => `"${p}"`).join(', ')}`);
  }
  const lower = input.answer.toLowerCase();
  const forbidden = [...new Set([...input.mustNotContain, ...(e?.mustNotContain ?? [])])];
  for (const p of forbidden) if (lower.includes(p.toLowerCase())) failures.push(`contains "${p}"`);

  return {
    say: input.say,
    answer: input.answer,
    recommended,
    mismatches: input.mismatches,
    failures,
    metrics: input.metrics,
    ...(e?.understood ? { understanding: scoreUnderstanding(e.understood, input.understood) } : {}),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** A scenario passes when every answer met its expectations and the grounding check found nothing. */
export function scenarioResult(
  id: string,
  description: string,
  turns: TurnResult[],
  locale: ShopperLocale = 'en',
): ScenarioResult {
  return { id, description, locale, turns, isPassed: turns.every((t) => t.failures.length === 0 && t.mismatches.length === 0) };
}

/** The figures of one model over all its scenarios. */
export function summarise(model: string, results: readonly ScenarioResult[]): ModelSummary {
  const turns = results.flatMap((r) => r.turns);
  const recommended = turns.flatMap((t) => t.recommended);
  const grounded = recommended.filter((r) => r.isInCatalogue && r.violations.length === 0).length;
  const count = (kind: MismatchKind) => turns.reduce((n, t) => n + t.mismatches.filter((m) => m.kind === kind).length, 0);
  const evalCount = turns.reduce((n, t) => n + t.metrics.evalCount, 0);
  const evalNs = turns.reduce((n, t) => n + t.metrics.evalDurationNs, 0);
  const scored = turns.flatMap((t) => (t.understanding ? [t.understanding] : []));
  const sum = (pick: (u: UnderstandingScore) => string[]) => scored.reduce((n, u) => n + pick(u).length, 0);
  const [matched, found, expected] = [sum((u) => u.matched), sum((u) => u.found), sum((u) => u.expected)];
  return {
    model,
    scenarios: results.length,
    passed: results.filter((r) => r.isPassed).length,
    recommended: recommended.length,
    grounded,
    groundingScore: recommended.length > 0 ? grounded / recommended.length : null,
    constraintViolations: recommended.reduce((n, r) => n + r.violations.length, 0),
    inventedProducts: count('invented-product'),
    wrongPrices: count('wrong-price'),
    discountPromises: count('discount-promise'),
    budgetOrCategoryMismatches: count('over-budget') + count('wrong-category'),
    forbiddenPhrases: turns.reduce((n, t) => n + t.failures.filter((f) => f.startsWith('contains "')).length, 0),
    failedAnswers: turns.filter((t) => t.metrics.status === 'error').length,
    answers: turns.length,
    ttftMedianMs: median(turns.map((t) => t.metrics.firstTokenMs).filter((v): v is number => v !== null)),
    tokensPerSecond: evalNs > 0 ? evalCount / (evalNs / 1e9) : null,
    tokensUsed: turns.reduce((n, t) => n + t.metrics.promptEvalCount + t.metrics.evalCount, 0),
    generatedTokens: evalCount,
    wrongLanguage: wrongLanguageCount(turns),
    languages: byLanguage(results),
    // Micro-averaged over items; a scored turn that understood nothing has precision 1 of nothing.
    constraintPrecision: scored.length === 0 ? null : found === 0 ? 1 : matched / found,
    constraintRecall: scored.length === 0 ? null : expected === 0 ? 1 : matched / expected,
  };
}
