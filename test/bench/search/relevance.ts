import fs from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** One grading rule of `queries.demo.yaml`: the fields a product must match to earn `grade`. */
const ruleSchema = z
  .object({
    grade: z.number().int().min(1).max(3),
    type: z.string().optional(),
    title: z.string().optional(),
    maxPrice: z.number().positive().optional(),
  })
  .strict();

const querySchema = z
  .object({
    group: z.enum(['exact', 'synonyms', 'typos', 'non-english']),
    q: z.string().min(1),
    filters: z
      .object({ maxPrice: z.number().positive().optional(), minPrice: z.number().positive().optional() })
      .strict()
      .optional(),
    relevant: z.array(ruleSchema).min(1),
  })
  .strict();

export type GradedQuery = z.infer<typeof querySchema>;
export const QUERY_GROUPS = ['exact', 'synonyms', 'typos', 'non-english'] as const;

/** Reads and validates a graded query file. */
export function loadGradedQueries(file: string): GradedQuery[] {
  return z.object({ queries: z.array(querySchema).min(1) }).parse(parse(fs.readFileSync(file, 'utf8'))).queries;
}

/** The fields a rule reads. */
export interface GradedProduct {
  title: string;
  product_type: string | null;
  price_minor: number;
  sale_price_minor: number | null;
}

/** A product's grade for a query: the best rule it meets, 0 when none (or when it breaks the query's filters). */
export function gradeOf(query: GradedQuery, p: GradedProduct): number {
  const price = (p.sale_price_minor ?? p.price_minor) / 100;
  if (query.filters?.maxPrice !== undefined && price > query.filters.maxPrice) return 0;
  if (query.filters?.minPrice !== undefined && price < query.filters.minPrice) return 0;
  let best = 0;
  for (const rule of query.relevant) {
    if (rule.type && !(p.product_type ?? '').toLowerCase().includes(rule.type.toLowerCase())) continue;
    if (rule.title && !new RegExp(rule.title, 'iu').test(p.title)) continue;
    if (rule.maxPrice !== undefined && price > rule.maxPrice) continue;
    best = Math.max(best, rule.grade);
  }
  return best;
}

/** Discounted cumulative gain of grades in ranked order, gain 2^grade - 1. */
function dcg(grades: readonly number[]): number {
  return grades.reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
}

/**
 * NDCG@k: the ranking's DCG over the best possible one from every candidate's grade (one per variant
 * group, as search returns one per group). 1 is perfect; a query nothing is relevant to scores 1 if
 * nothing is returned... such queries are not written.
 */
export function ndcgAt(k: number, rankedGrades: readonly number[], allGrades: readonly number[]): number {
  const ideal = dcg([...allGrades].sort((a, b) => b - a).slice(0, k));
  return ideal === 0 ? 0 : dcg(rankedGrades.slice(0, k)) / ideal;
}
