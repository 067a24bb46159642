import { z } from 'zod';
import { neutraliseBidi } from '@aisle/shared';
import { parseHttpUrl, productRecordSchema, type ProductRecord } from '../productRecord';
import {
  decimalCommaWarning,
  isBareAmount,
  parsePrice,
  quote,
  readAvailability,
  type ImportWarning,
  type ParsedPrice,
} from './feedValues';

/**
 * Google Merchant Center attributes Aisle reads (plus its extensions rating, review_count, quantity).
 * Anything else in a feed (shipping, custom_label_0, ...) is ignored and listed in the import summary.
 */
export const MERCHANT_ATTRIBUTES = [
  'id',
  'title',
  'description',
  'link',
  'image_link',
  'price',
  'sale_price',
  'availability',
  'brand',
  'gtin',
  'mpn',
  'condition',
  'product_type',
  'google_product_category',
  'item_group_id',
  'color',
  'size',
  'gender',
  'age_group',
  'material',
  'rating',
  'review_count',
  'quantity',
] as const;
export type MerchantAttribute = (typeof MERCHANT_ATTRIBUTES)[number];

const KNOWN = new Set<string>(MERCHANT_ATTRIBUTES);

/**
 * Normalises a feed column or JSON key: case-insensitive, an optional `g:` namespace prefix (XML-derived
 * feeds), and spaces or hyphens instead of underscores (spreadsheet exports write "item group id").
 */
export function normaliseAttributeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^g:/, '')
    .replace(/[\s-]+/g, '_');
}

/** True when the (normalised) name is an attribute Aisle reads. */
export function isKnownAttribute(name: string): name is MerchantAttribute {
  return KNOWN.has(name);
}

function parseCondition(value: string): ProductRecord['condition'] {
  const c = value.toLowerCase();
  return c === 'new' || c === 'refurbished' || c === 'used' ? c : null;
}

/** Top-level category shown to shoppers: first product_type segment, else google_product_category's. */
export function categoryOf(productType: string | null, googleProductCategory: string | null): string | null {
  const first = (path: string | null): string | null => {
    const head = path?.split('>')[0]?.trim();
    return head ? head : null;
  };
  const fromType = first(productType);
  if (fromType) return fromType;
  const fromGoogle = first(googleProductCategory);
  // A numeric taxonomy id ("187") means nothing to a shopper.
  return fromGoogle && !/^\d+$/.test(fromGoogle) ? fromGoogle : null;
}

/**
 * Feed cells arrive as strings (CSV) or JSON values; blanks mean "not given". Bidi controls and
 * invisible characters go here, before any check, so every stored text displays as it reads.
 */
const cell = z.unknown().transform((v) => {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    const t = neutraliseBidi(v).trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v;
});

function text(name: string, opts: { required?: boolean; max?: number } = {}) {
  return cell.transform((v, ctx): string | null => {
    if (v === undefined) {
      if (opts.required) ctx.addIssue({ code: 'custom', message: `missing ${name}` });
      return null;
    }
    if (typeof v !== 'string') {
      ctx.addIssue({ code: 'custom', message: `${name} ${quote(v)} should be text` });
      return null;
    }
    if (opts.max !== undefined && v.length > opts.max) {
      ctx.addIssue({ code: 'custom', message: `${name} is ${v.length} characters long; the limit is ${opts.max}` });
    }
    return v;
  });
}

/**
 * A link the client will put in href or src: stored as the parser's normalised form, so what is
 * checked here is byte for byte what a browser will follow.
 */
function httpUrl(name: string) {
  return cell.transform((v, ctx): string | null => {
    if (v === undefined) return null;
    const url = typeof v === 'string' ? parseHttpUrl(v) : { error: 'must be an http(s) URL' };
    if (!(url instanceof URL)) {
      ctx.addIssue({ code: 'custom', message: `${name} ${url.error}, not ${quote(v)}` });
      return null;
    }
    return url.href;
  });
}

function count(name: string) {
  return cell.transform((v, ctx): number | null => {
    if (v === undefined) return null;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: 'custom', message: `${name} ${quote(v)} is not a whole number of 0 or more` });
      return null;
    }
    return n;
  });
}

function oneOf<T>(name: string, parse: (v: string) => T | null, allowed: string) {
  return cell.transform((v, ctx): T | null => {
    if (v === undefined) return null;
    const parsed = typeof v === 'string' ? parse(v) : null;
    if (parsed === null) ctx.addIssue({ code: 'custom', message: `${name} ${quote(v)} is not one of ${allowed}` });
    return parsed;
  });
}

function price(name: string, required: boolean) {
  return z.unknown().transform((given, ctx): (ParsedPrice & { text: string }) | null => {
    // Spreadsheets in right-to-left locales wrap numbers in direction marks.
    const raw = typeof given === 'string' ? neutraliseBidi(given) : given;
    const blank = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
    if (blank) {
      if (required) ctx.addIssue({ code: 'custom', message: `missing ${name}` });
      return null;
    }
    const parsed = parsePrice(raw);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: `${name} ${quote(raw)} ${parsed.error}` });
      return null;
    }
    return { ...parsed, text: String(raw) };
  });
}

/** One feed row, keyed by normalised attribute names, validated and mapped to Aisle's record. */
const merchantRowSchema = z
  .object({
    id: text('id', { required: true, max: 50 }),
    title: text('title', { required: true, max: 150 }),
    description: text('description', { max: 5000 }),
    link: httpUrl('link'),
    image_link: httpUrl('image_link'),
    price: price('price', true),
    sale_price: price('sale_price', false),
    availability: cell.transform((v, ctx) => {
      if (v === undefined) return null;
      const read = typeof v === 'string' ? readAvailability(v) : null;
      if (read === null) {
        ctx.addIssue({
          code: 'custom',
          message: `availability ${quote(v)} is not one of in_stock, out_of_stock, preorder, backorder`,
        });
      }
      return read;
    }),
    brand: text('brand', { max: 200 }),
    gtin: text('gtin', { max: 50 }),
    mpn: text('mpn', { max: 70 }),
    condition: oneOf('condition', parseCondition, 'new, refurbished, used'),
    product_type: text('product_type', { max: 750 }),
    google_product_category: text('google_product_category'),
    item_group_id: text('item_group_id', { max: 50 }),
    color: text('color', { max: 100 }),
    size: text('size', { max: 100 }),
    gender: text('gender'),
    age_group: text('age_group'),
    material: text('material', { max: 200 }),
    rating: cell.transform((v, ctx): number | null => {
      if (v === undefined) return null;
      const r = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN;
      if (r >= 0 && r <= 5) return r;
      ctx.addIssue({ code: 'custom', message: `rating ${quote(v)} is not a number from 0 to 5` });
      return null;
    }),
    review_count: count('review_count'),
    quantity: count('quantity'),
  })
  .transform((row, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    const warnings: ImportWarning[] = [];

    // Merchant requires availability; when a shop exports only stock counts the intent is clear.
    const read =
      row.availability ??
      (row.quantity !== null
        ? { availability: row.quantity > 0 ? ('in_stock' as const) : ('out_of_stock' as const), warning: null }
        : readAvailability(undefined));
    if (read?.warning) warnings.push(read.warning);
    const availability = read?.availability;

    for (const p of [row.price, row.sale_price]) {
      if (p?.hasDecimalComma) warnings.push(decimalCommaWarning(p.text, p));
    }

    if (row.price && row.sale_price) {
      if (row.sale_price.currency !== row.price.currency) {
        issue(`sale_price is in ${row.sale_price.currency} but price is in ${row.price.currency}`);
      } else if (row.sale_price.amountMinor > row.price.amountMinor) {
        issue('sale_price is higher than price');
      }
    }

    if (!row.id || !row.title || !row.price || !availability || ctx.issues.length > 0) return z.NEVER;
    const record: ProductRecord = {
      id: row.id,
      title: row.title,
      description: row.description ?? '',
      link: row.link,
      imageLink: row.image_link,
      priceMinor: row.price.amountMinor,
      currency: row.price.currency,
      salePriceMinor: row.sale_price?.amountMinor ?? null,
      availability,
      brand: row.brand,
      gtin: row.gtin,
      mpn: row.mpn,
      condition: row.condition,
      productType: row.product_type,
      category: categoryOf(row.product_type, row.google_product_category),
      googleProductCategory: row.google_product_category,
      itemGroupId: row.item_group_id,
      color: row.color,
      size: row.size,
      gender: row.gender,
      ageGroup: row.age_group,
      material: row.material,
      rating: row.rating,
      reviewCount: row.review_count ?? 0,
      stockQuantity: row.quantity,
    };
    return { record, warnings };
  })
  .pipe(z.object({ record: productRecordSchema, warnings: z.array(z.object({ key: z.string(), message: z.string() })) }));

/**
 * A row's outcome: the record to store and what was read leniently (a decimal comma, "Low Stock"),
 * or every reason it was rejected.
 */
export type MerchantRowResult = { ok: true; record: ProductRecord; warnings: ImportWarning[] } | { ok: false; reasons: string[] };

/**
 * Validates one feed row. Keys may be in any case and carry a `g:` prefix; unknown keys are ignored.
 */
export function parseMerchantRow(
  fields: Readonly<Record<string, unknown>>,
  options: { defaultCurrency?: string } = {},
): MerchantRowResult {
  // Every attribute present (null when absent) so each field's own check runs and can say "missing".
  const normalised: Record<string, unknown> = Object.fromEntries(MERCHANT_ATTRIBUTES.map((a) => [a, null]));
  for (const [key, value] of Object.entries(fields)) {
    const name = normaliseAttributeName(key);
    // A repeated column keeps its first non-blank value.
    if (isKnownAttribute(name) && (normalised[name] === null || normalised[name] === '')) normalised[name] = value;
  }
  // Exports that give bare amounts ("9.99") are read in the currency the importer was told to assume.
  if (options.defaultCurrency) {
    for (const key of ['price', 'sale_price'] as const) {
      const v = normalised[key];
      if (typeof v === 'number' || (typeof v === 'string' && isBareAmount(neutraliseBidi(v)))) {
        normalised[key] = `${neutraliseBidi(String(v)).trim()} ${options.defaultCurrency}`;
      }
    }
  }
  const result = merchantRowSchema.safeParse(normalised);
  if (result.success) return { ok: true, ...result.data };
  const reasons = [
    ...new Set(result.error.issues.map((i) => (i.code === 'custom' ? i.message : `${i.path.join('.') || 'row'}: ${i.message}`))),
  ];
  return { ok: false, reasons };
}
