/**
 * Prices written in an answer: finding them in free text, reading their amount and currency, and
 * telling a product's price from a budget the sentence refers to. Pure; used by the grounding check.
 */

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

/** True when a written currency can be the product's: a bare `$` fits every dollar currency. */
export function sameCurrency(written: string, actual: string): boolean {
  return written === actual || (written === '$' && DOLLARS.has(actual));
}

/** Prices the shopper's budget or a comparison refers to, not a product's price. */
const BUDGET_BEFORE =
  /(?:under|below|less than|up to|within|budget(?: of| is)?|max(?:imum)?|no more than|cheaper than|over|above|more than|at least|between|and|around|about|approximately|~)\s*$/i;
const BUDGET_AFTER = /^\s*(?:budget|limit|or less|or under|or below|max)\b/i;

/** True when the words around a price make it a budget or a comparison ("under $120", "$100 max"). */
export function isBudgetMention(text: string, p: PriceMention): boolean {
  return BUDGET_BEFORE.test(text.slice(Math.max(0, p.index - 30), p.index)) || BUDGET_AFTER.test(text.slice(p.end, p.end + 20));
}
