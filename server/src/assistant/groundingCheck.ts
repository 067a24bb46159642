import { checkConstraints, checkLinks, checkPrices, checkPromises } from './groundingChecks';
import type { GroundingMismatch, GroundingProduct, GroundingReport, ShopperConstraints } from './groundingTypes';
import { findProductRefs, splitLines } from './productMentions';
import { linkedProductIds, mentionedByTitle } from './references';
import type { ToolTrace } from './tools';

/**
 * The grounding check: after an answer, code (not the model) maps every product and price the answer
 * mentions to the catalogue and to the tool results of that turn, and lists what does not match.
 * Everything here is pure except `checkGrounding`, which only adds the catalogue lookup. This file
 * runs the checks in turn; the parts live beside it and are re-exported here for existing importers.
 */

export type { GroundingMismatch, GroundingProduct, GroundingReport, MismatchKind, ShopperConstraints } from './groundingTypes';
export { findPrices, parseAmountMinor, type PriceMention } from './priceMentions';
export { constraintsOf, matchCategories } from './shopperConstraints';
export { correctionFor, corrections } from './groundingCorrections';

/**
 * The pure check. `catalogue` holds the database rows (or cards) for every id the answer or the
 * traces mention; an id missing from it does not exist. `earlierProductIds` are products shown
 * earlier in the conversation, which a follow-up answer may name without searching again.
 */
export function findMismatches(input: {
  answer: string;
  traces: readonly ToolTrace[];
  catalogue: ReadonlyMap<string, GroundingProduct>;
  constraints: ShopperConstraints;
  earlierProductIds?: readonly string[];
}): GroundingReport {
  const { answer, catalogue, constraints } = input;
  const traced = new Map(input.traces.flatMap((t) => t.products.map((p) => [p.id, p] as const)));
  const allowed = new Set([...traced.keys(), ...(input.earlierProductIds ?? [])]);
  const known = [
    ...new Map(
      [...catalogue.values(), ...[...traced.values()].map((t) => ({ id: t.id, title: t.title, brand: null }))].map((p) => [
        p.id,
        p,
      ]),
    ).values(),
  ];
  const lines = splitLines(answer);
  const refs = findProductRefs(answer, lines, catalogue, known);
  const linked = linkedProductIds(answer);
  const recommendedIds = linked.length > 0 ? linked : mentionedByTitle(answer, known);
  const mismatches: GroundingMismatch[] = [
    ...checkLinks(answer, catalogue, allowed),
    ...checkPrices({ answer, lines, refs, catalogue, traced }),
    ...checkConstraints(recommendedIds, catalogue, constraints),
    ...checkPromises(
      answer,
      refs,
      catalogue,
      input.traces.flatMap((t) => (t.policy ? [t.policy.text] : [])),
    ),
  ];
  return { mismatches, recommendedIds, constraints };
}

/** Every product id the check needs from the database for this answer. */
export function idsToLookUp(answer: string, traces: readonly ToolTrace[], earlierProductIds: readonly string[] = []): string[] {
  return [
    ...new Set([...linkedProductIds(answer), ...traces.flatMap((t) => t.products.map((p) => p.id)), ...earlierProductIds]),
  ].slice(0, 200);
}

/**
 * Checks one answer against the catalogue and the tool results of its turn. `lookup` returns the
 * catalogue rows (or cards) for ids; `ProductRepository.getCards` fits.
 */
export async function checkGrounding(input: {
  answer: string;
  traces: readonly ToolTrace[];
  lookup: (ids: string[]) => Promise<readonly GroundingProduct[]>;
  constraints: ShopperConstraints;
  earlierProductIds?: readonly string[];
}): Promise<GroundingReport> {
  const found = await input.lookup(idsToLookUp(input.answer, input.traces, input.earlierProductIds));
  return findMismatches({
    answer: input.answer,
    traces: input.traces,
    catalogue: new Map(found.map((p) => [p.id, p])),
    constraints: input.constraints,
    ...(input.earlierProductIds ? { earlierProductIds: input.earlierProductIds } : {}),
  });
}
