import { neutraliseBidi, type Availability } from '@aisle/shared';

/**
 * Something the importer read in a way the file did not say exactly ("Low Stock" as in stock). The
 * summary groups warnings by `key` and shows the first `message`, so 12 rows of "Low Stock" print
 * once with their count.
 */
export interface ImportWarning {
  key: string;
  message: string;
}

/** A parsed amount: minor units and currency. */
export interface ParsedPrice {
  amountMinor: number;
  currency: string;
  /** The amount was written with a decimal comma ("12,99"). */
  hasDecimalComma: boolean;
}

/** A value quoted for a reason printed to a terminal: bidi controls removed, long values cut. */
export function quote(v: unknown): string {
  // A raw override in a terminal would spoof the report itself.
  const s = neutraliseBidi(typeof v === 'string' ? v : JSON.stringify(v));
  return `"${s.length > 40 ? `${s.slice(0, 37)}...` : s}"`;
}

const NOT_A_PRICE = { error: 'is not a price like "15.00 USD"' } as const;
// An amount: digits with separators between them; space, no-break spaces and apostrophes only group thousands.
const AMOUNT = String.raw`\d(?:[\d.,' \u00A0\u202F]*\d)?`;
const PRICE = new RegExp(String.raw`^(?:([A-Za-z]{3})\s*)?(${AMOUNT})(?:\s*([A-Za-z]{3}))?$`);

/** Text a currency code can be appended to: an amount alone. */
export function isBareAmount(text: string): boolean {
  return new RegExp(`^${AMOUNT}$`).test(text.trim());
}

/**
 * Parses a price into minor units using string arithmetic, so "19.99" is exactly 1999. The decimal
 * separator is told apart from a thousands separator by position: the last "." or "," is the decimal
 * one when the other also appears before it ("1,299.00", "1.299,00") or when one or two digits follow
 * it ("12,99"); a lone "," before exactly three digits groups thousands ("1,299"), as does a separator
 * that repeats ("1.299.000"). A lone "." is always a decimal point, so "19.999" is refused rather than
 * read as nineteen thousand. `defaultCurrency` is used when the text names none.
 */
export function parsePrice(value: unknown, defaultCurrency?: string): ParsedPrice | { error: string } {
  // The Content API (and some JSON exports) give { value: "15.00", currency: "USD" }.
  if (typeof value === 'object' && value !== null && 'value' in value && 'currency' in value) {
    const { value: amount, currency } = value;
    return parsePrice(`${String(amount)} ${String(currency)}`);
  }
  if (typeof value === 'number') {
    if (defaultCurrency && Number.isFinite(value)) return parsePrice(String(value), defaultCurrency);
    return { error: `has no currency; write it like "${value.toFixed(2)} USD"` };
  }
  if (typeof value !== 'string') return NOT_A_PRICE;
  const text = value.trim();
  const match = PRICE.exec(text);
  if (!match) return NOT_A_PRICE;
  const [, before, amountText = '', after] = match;
  if (before && after) return NOT_A_PRICE;
  const code = before ?? after ?? defaultCurrency;
  const amount = parseAmount(amountText);
  if ('error' in amount) return amount;
  if (!code) return { error: `has no currency; write it like "${text} USD"` };
  const amountMinor = Number(amount.whole) * 100 + Number(amount.fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(amountMinor)) return { error: 'is too large' };
  return { amountMinor, currency: code.toUpperCase(), hasDecimalComma: amount.decimal === ',' };
}

function parseAmount(text: string): { whole: string; fraction: string; decimal: string | null } | { error: string } {
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  const last = Math.max(lastDot, lastComma);
  let decimal: '.' | ',' | null = null;
  if (last >= 0) {
    const sep = text[last] === '.' ? '.' : ',';
    const other = sep === '.' ? ',' : '.';
    const digitsAfter = text.length - last - 1;
    const repeats = text.indexOf(sep) !== last;
    if (text.includes(other)) decimal = sep;
    else if (repeats) decimal = null;
    else if (sep === '.') decimal = '.';
    else decimal = digitsAfter === 3 ? null : ',';
  }
  const cut = decimal === null ? text.length : text.lastIndexOf(decimal);
  const integer = text.slice(0, cut);
  const fraction = decimal === null ? '' : text.slice(cut + 1);
  if (!/^\d*$/.test(fraction)) return NOT_A_PRICE;
  // Thousands separators, if any, are all the same character and group exactly three digits.
  const grouping = integer.replace(/\d/g, '');
  if (grouping !== '') {
    const sep = grouping[0] ?? '';
    if (sep === decimal || [...grouping].some((c) => c !== sep)) return NOT_A_PRICE;
    const groups = integer.split(sep);
    if (!/^\d{1,3}$/.test(groups[0] ?? '') || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return NOT_A_PRICE;
  }
  if (fraction.length > 2) {
    const hint =
      decimal === '.' && !text.includes(',') && fraction.length === 3
        ? ` (for ${text.replaceAll('.', '')} write "${text},00")`
        : '';
    return { error: `has more than two decimals${hint}` };
  }
  return { whole: integer.replace(/\D/g, '') || '0', fraction, decimal };
}

/** Accepts Merchant's values and the spellings feeds use for them ("in stock", "Out of Stock", "pre-order"). */
export function parseAvailability(value: string): Availability | null {
  const key = availabilityKey(value);
  switch (key) {
    case 'in_stock':
    case 'out_of_stock':
    case 'backorder':
    case 'preorder':
      return key;
    case 'pre_order':
      return 'preorder';
    case 'back_order':
      return 'backorder';
    default:
      return null;
  }
}

function availabilityKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\/schema\.org\//, '')
    .replace(/[\s-]+/g, '_');
}

/**
 * Values shops write instead of Merchant's four, and what each means. schema.org's ("InStock",
 * "https://schema.org/SoldOut") are here too, as storefront themes export them.
 */
const OTHER_AVAILABILITY: Readonly<Record<string, Availability>> = {
  low_stock: 'in_stock',
  limited: 'in_stock',
  limited_stock: 'in_stock',
  limitedavailability: 'in_stock',
  few_left: 'in_stock',
  available: 'in_stock',
  yes: 'in_stock',
  true: 'in_stock',
  instock: 'in_stock',
  onlineonly: 'in_stock',
  sold_out: 'out_of_stock',
  soldout: 'out_of_stock',
  outofstock: 'out_of_stock',
  no: 'out_of_stock',
  false: 'out_of_stock',
  unavailable: 'out_of_stock',
  not_available: 'out_of_stock',
  discontinued: 'out_of_stock',
  coming_soon: 'preorder',
  presale: 'preorder',
  pre_sale: 'preorder',
  on_backorder: 'backorder',
  backordered: 'backorder',
};

/** Values that say nothing about stock. */
const UNKNOWN_AVAILABILITY = new Set(['unknown', 'n/a', 'na', 'none', '?']);

const WORDS: Readonly<Record<Availability, string>> = {
  in_stock: 'in stock',
  out_of_stock: 'out of stock',
  preorder: 'preorder',
  backorder: 'backorder',
};

/**
 * Reads an availability value leniently: Merchant's values as they are; common other values mapped
 * with a warning; a blank or "unknown" value read as out of stock with a warning, because Aisle
 * would rather lose a sale than tell a shopper something is in stock when the shop never said so
 * (availability has no "unknown"). Null when the value means nothing Aisle knows.
 */
export function readAvailability(
  value: string | undefined,
): { availability: Availability; warning: ImportWarning | null } | null {
  if (value === undefined || value.trim() === '') {
    return {
      availability: 'out_of_stock',
      warning: {
        key: 'availability:blank',
        message: 'no availability given: read as out of stock (Aisle never promises stock a feed does not state)',
      },
    };
  }
  const strict = parseAvailability(value);
  if (strict) return { availability: strict, warning: null };
  const key = availabilityKey(value);
  const shown = quote(value.trim());
  if (UNKNOWN_AVAILABILITY.has(key)) {
    return {
      availability: 'out_of_stock',
      warning: {
        key: `availability:${key}`,
        message: `availability ${shown} read as out of stock (Aisle never promises stock a feed does not state)`,
      },
    };
  }
  const mapped = OTHER_AVAILABILITY[key];
  if (!mapped) return null;
  return {
    availability: mapped,
    warning: { key: `availability:${key}`, message: `availability ${shown} read as ${WORDS[mapped]}` },
  };
}

/** The warning for a price written with a decimal comma, grouped across rows. */
export function decimalCommaWarning(text: string, price: ParsedPrice): ImportWarning {
  const whole = Math.trunc(price.amountMinor / 100);
  const cents = String(price.amountMinor % 100).padStart(2, '0');
  return {
    key: 'price:decimal-comma',
    message: `prices with a decimal comma read as such (${quote(text.trim())} is ${whole}.${cents} ${price.currency})`,
  };
}
