import { formatMoney } from '@aisle/shared';
import type { GroundingMismatch, GroundingProduct, ShopperConstraints } from './groundingTypes';
import { findPrices, isBudgetMention, sameCurrency } from './priceMentions';
import { LINK_RE, lineOf, nameScore, words, type Line, type ProductRef } from './productMentions';
import type { ToolTrace } from './tools';

/**
 * The individual grounding checks over one answer: links, prices, the shopper's budget and category,
 * and promises of discounts. Each returns its findings in text order; `findMismatches` runs them in turn.
 */

/** A product as a tool returned it this turn. */
type TracedProduct = ToolTrace['products'][number];

function money(amountMinor: number, currency: string): string {
  return formatMoney({ amountMinor, currency });
}

function clip(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Linked products: the id must exist and have been seen; the link text must name that product. */
export function checkLinks(
  answer: string,
  catalogue: ReadonlyMap<string, GroundingProduct>,
  allowed: ReadonlySet<string>,
): GroundingMismatch[] {
  const mismatches: GroundingMismatch[] = [];
  for (const m of answer.matchAll(LINK_RE)) {
    const [raw, name = '', id = ''] = m;
    const product = catalogue.get(id);
    if (!product) {
      mismatches.push({
        kind: 'invented-product',
        productId: id,
        text: raw,
        found: name,
        expected: 'a product from the catalogue',
      });
    } else if (!allowed.has(id)) {
      mismatches.push({
        kind: 'invented-product',
        productId: id,
        title: product.title,
        text: raw,
        found: name,
        expected: 'a product returned by a catalogue search',
      });
    } else if (words(name).length >= 2 && nameScore(name, product) === 0) {
      mismatches.push({
        kind: 'invented-product',
        productId: id,
        title: product.title,
        text: raw,
        found: name,
        expected: product.title,
      });
    }
  }
  return mismatches;
}

/** Prices that are true for a product: its price, its sale price, the saving, and what the tool said this turn. */
function validAmounts(
  id: string,
  catalogue: ReadonlyMap<string, GroundingProduct>,
  traced: ReadonlyMap<string, TracedProduct>,
): Array<{ amountMinor: number; currency: string }> {
  const out: Array<{ amountMinor: number; currency: string }> = [];
  const p = catalogue.get(id);
  if (p) {
    out.push(p.price);
    if (p.salePrice)
      out.push(p.salePrice, { amountMinor: p.price.amountMinor - p.salePrice.amountMinor, currency: p.price.currency });
  }
  const t = traced.get(id);
  if (t) {
    out.push({ amountMinor: t.priceMinor, currency: t.currency });
    if (t.salePriceMinor !== null) out.push({ amountMinor: t.salePriceMinor, currency: t.currency });
  }
  return out;
}

/**
 * Prices: each belongs to the products on its line (or the item it continues). A price that fits
 * none of them is wrong; a price for a name the catalogue does not know makes that name invented.
 */
export function checkPrices(input: {
  answer: string;
  lines: Line[];
  refs: readonly ProductRef[];
  catalogue: ReadonlyMap<string, GroundingProduct>;
  traced: ReadonlyMap<string, TracedProduct>;
}): GroundingMismatch[] {
  const { answer, lines, refs, catalogue, traced } = input;
  const mismatches: GroundingMismatch[] = [];
  const inventedNames = new Set<string>();
  for (const price of findPrices(answer)) {
    if (isBudgetMention(answer, price)) continue;
    const line = lineOf(lines, price.index);
    let owners = refs.filter((r) => r.line === line);
    if (owners.length === 0 && lines[line]?.isContinuation) {
      for (let l = line - 1, blanks = 0; l >= 0 && blanks <= 1; l--) {
        const found = refs.filter((r) => r.line === l);
        if (found.length > 0) {
          owners = found.slice(-1);
          break;
        }
        if (lines[l]?.isBlank) blanks += 1;
        else if (!lines[l]?.isContinuation) break;
      }
    }
    if (owners.length === 0) continue;
    const fits = (r: ProductRef) =>
      r.ids.some((id) =>
        validAmounts(id, catalogue, traced).some(
          (v) => v.amountMinor === price.amountMinor && sameCurrency(price.currency, v.currency),
        ),
      );
    if (owners.some(fits)) continue;
    const owner = owners.filter((r) => r.index < price.index).at(-1) ?? owners[0];
    if (!owner) continue;
    if (owner.ids.length === 0) {
      // A price for a name the catalogue does not know: the name is an invented product.
      const isLink = owner.name !== '' && answer.slice(owner.index, owner.index + 1) === '[';
      if (!isLink && !inventedNames.has(owner.name)) {
        inventedNames.add(owner.name);
        mismatches.push({
          kind: 'invented-product',
          text: owner.name,
          found: owner.name,
          expected: 'a product from the catalogue',
        });
      }
      continue;
    }
    const id = owner.ids[0] ?? '';
    const product = catalogue.get(id);
    const t = traced.get(id);
    const truth = product
      ? (product.salePrice ?? product.price)
      : t
        ? { amountMinor: t.salePriceMinor ?? t.priceMinor, currency: t.currency }
        : null;
    if (!truth) continue;
    mismatches.push({
      kind: 'wrong-price',
      productId: id,
      title: product?.title ?? t?.title ?? owner.name,
      text: clip(lines[line]?.text ?? price.raw),
      expected: money(truth.amountMinor, truth.currency),
      found: price.raw.trim(),
    });
  }
  return mismatches;
}

/** Recommended products must fit the shopper's budget and category. */
export function checkConstraints(
  recommendedIds: readonly string[],
  catalogue: ReadonlyMap<string, GroundingProduct>,
  constraints: ShopperConstraints,
): GroundingMismatch[] {
  const mismatches: GroundingMismatch[] = [];
  for (const id of recommendedIds) {
    const p = catalogue.get(id);
    if (!p) continue;
    const effective = p.salePrice ?? p.price;
    if (constraints.priceMax !== undefined && effective.amountMinor > Math.round(constraints.priceMax * 100)) {
      mismatches.push({
        kind: 'over-budget',
        productId: id,
        title: p.title,
        text: p.title,
        expected: `at most ${money(Math.round(constraints.priceMax * 100), effective.currency)}`,
        found: money(effective.amountMinor, effective.currency),
      });
    }
    const wanted = constraints.category;
    if (wanted !== undefined && p.category !== null && wanted.toLowerCase() !== p.category.toLowerCase()) {
      mismatches.push({
        kind: 'wrong-category',
        productId: id,
        title: p.title,
        text: p.title,
        expected: wanted,
        found: p.category,
      });
    }
  }
  return mismatches;
}

const PROMISE_PATTERNS: RegExp[] = [
  /\b(?:coupon|promo(?:tion(?:al)?)?\s*code|discount\s*code|voucher|gift\s*card)\b/i,
  /\b\d{1,2}\s?%\s*(?:off|discount)\b/i,
  /\b(?:i|we)(?:'ll|’ll| will| can| could| would| am able to| are able to)\s+(?:happily\s+|gladly\s+)?(?:sell|give|let you have|do)\b[^.!?\n]{0,40}?(?:for\s+)?(?:[$€£]\s?\d|\d+(?:[.,]\d{1,2})?\s?(?:USD|EUR|GBP|dollars?|euros?))/i,
  /\b(?:i|we)(?:'ll|’ll| will| can| could| would| am able to| are able to)\s+(?:happily\s+|gladly\s+)?(?:give|offer|apply|honou?r|match|reduce|lower|drop|knock|waive|throw in|make)\b[^.!?\n]{0,40}?\b(?:discount|deal|coupon|off|for free|the price|a lower price|a better price|price match)\b/i,
  /\b(?:price\s*match(?:ing)?|special (?:deal|price|offer)|exclusive (?:deal|discount|offer)|deal just for you)\b/i,
  /\b(?:for free|free of charge|at no (?:extra )?cost|(?:is|are|it's|it’s) (?:completely |totally |all )?free\b(?!\s*(?:of|from)\b)|free (?:shipping|delivery|returns?|gift))/i,
  /\b(?:discount|deal)\b[^.!?\n]*\b(?:for you|applied|approved|granted)\b/i,
];
const NEGATION =
  /\b(?:not|no|never|cannot|can't|can’t|cant|unable|won't|won’t|don't|don’t|doesn't|doesn’t|isn't|isn’t|aren't|aren’t|neither|nor)\b/i;
/** Phrases with a negation word that do not negate anything. */
const NOT_NEGATION = /\b(?:no problem|no worries|no doubt|not only|no matter)\b/gi;

function sentences(text: string): Array<{ text: string; index: number }> {
  const out: Array<{ text: string; index: number }> = [];
  for (const m of text.matchAll(/[^.!?\n]+(?:[.!?]+|$)/gm)) {
    // "$119.99" has a full stop inside: glue number fragments back to the sentence they belong to.
    const prev = out.at(-1);
    if (prev && /\d[.]$/.test(prev.text) && /^\d/.test(m[0])) {
      prev.text += m[0];
      continue;
    }
    if (m[0].trim()) out.push({ text: m[0], index: m.index });
  }
  return out;
}

/**
 * Promises of discounts, coupons or price changes: the catalogue has none, so any promise is made up,
 * unless a shop policy the answer read this turn makes the same kind of promise ("free returns" when
 * the returns policy offers free returns).
 */
export function checkPromises(
  answer: string,
  refs: readonly ProductRef[],
  catalogue: ReadonlyMap<string, GroundingProduct>,
  policyTexts: readonly string[] = [],
): GroundingMismatch[] {
  const mismatches: GroundingMismatch[] = [];
  const onSale = new Map(
    [...catalogue.values()]
      .filter((p) => p.salePrice)
      .map((p) => [p.id, Math.round((1 - (p.salePrice?.amountMinor ?? 0) / p.price.amountMinor) * 100)]),
  );
  for (const s of sentences(answer)) {
    const promised = PROMISE_PATTERNS.filter((re) => re.test(s.text));
    if (promised.length === 0 || NEGATION.test(s.text.replace(NOT_NEGATION, ''))) continue;
    if (policyTexts.length > 0 && promised.every((re) => policyTexts.some((p) => re.test(p)))) continue;
    // "20% off" on a product that really is 20% off is a fact, not a promise.
    const percent = /\b(\d{1,2})\s?%\s*(?:off|discount)\b/i.exec(s.text);
    const saleIds = refs.filter((r) => r.index >= s.index && r.index < s.index + s.text.length).flatMap((r) => r.ids);
    const isRealSale = saleIds.some(
      (id) => onSale.has(id) && (!percent || Math.abs((onSale.get(id) ?? 0) - Number(percent[1])) <= 1),
    );
    const onlyPercent = promised.length === 1 && percent !== null;
    if (isRealSale && onlyPercent) continue;
    mismatches.push({
      kind: 'discount-promise',
      text: clip(s.text),
      expected: 'no discount, coupon or price change (prices come from the catalogue)',
    });
  }
  return mismatches;
}
