import { formatMoney, type Money } from '@aisle/shared';
import { linkedProductIds, mentionedByTitle } from './references';
import { extractPrefetchFilters, type ToolTrace } from './tools';

/**
 * The grounding check: after an answer, code (not the model) maps every product and price the answer
 * mentions to the catalogue and to the tool results of that turn, and lists what does not match.
 * Everything here is pure except `checkGrounding`, which only adds the catalogue lookup.
 */

/** What kind of claim in the answer is not backed by the catalogue. */
export type MismatchKind = 'invented-product' | 'wrong-price' | 'over-budget' | 'wrong-category' | 'discount-promise';

/** One claim in an answer that the catalogue does not back. Stored in the answer's trace. */
export interface GroundingMismatch {
  kind: MismatchKind;
  /** The product concerned, when the claim is about a known id. */
  productId?: string;
  /** The product's real title (from the database), for the correction. */
  title?: string;
  /** The words of the answer that make the claim (a name, a price, a sentence). */
  text: string;
  /** What the catalogue says, e.g. "$109.99" or "at most $120.00". */
  expected?: string;
  /** What the answer says, e.g. "$99". */
  found?: string;
}

/** A catalogue product as the check needs it; a `ProductCard` fits as is. */
export interface GroundingProduct {
  id: string;
  title: string;
  brand: string | null;
  category: string | null;
  price: Money;
  salePrice: Money | null;
  availability: string;
}

/** What the shopper asked for, read from their own words. */
export interface ShopperConstraints {
  /** Budget in major units of the shop's currency. */
  maxPrice?: number;
  /** Catalogue categories the shopper named; a recommendation outside all of them breaks the constraint. */
  categories?: string[];
}

/** Everything the check found about one answer. */
export interface GroundingReport {
  mismatches: GroundingMismatch[];
  /** Products the answer recommends (linked, else named by title), in order; invented ids included. */
  recommendedIds: string[];
  constraints: ShopperConstraints;
}

// ---------------------------------------------------------------------------------------------------
// Prices in text

/** A price written in the answer. */
export interface PriceMention {
  raw: string;
  amountMinor: number;
  /** ISO code, or `$` when only a dollar sign says which currency (USD, CAD, AUD… all fit). */
  currency: string;
  index: number;
  end: number;
}

const CODES = 'USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|JPY';
const NUMBER = String.raw`\d{1,3}(?:[,.\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const PRICE_RE = new RegExp(
  String.raw`(?<prefix>US\$|CA\$|A\$|\$|€|£)\s?(?<n1>${NUMBER})(?!\d)|\b(?<code1>${CODES})\s?(?<n2>${NUMBER})(?!\d)|(?<!\d)(?<n3>${NUMBER})\s?(?<suffix>€|£|\$|\b(?:${CODES})\b)`,
  'g',
);
const SYMBOLS: Record<string, string> = { US$: 'USD', CA$: 'CAD', A$: 'AUD', $: '$', '€': 'EUR', '£': 'GBP' };

/** "1,299.00" → 129900, "89,00" → 8900, "1.299,50" → 129950, "1,299" → 129900. */
export function parseAmountMinor(text: string): number | null {
  const s = text.replace(/[\u00a0 ]/g, '');
  const lastSep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  let whole = s;
  let cents = '00';
  if (lastSep >= 0 && s.length - lastSep - 1 <= 2) {
    whole = s.slice(0, lastSep);
    cents = s.slice(lastSep + 1).padEnd(2, '0');
  }
  const digits = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(digits) || !/^\d{2}$/.test(cents)) return null;
  return Number(digits) * 100 + Number(cents);
}

/** Every price written in `text` ("$119.99", "119.99 USD", "USD 119.99", "€89", "89,00 €"). */
export function findPrices(text: string): PriceMention[] {
  const out: PriceMention[] = [];
  for (const m of text.matchAll(PRICE_RE)) {
    const g = m.groups ?? {};
    const number = g.n1 ?? g.n2 ?? g.n3;
    const unit = g.prefix ?? g.code1 ?? g.suffix;
    if (!number || !unit) continue;
    const amountMinor = parseAmountMinor(number);
    if (amountMinor === null) continue;
    out.push({
      raw: m[0],
      amountMinor,
      currency: SYMBOLS[unit] ?? unit.toUpperCase(),
      index: m.index,
      end: m.index + m[0].length,
    });
  }
  return out;
}

const DOLLARS = new Set(['USD', 'CAD', 'AUD', 'NZD']);
function sameCurrency(written: string, actual: string): boolean {
  return written === actual || (written === '$' && DOLLARS.has(actual));
}

/** Prices the shopper's budget or a comparison refers to, not a product's price. */
const BUDGET_BEFORE =
  /(?:under|below|less than|up to|within|budget(?: of| is)?|max(?:imum)?|no more than|cheaper than|over|above|more than|at least|between|and|around|about|approximately|~)\s*$/i;
const BUDGET_AFTER = /^\s*(?:budget|limit|or less|or under|or below|max)\b/i;

function isBudgetMention(text: string, p: PriceMention): boolean {
  return BUDGET_BEFORE.test(text.slice(Math.max(0, p.index - 30), p.index)) || BUDGET_AFTER.test(text.slice(p.end, p.end + 20));
}

// ---------------------------------------------------------------------------------------------------
// Product references in text

const LINK_RE = /\[([^\]\n]{1,200})\]\(product:([A-Za-z0-9._:\-/]{1,50})\)/g;
const STOP = new Set('the a an and or with for of in on to by from this that these those its it new'.split(' '));
const LABELS = new Set(
  'price prices cost rating ratings note notes why pros cons features feature summary budget size sizes colour color colors colours availability stock option options recommendation recommendations tip tips total sale details detail description'.split(
    ' ',
  ),
);

function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[’']/g, '')
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((w) => w.length >= 2 && !STOP.has(w));
}

/** Lower case with one kind of apostrophe; keeps every position, so an index in it is an index in the text. */
function fold(text: string): string {
  return text.toLowerCase().replace(/’/g, "'");
}

/** Share of the name's words found in the product's title and brand. */
function nameScore(name: string, product: { title: string; brand: string | null }): number {
  const nameWords = words(name);
  if (nameWords.length === 0) return 0;
  const known = new Set(words(`${product.title} ${product.brand ?? ''}`));
  return nameWords.filter((w) => known.has(w)).length / nameWords.length;
}

/** A place in the answer that refers to a product: a link, a title, or a name not in the catalogue. */
interface ProductRef {
  index: number;
  line: number;
  /** Candidate products (variants share a title); empty for a name the catalogue does not know. */
  ids: string[];
  name: string;
}

interface Line {
  text: string;
  start: number;
  isBlank: boolean;
  isContinuation: boolean;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const t of text.split('\n')) {
    lines.push({
      text: t,
      start,
      isBlank: t.trim() === '',
      // Indented, a sub-bullet, or a "Price: …" style label: it continues the item above.
      isContinuation: /^\s+\S/.test(t) || /^\s*(?:[-*+]\s+)?(?:\*\*)?(?:price|cost|now|was|sale|on sale|only)\b/i.test(t),
    });
    start += t.length + 1;
  }
  return lines;
}

function lineOf(lines: Line[], index: number): number {
  let lo = 0;
  for (let i = 0; i < lines.length; i++) if ((lines[i]?.start ?? 0) <= index) lo = i;
  return lo;
}

/** Bold spans, headings and list-item heads: where a small model writes a product name without a link. */
function nameCandidates(text: string): Array<{ name: string; index: number }> {
  const out: Array<{ name: string; index: number }> = [];
  const withoutLinks = text.replace(LINK_RE, (m) => ' '.repeat(m.length));
  const patterns = [
    /\*\*([^*\n]{3,100})\*\*/g,
    /__([^_\n]{3,100})__/g,
    /^#{1,6}\s+(.{3,100})$/gm,
    /^\s*(?:[-*+]|\d+[.)])\s+([^\n—–:(|*]{3,80}?)\s*(?:—|–| - |:|\()/gm,
  ];
  for (const re of patterns) {
    for (const m of withoutLinks.matchAll(re)) {
      const name = (m[1] ?? '').replace(/[:\s]+$/, '').trim();
      const ws = words(name);
      if (ws.length === 0 || ws.length > 10 || !/\p{Lu}/u.test(name)) continue;
      if (ws.length === 1 && LABELS.has(ws[0] ?? '')) continue;
      if (ws.every((w) => LABELS.has(w) || /^\d+$/.test(w))) continue;
      out.push({ name, index: (m.index ?? 0) + m[0].indexOf(m[1] ?? '') });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Discounts and promises

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

// ---------------------------------------------------------------------------------------------------
// Constraints from the shopper's words

/** Category words that usually qualify another noun ("hiking boots", "camping stove"): not a category request alone. */
const MODIFIER_WORDS = new Set([
  'outdoor',
  'outdoors',
  'hiking',
  'camping',
  'cycling',
  'fitness',
  'home',
  'kitchen',
  'yoga',
  'bag',
]);
const UNIT_AFTER =
  /^\s*(?:kg|g|grams?|lbs?|pounds?|l|litres?|liters?|ml|mm|cm|m|km|miles?|hours?|hrs?|h|minutes?|mins?|years?|yrs?|degrees?|°)\b/i;

function singular(w: string): string {
  if (w.endsWith('ches') || w.endsWith('shes')) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/**
 * Catalogue categories the shopper names, e.g. "running shoes" → Shoes, "a backpack" → Bags &
 * Backpacks. Words that usually qualify another noun ("hiking", "camping") do not count on their
 * own, so "hiking boots" does not become a request for the Hiking category. `terms` adds words per
 * category (e.g. from product types: "Outerwear" ← jacket, shell, fleece).
 */
export function matchCategories(
  text: string,
  categories: readonly string[],
  terms: Readonly<Record<string, readonly string[]>> = {},
): string[] {
  const said = new Set(words(text).map(singular));
  return categories.filter((category) => {
    const own = words(category)
      .map(singular)
      .filter((w) => w.length >= 3 && !MODIFIER_WORDS.has(w));
    const extra = (terms[category] ?? []).map((t) => singular(t.toLowerCase()));
    const whole = singular(category.toLowerCase());
    if (said.has(whole) && !MODIFIER_WORDS.has(whole)) return true;
    return [...own, ...extra].some((w) => said.has(w));
  });
}

/**
 * The shopper's budget and categories from their messages (oldest first; a later budget or category
 * replaces an earlier one). The budget is read the same way as the server's own pre-search.
 */
export function extractShopperConstraints(
  messages: string | readonly string[],
  categories: readonly string[],
  terms?: Readonly<Record<string, readonly string[]>>,
): ShopperConstraints {
  const out: ShopperConstraints = {};
  for (const text of typeof messages === 'string' ? [messages] : messages) {
    const { maxPrice } = extractPrefetchFilters(text);
    // "under 2 kg" is a weight, not a budget.
    const isUnit =
      maxPrice !== undefined &&
      [...text.matchAll(/\d+(?:[.,]\d{1,2})?/g)].some(
        (m) => Number(m[0].replace(',', '.')) === maxPrice && UNIT_AFTER.test(text.slice(m.index + m[0].length)),
      );
    if (maxPrice !== undefined && !isUnit) out.maxPrice = maxPrice;
    const named = matchCategories(text, categories, terms);
    if (named.length > 0) out.categories = named;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The check

function money(amountMinor: number, currency: string): string {
  return formatMoney({ amountMinor, currency });
}

function clip(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Prices that are true for a product: its price, its sale price, the saving, and what the tool said this turn. */
function validAmounts(
  id: string,
  catalogue: ReadonlyMap<string, GroundingProduct>,
  traced: ReadonlyMap<string, ToolTrace['products'][number]>,
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
  const mismatches: GroundingMismatch[] = [];
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
  const refs: ProductRef[] = [];
  const inventedNames = new Set<string>();

  // 1. Linked products: the id must exist and have been seen; the link text must name that product.
  for (const m of answer.matchAll(LINK_RE)) {
    const [raw, name = '', id = ''] = m;
    const product = catalogue.get(id);
    refs.push({ index: m.index, line: lineOf(lines, m.index), ids: product ? [id] : [], name });
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

  // 2. Known titles written without a link (variants share a title: all of them are candidates).
  const lower = fold(answer);
  const byTitle = new Map<string, string[]>();
  for (const p of known) if (p.title.length >= 4) byTitle.set(fold(p.title), [...(byTitle.get(fold(p.title)) ?? []), p.id]);
  const linkSpans = [...answer.matchAll(LINK_RE)].map((m) => [m.index, m.index + m[0].length] as const);
  for (const [title, ids] of byTitle) {
    for (let at = lower.indexOf(title); at >= 0; at = lower.indexOf(title, at + title.length)) {
      if (linkSpans.some(([a, b]) => at >= a && at < b)) continue;
      refs.push({ index: at, line: lineOf(lines, at), ids, name: title });
    }
  }

  // 3. Other names where a product name usually goes: matched loosely to a known product, else invented.
  for (const c of nameCandidates(answer)) {
    if (refs.some((r) => Math.abs(r.index - c.index) < 3)) continue;
    let best: { ids: string[]; score: number } = { ids: [], score: 0 };
    for (const p of known) {
      const score = nameScore(c.name, p);
      if (score > best.score) best = { ids: [p.id], score };
      else if (score === best.score && score > 0 && best.ids.length < 20) best.ids.push(p.id);
    }
    refs.push({ index: c.index, line: lineOf(lines, c.index), ids: best.score >= 0.6 ? best.ids : [], name: c.name });
  }
  refs.sort((a, b) => a.index - b.index);

  // 4. Prices: each belongs to the products on its line (or the item it continues).
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

  // 5. Recommended products must fit the shopper's budget and category.
  const linked = linkedProductIds(answer);
  const recommendedIds = linked.length > 0 ? linked : mentionedByTitle(answer, known);
  for (const id of recommendedIds) {
    const p = catalogue.get(id);
    if (!p) continue;
    const effective = p.salePrice ?? p.price;
    if (constraints.maxPrice !== undefined && effective.amountMinor > Math.round(constraints.maxPrice * 100)) {
      mismatches.push({
        kind: 'over-budget',
        productId: id,
        title: p.title,
        text: p.title,
        expected: `at most ${money(Math.round(constraints.maxPrice * 100), effective.currency)}`,
        found: money(effective.amountMinor, effective.currency),
      });
    }
    const wanted = constraints.categories ?? [];
    if (wanted.length > 0 && p.category !== null && !wanted.some((c) => c.toLowerCase() === p.category?.toLowerCase())) {
      mismatches.push({
        kind: 'wrong-category',
        productId: id,
        title: p.title,
        text: p.title,
        expected: wanted.join(' or '),
        found: p.category,
      });
    }
  }

  // 6. Promises of discounts, coupons or price changes: the data has none, so any promise is made up.
  const onSale = new Map(
    [...catalogue.values()]
      .filter((p) => p.salePrice)
      .map((p) => [p.id, Math.round((1 - (p.salePrice?.amountMinor ?? 0) / p.price.amountMinor) * 100)]),
  );
  for (const s of sentences(answer)) {
    if (!PROMISE_PATTERNS.some((re) => re.test(s.text)) || NEGATION.test(s.text.replace(NOT_NEGATION, ''))) continue;
    // "20% off" on a product that really is 20% off is a fact, not a promise.
    const percent = /\b(\d{1,2})\s?%\s*(?:off|discount)\b/i.exec(s.text);
    const saleIds = refs.filter((r) => r.index >= s.index && r.index < s.index + s.text.length).flatMap((r) => r.ids);
    const isRealSale = saleIds.some(
      (id) => onSale.has(id) && (!percent || Math.abs((onSale.get(id) ?? 0) - Number(percent[1])) <= 1),
    );
    const onlyPercent = PROMISE_PATTERNS.filter((re) => re.test(s.text)).length === 1 && percent !== null;
    if (isRealSale && onlyPercent) continue;
    mismatches.push({
      kind: 'discount-promise',
      text: clip(s.text),
      expected: 'no discount, coupon or price change (prices come from the catalogue)',
    });
  }

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

/** One sentence for the shopper, shown under the answer, that corrects a mismatch. */
export function correctionFor(m: GroundingMismatch): string {
  const name = m.title ?? m.found ?? m.text;
  switch (m.kind) {
    case 'wrong-price':
      return `Correction: the price of ${name} is ${m.expected ?? 'shown on its card'}, not ${m.found ?? 'the price mentioned above'}.`;
    case 'invented-product':
      return m.title && m.expected === m.title
        ? `Correction: the link “${m.found ?? ''}” leads to ${m.title}, a different product than its name says.`
        : `Correction: “${m.found ?? m.text}” is not a product in our catalogue.`;
    case 'over-budget':
      return `Note: ${name} costs ${m.found ?? ''}, which is over your budget (${m.expected ?? ''}).`;
    case 'wrong-category':
      return `Note: ${name} is in ${m.found ?? 'another category'}, not ${m.expected ?? 'the category you asked for'}.`;
    case 'discount-promise':
      return 'Correction: the assistant cannot offer discounts, coupons or price changes. Prices are as shown on the product cards.';
  }
}

/** Corrections for every mismatch, each sentence once. */
export function corrections(mismatches: readonly GroundingMismatch[]): string[] {
  return [...new Set(mismatches.map(correctionFor))];
}
