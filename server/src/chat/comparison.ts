import {
  availabilitySchema,
  MAX_COMPARED,
  MIN_COMPARED,
  type Comparison,
  type ComparisonRow,
  type ComparisonValue,
  type ProductCard,
} from '@aisle/shared';
import type { ProductDetails, ProductFacts } from '../db/productDetails';

/**
 * Products side by side: every value from the database (price, sale price, stock, rating, reviews,
 * sizes and colours in stock, brand, material, category, then the feed's other attributes), each row
 * marked when the products differ. Used by `GET /api/products/compare` and by answers to "compare these".
 */

const NONE: ComparisonValue = { type: 'none' };

const text = (value: string | null): ComparisonValue =>
  value === null || value.trim() === '' ? NONE : { type: 'text', text: value };
const list = (items: readonly string[]): ComparisonValue => (items.length === 0 ? NONE : { type: 'list', items: [...items] });

/** The feed's extra attributes ("Width": "Wide"), as stored by the importers; unreadable JSON is none. */
function attributesOf(row: ProductFacts['row']): Record<string, string> {
  if (row.attributes === null) return {};
  try {
    const parsed: unknown = JSON.parse(row.attributes);
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** Whether two values say the same; lists compare as sets ("S, M" is "M, S"). */
function sameValue(a: ComparisonValue, b: ComparisonValue): boolean {
  if (a.type === 'list' && b.type === 'list') {
    const x = [...a.items].sort();
    const y = [...b.items].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a.type === 'text' && b.type === 'text') return a.text.trim().toLowerCase() === b.text.trim().toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}

function row(field: ComparisonRow['field'], values: ComparisonValue[], name?: string): ComparisonRow | null {
  // A row that says nothing for every product is left out (no sale anywhere, no material given).
  if (values.every((v) => v.type === 'none')) return null;
  const first = values[0] ?? NONE;
  return { field, ...(name === undefined ? {} : { name }), values, differs: values.some((v) => !sameValue(v, first)) };
}

/** Builds the comparison of these products, in this order. Pure. */
export function buildComparison(items: readonly ProductFacts[]): Comparison {
  const rows = items.map((i) => i.row);
  const attributes = rows.map(attributesOf);
  const names = [...new Set(attributes.flatMap((a) => Object.keys(a)))].sort((a, b) => a.localeCompare(b));
  const built = [
    row(
      'price',
      rows.map((r) => ({ type: 'money', money: { amountMinor: r.price_minor, currency: r.currency } })),
    ),
    row(
      'salePrice',
      rows.map((r) =>
        r.sale_price_minor !== null && r.sale_price_minor < r.price_minor
          ? { type: 'money', money: { amountMinor: r.sale_price_minor, currency: r.currency } }
          : NONE,
      ),
    ),
    row(
      'availability',
      rows.map((r) => ({ type: 'availability', availability: availabilitySchema.catch('out_of_stock').parse(r.availability) })),
    ),
    row(
      'rating',
      rows.map((r) => (r.rating === null || r.review_count === 0 ? NONE : { type: 'rating', rating: r.rating })),
    ),
    row(
      'reviewCount',
      rows.map((r) => ({ type: 'count', count: r.review_count })),
    ),
    row(
      'sizes',
      items.map((i) => list(i.sizesInStock)),
    ),
    row(
      'colors',
      items.map((i) => list(i.colorsInStock)),
    ),
    row(
      'brand',
      rows.map((r) => text(r.brand)),
    ),
    row(
      'material',
      rows.map((r) => text(r.material)),
    ),
    row(
      'category',
      rows.map((r) => text(r.category ?? r.product_type)),
    ),
    ...names.map((name) =>
      row(
        'attribute',
        attributes.map((a) => text(a[name] ?? null)),
        name,
      ),
    ),
  ];
  return {
    products: rows.map((r) => ({ id: r.id, title: r.title, brand: r.brand })),
    rows: built.filter((r): r is ComparisonRow => r !== null),
  };
}

/** Why products cannot be compared, in words a shopper can read. */
export class ComparisonRefused extends Error {
  constructor(
    readonly code: 'not-found' | 'bad-request',
    message: string,
  ) {
    super(message);
    this.name = 'ComparisonRefused';
  }
}

/**
 * Compares the products with these ids (2-4, validated by the caller) as the catalogue has them now.
 * Throws {@link ComparisonRefused} naming any product that does not exist or that the shop no longer sells.
 */
export async function compareProducts(details: ProductDetails, ids: readonly string[]): Promise<Comparison> {
  if (ids.length < MIN_COMPARED || ids.length > MAX_COMPARED)
    throw new ComparisonRefused('bad-request', `Choose ${MIN_COMPARED} to ${MAX_COMPARED} products to compare.`);
  const facts = await details.facts(ids, { includeGone: true });
  const found = new Map(facts.map((f) => [f.row.id, f]));
  const unknown = ids.filter((id) => !found.has(id));
  if (unknown.length > 0) throw new ComparisonRefused('not-found', `No product with id ${unknown.join(', ')}.`);
  const gone = facts.filter((f) => f.row.gone_at !== null).map((f) => `"${f.row.title}"`);
  if (gone.length > 0)
    throw new ComparisonRefused(
      'not-found',
      `${gone.join(' and ')} ${gone.length === 1 ? 'is' : 'are'} no longer available, so ${gone.length === 1 ? 'it' : 'they'} can't be compared.`,
    );
  return buildComparison(ids.flatMap((id) => found.get(id) ?? []));
}

/** Words that ask for a comparison, in the shopper UI's languages. */
const COMPARE_WORDS =
  /\b(?:compare|comparison|versus|vs\.?|difference between|differences)\b|vergleich|compar[ae]|比较|对比|区别/iu;
const ORDINALS: Record<string, number> = {
  two: 2,
  three: 3,
  four: 4,
  '2': 2,
  '3': 3,
  '4': 4,
  zwei: 2,
  drei: 3,
  vier: 4,
  dos: 2,
  tres: 3,
  cuatro: 4,
};

/**
 * The products a shopper's message asks to compare, or null when it asks for no comparison. "the
 * first two" / "the last three" pick from the previous answer's cards; otherwise the cards of this
 * answer when it shows 2 or more, else the previous answer's ("compare these"). Pure.
 */
export function comparisonRequest(
  userText: string,
  answerCards: readonly Pick<ProductCard, 'id'>[],
  previousCards: readonly Pick<ProductCard, 'id'>[],
): string[] | null {
  if (!COMPARE_WORDS.test(userText)) return null;
  const ordinal = userText.match(
    /(?<!\p{L})(first|last|top|ersten|letzten|primeros|últimos|ultimos)\s+(two|three|four|[234]|zwei|drei|vier|dos|tres|cuatro)(?!\p{L})/iu,
  );
  let ids: string[];
  if (ordinal?.[1] && ordinal[2] && previousCards.length >= MIN_COMPARED) {
    const n = ORDINALS[ordinal[2].toLowerCase()] ?? MIN_COMPARED;
    const isLast = /^(last|letzten|últimos|ultimos)$/iu.test(ordinal[1]);
    const pool = previousCards.map((c) => c.id);
    ids = isLast ? pool.slice(-n) : pool.slice(0, n);
  } else if (answerCards.length >= MIN_COMPARED) ids = answerCards.map((c) => c.id);
  else ids = previousCards.map((c) => c.id);
  const unique = [...new Set(ids)].slice(0, MAX_COMPARED);
  return unique.length >= MIN_COMPARED ? unique : null;
}
