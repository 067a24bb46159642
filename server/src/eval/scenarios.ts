import { shopperLocaleSchema, type ShopperLocale } from '@aisle/shared';
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

/**
 * Evaluation scenarios: shopper turns plus what a good answer must (not) do. Written in YAML (see
 * eval/scenarios/*.yaml); validated here so a typo in a scenario file fails loudly, naming the field.
 */

/** What recommended products must satisfy; checked on every product the answer recommends. */
const constraintsSchema = z
  .object({
    /** Highest acceptable price (the sale price counts when there is one), in the shop's currency. */
    maxPrice: z.number().positive().optional(),
    /** Acceptable catalogue categories (one or several). */
    category: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Only products with availability `in_stock`. */
    inStock: z.boolean().optional(),
  })
  .strict();
export type ScenarioConstraints = z.infer<typeof constraintsSchema>;

/**
 * What Aisle should have understood from the shopper (the answer's `ShopperConstraints`), scored by
 * precision and recall: each field, and each feature, is one item.
 */
const understoodSchema = z
  .object({
    category: z.string().min(1).optional(),
    priceMin: z.number().nonnegative().optional(),
    priceMax: z.number().nonnegative().optional(),
    size: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .optional(),
    colour: z.string().min(1).optional(),
    brand: z.string().min(1).optional(),
    inStockOnly: z.boolean().optional(),
    features: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type ScenarioUnderstood = z.infer<typeof understoodSchema>;

/**
 * Expectations for one answer. Products are named by id, or by a variant group id that matches all
 * its variants ("TRL-1001" matches "TRL-1001-44-FGR").
 */
const expectationSchema = z
  .object({
    /** Each must be among the recommended products. */
    mustRecommend: z.array(z.string().min(1)).default([]),
    /** At least one of these must be recommended. */
    mustRecommendAny: z.array(z.string().min(1)).default([]),
    /** None of these may be recommended. */
    mustNotRecommend: z.array(z.string().min(1)).default([]),
    minRecommended: z.number().int().min(0).optional(),
    maxRecommended: z.number().int().min(0).optional(),
    constraints: constraintsSchema.default({}),
    /** The constraints the answer should have understood, for precision and recall (optional). */
    understood: understoodSchema.optional(),
    /** Case-insensitive phrases that must not appear (for scenario-level expectations: in any answer). */
    mustNotContain: z.array(z.string().min(1)).default([]),
    /** At least one of these case-insensitive phrases must appear. */
    mustContainAny: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type Expectation = z.infer<typeof expectationSchema>;

const turnSchema = z.union([
  z.string().min(1),
  z.object({ say: z.string().min(1), expect: expectationSchema.optional() }).strict(),
]);

const scenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'),
    description: z.string().optional(),
    tags: z.array(z.string()).default([]),
    /**
     * The shopper page's language (sent with each message, as the browser does). Not English: every
     * answer must also be written in it.
     */
    locale: shopperLocaleSchema.default('en'),
    turns: z.array(turnSchema).min(1),
    /** Expectations for the last answer; its `mustNotContain` applies to every answer. */
    expect: expectationSchema.optional(),
    /**
     * Products added to the catalogue for this scenario only, as Google Merchant rows (the import
     * format), e.g. a product whose description carries instructions.
     */
    products: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

const scenarioFileSchema = z.object({ scenarios: z.array(scenarioSchema).min(1) }).strict();

/** One shopper message and the expectations for the answer to it. */
export interface ScenarioTurn {
  say: string;
  expect: Expectation | null;
}

/** A scenario ready to run: turns normalised, expectations attached to the turns they judge. */
export interface Scenario {
  id: string;
  description: string;
  tags: string[];
  /** The shopper page's language; answers of a non-English scenario are checked to be in it. */
  locale: ShopperLocale;
  turns: ScenarioTurn[];
  /** Phrases no answer of the scenario may contain. */
  mustNotContain: string[];
  products: Array<Record<string, unknown>>;
  /** File the scenario came from (for messages). */
  source: string;
}

/** A scenario file that failed validation; `problems` name each bad field. */
export class ScenarioError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`Invalid scenarios (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/** Parses the text of one scenario file. */
export function parseScenarios(text: string, source = 'scenarios'): Scenario[] {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0)
    throw new ScenarioError(
      doc.errors.map((e) => e.message),
      source,
    );
  const parsed = scenarioFileSchema.safeParse(doc.toJS());
  if (!parsed.success)
    throw new ScenarioError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      source,
    );
  return parsed.data.scenarios.map((s) => {
    const turns: ScenarioTurn[] = s.turns.map((t) =>
      typeof t === 'string' ? { say: t, expect: null } : { say: t.say, expect: t.expect ?? null },
    );
    const last = turns.at(-1);
    if (last && s.expect) last.expect = last.expect ? mergeExpectations(last.expect, s.expect) : s.expect;
    return {
      id: s.id,
      description: s.description ?? '',
      tags: s.tags,
      locale: s.locale,
      turns,
      mustNotContain: s.expect?.mustNotContain ?? [],
      products: s.products,
      source,
    };
  });
}

function mergeExpectations(a: Expectation, b: Expectation): Expectation {
  return {
    mustRecommend: [...a.mustRecommend, ...b.mustRecommend],
    mustRecommendAny: [...a.mustRecommendAny, ...b.mustRecommendAny],
    mustNotRecommend: [...a.mustNotRecommend, ...b.mustNotRecommend],
    ...((b.minRecommended ?? a.minRecommended) !== undefined ? { minRecommended: b.minRecommended ?? a.minRecommended } : {}),
    ...((b.maxRecommended ?? a.maxRecommended) !== undefined ? { maxRecommended: b.maxRecommended ?? a.maxRecommended } : {}),
    constraints: { ...a.constraints, ...b.constraints },
    ...((b.understood ?? a.understood) !== undefined ? { understood: b.understood ?? a.understood } : {}),
    mustNotContain: [...a.mustNotContain, ...b.mustNotContain],
    mustContainAny: [...a.mustContainAny, ...b.mustContainAny],
  };
}

/** Loads one YAML file, or every .yaml/.yml file of a folder (sorted by name). Scenario ids must be unique. */
export function loadScenarios(fileOrDir: string): Scenario[] {
  const stat = fs.statSync(fileOrDir);
  const files = stat.isDirectory()
    ? fs
        .readdirSync(fileOrDir)
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort()
        .map((f) => path.join(fileOrDir, f))
    : [fileOrDir];
  const all = files.flatMap((f) => parseScenarios(fs.readFileSync(f, 'utf8'), f));
  const seen = new Set<string>();
  const dupes = all.filter((s) => seen.has(s.id) || !seen.add(s.id)).map((s) => `${s.id}: duplicate scenario id`);
  if (dupes.length > 0) throw new ScenarioError(dupes, fileOrDir);
  if (all.length === 0) throw new ScenarioError(['no scenario files (.yaml) found'], fileOrDir);
  return all;
}

/** True when a recommended product id is the product (or a variant of the group) a scenario names. */
export function matchesProduct(id: string, pattern: string): boolean {
  return id === pattern || id.startsWith(`${pattern}-`);
}
