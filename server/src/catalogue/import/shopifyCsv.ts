import { neutraliseBidi, type Availability } from '@aisle/shared';
import { parseHttpUrl, productRecordSchema, type ProductRecord } from '../productRecord';
import { decimalCommaWarning, parsePrice, quote, type ImportWarning } from './feedValues';
import { compactId, htmlToText, idPart, lastSegment, parseCondition, truncate, variantFacets } from './shopifyValues';

/**
 * Shopify's product CSV export (Products > Export): one row per variant and per extra image,
 * grouped by Handle. Column names are compared lower-cased; older exports name the type columns
 * "Custom Product Type" and "Standard Product Type" and may lack "Variant Inventory Qty".
 */
const COLUMNS = [
  'handle',
  'title',
  'body (html)',
  'vendor',
  'product category',
  'standard product type',
  'type',
  'custom product type',
  'tags',
  'published',
  'option1 name',
  'option1 value',
  'option2 name',
  'option2 value',
  'option3 name',
  'option3 value',
  'variant sku',
  'variant inventory tracker',
  'variant inventory qty',
  'variant inventory policy',
  'variant price',
  'variant compare at price',
  'variant barcode',
  'image src',
  'image position',
  'variant image',
  'gift card',
  'status',
  'google shopping / gender',
  'google shopping / age group',
  'google shopping / mpn',
  'google shopping / condition',
] as const;
type Column = (typeof COLUMNS)[number];
const READ = new Set<string>(COLUMNS);

const normaliseColumn = (name: string) => name.trim().toLowerCase().replace(/\s+/g, ' ');

/** True for the header of a Shopify product export: Handle and Variant Price, never Merchant's id. */
export function isShopifyHeader(names: readonly string[]): boolean {
  const set = new Set(names.map(normaliseColumn));
  return set.has('handle') && set.has('variant price') && !set.has('id');
}

/** True when Aisle reads this Shopify column. */
export function isReadShopifyColumn(name: string): boolean {
  return READ.has(normaliseColumn(name));
}

/** Why a whole product was left out on purpose (not an error): "draft", "archived", "not published", "gift card". */
export type LeftOutReason = string;

/** What the Shopify reader made of the rows so far, in file order. */
export type ShopifyOutcome =
  | { kind: 'record'; line: number; record: ProductRecord; warnings: ImportWarning[] }
  | { kind: 'problem'; line: number; reason: string; rows: number }
  | { kind: 'leftOut'; line: number; reason: LeftOutReason };

export interface ShopifyReaderOptions {
  /** The header row as written. */
  header: readonly string[];
  /** The shop's currency: the export has no currency column. */
  currency: string;
  /** The storefront's address; product links are `<shopUrl>/products/<handle>`. Null: no links. */
  shopUrl: string | null;
}

/** Takes a file's rows in order; gives outcomes as each product ends, and the last at `finish`. */
export interface ShopifyReader {
  push(line: number, fields: Readonly<Record<string, unknown>>): ShopifyOutcome[];
  finish(): ShopifyOutcome[];
}

interface Row {
  line: number;
  get(column: Column): string | undefined;
}

interface Group {
  handle: string;
  rows: Row[];
}

/**
 * Groups consecutive rows by Handle into products and maps each to records, one per variant, as a
 * Merchant feed would list them (`itemGroupId` is the handle). Only one product's rows are held at
 * a time, so memory stays flat. Shopify writes a product's rows together; a handle that comes back
 * after other products is reported row by row and skipped (its product was already written), so a
 * shuffled file is noticed instead of quietly splitting products. The handles seen are kept (a string
 * each) for that check.
 */
export function createShopifyReader(options: ShopifyReaderOptions): ShopifyReader {
  const hasColumn = new Set(options.header.map(normaliseColumn));
  const finished = new Map<string, number>();
  let current: Group | null = null;

  const end = (): ShopifyOutcome[] => {
    if (!current) return [];
    const group = current;
    current = null;
    finished.set(group.handle, group.rows[0]?.line ?? 0);
    return mapProduct(group, options, hasColumn);
  };

  return {
    push(line, fields) {
      const row = toRow(line, fields);
      const handle = row.get('handle');
      if (handle === undefined) return [{ kind: 'problem', line, reason: 'missing Handle', rows: 1 }];
      if (current?.handle === handle) {
        current.rows.push(row);
        return [];
      }
      const out = end();
      const firstLine = finished.get(handle);
      if (firstLine !== undefined) {
        out.push({
          kind: 'problem',
          line,
          reason: `Handle ${quote(handle)} comes back after other products (its product starts on line ${firstLine}); a product's rows must be together, as Shopify exports them`,
          rows: 1,
        });
        return out;
      }
      current = { handle, rows: [row] };
      return out;
    },
    finish: end,
  };
}

function toRow(line: number, fields: Readonly<Record<string, unknown>>): Row {
  const cells = new Map<string, string>();
  for (const [key, value] of Object.entries(fields)) {
    const name = normaliseColumn(key);
    if (!READ.has(name) || typeof value !== 'string') continue;
    const clean = neutraliseBidi(value).trim();
    if (clean !== '' && !cells.has(name)) cells.set(name, clean);
  }
  return { line, get: (column) => cells.get(column) };
}

const isVariantRow = (row: Row) =>
  row.get('variant price') !== undefined || row.get('option1 value') !== undefined || row.get('variant sku') !== undefined;

function mapProduct(group: Group, options: ShopifyReaderOptions, hasColumn: ReadonlySet<string>): ShopifyOutcome[] {
  const [first] = group.rows;
  if (!first) return [];
  const status = first.get('status')?.toLowerCase();
  if (status !== undefined && status !== 'active') return [{ kind: 'leftOut', line: first.line, reason: status }];
  if (first.get('published')?.toLowerCase() === 'false') return [{ kind: 'leftOut', line: first.line, reason: 'not published' }];
  if (first.get('gift card')?.toLowerCase() === 'true') return [{ kind: 'leftOut', line: first.line, reason: 'gift card' }];

  const out: ShopifyOutcome[] = [];
  const title = first.get('title');
  if (title === undefined) {
    return [
      {
        kind: 'problem',
        line: first.line,
        reason: `product ${quote(group.handle)} has no Title on its first row (its ${group.rows.length} rows were skipped)`,
        rows: group.rows.length,
      },
    ];
  }

  // Images: the one at position 1 (else the first given) is the product's picture. A row with a link
  // that is not http(s) is refused like a Merchant row: reported, and its variant or image left out.
  const refused = new Set<Row>();
  const variantImages = new Map<Row, string>();
  let image: { src: string; position: number } | null = null;
  for (const row of group.rows) {
    for (const column of ['image src', 'variant image'] as const) {
      const src = row.get(column);
      if (src === undefined) continue;
      const url = parseHttpUrl(src);
      if (!(url instanceof URL)) {
        refused.add(row);
        out.push({ kind: 'problem', line: row.line, reason: `${titleCase(column)} ${url.error}, not ${quote(src)}`, rows: 1 });
      } else if (column === 'variant image') {
        variantImages.set(row, url.href);
      } else {
        const position = Number(row.get('image position') ?? Number.POSITIVE_INFINITY);
        if (!image || position < image.position) image = { src: url.href, position };
      }
    }
  }

  const optionNames = OPTION_COLUMNS.map(([name]) => first.get(name));
  const variants = group.rows.filter((row) => isVariantRow(row) && !refused.has(row));
  const isSingle = variants.length === 1 && isDefaultVariant(variants[0], optionNames);
  const productWarnings: ImportWarning[] = [];
  const description = truncate(htmlToText(first.get('body (html)') ?? ''), 5000, 'description', productWarnings);
  const type = first.get('type') ?? first.get('custom product type') ?? null;
  const taxonomy = first.get('product category') ?? first.get('standard product type') ?? null;
  const handleId = idPart(group.handle);
  const link = options.shopUrl ? `${options.shopUrl.replace(/\/+$/, '')}/products/${encodeURIComponent(group.handle)}` : null;
  const keywords = [
    ...new Set(
      (first.get('tags') ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '' && t.length <= 100),
    ),
  ].slice(0, 50);
  const usedIds = new Set<string>();

  for (const row of variants) {
    const warnings = [...productWarnings];
    const reasons: string[] = [];
    const chosen = OPTION_COLUMNS.flatMap(([, valueColumn], i) => {
      const name = optionNames[i];
      const value = row.get(valueColumn);
      // "Title: Default Title" is Shopify's placeholder for a product without options.
      return name && value && !(name === 'Title' && value === 'Default Title') ? [{ name, value }] : [];
    });
    const facets = variantFacets(chosen);

    const price = readPrice(row, 'variant price', options.currency, reasons, warnings);
    const compareAt = readPrice(row, 'variant compare at price', options.currency, [], warnings);
    if (row.get('variant price') === undefined) reasons.push('missing Variant Price');
    const stock = readStock(row, hasColumn, warnings);

    let id = isSingle ? compactId(handleId) : compactId([handleId, ...chosen.map((o) => idPart(o.value))].join('/'));
    for (let n = 2; usedIds.has(id); n += 1) id = compactId(`${id}.${n}`);
    usedIds.add(id);

    const suffix = facets.others.map((o) => o.value).join(' / ');
    const record = {
      id,
      title: truncate(suffix ? `${title} - ${suffix}` : title, 150, 'title', warnings),
      description,
      link,
      imageLink: variantImages.get(row) ?? image?.src ?? null,
      // Shopify's "compare at" price is the regular one when it is higher: the variant is on sale.
      priceMinor: price && compareAt && compareAt > price ? compareAt : (price ?? 0),
      currency: options.currency,
      salePriceMinor: price && compareAt && compareAt > price ? price : null,
      availability: stock.availability,
      brand: first.get('vendor') ?? null,
      gtin: row.get('variant barcode') ?? null,
      mpn: first.get('google shopping / mpn') ?? row.get('variant sku') ?? null,
      condition: parseCondition(first.get('google shopping / condition')),
      productType: type ?? taxonomy,
      category: type ?? lastSegment(taxonomy),
      googleProductCategory: taxonomy,
      itemGroupId: isSingle ? null : compactId(handleId),
      color: facets.color,
      size: facets.size,
      gender: first.get('google shopping / gender') ?? null,
      ageGroup: first.get('google shopping / age group') ?? null,
      material: facets.material,
      rating: null,
      reviewCount: 0,
      stockQuantity: stock.quantity,
      keywords,
      attributes: Object.fromEntries(facets.others.map((o) => [o.name, o.value])),
    } satisfies ProductRecord;

    if (reasons.length > 0) {
      out.push({ kind: 'problem', line: row.line, reason: reasons.join('; '), rows: 1 });
      continue;
    }
    const checked = productRecordSchema.safeParse(record);
    if (!checked.success) {
      const why = [...new Set(checked.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`))].join('; ');
      out.push({ kind: 'problem', line: row.line, reason: why, rows: 1 });
      continue;
    }
    out.push({ kind: 'record', line: row.line, record: checked.data, warnings });
  }
  if (variants.length === 0 && refused.size === 0) {
    out.push({
      kind: 'problem',
      line: first.line,
      reason: `product ${quote(group.handle)} has no variant row (no Variant Price)`,
      rows: 1,
    });
  }
  return out;
}

const OPTION_COLUMNS = [
  ['option1 name', 'option1 value'],
  ['option2 name', 'option2 value'],
  ['option3 name', 'option3 value'],
] as const satisfies readonly (readonly [Column, Column])[];

/** Shopify's placeholder for a product without options. */
function isDefaultVariant(row: Row | undefined, optionNames: (string | undefined)[]): boolean {
  if (!row) return false;
  const value = row.get('option1 value');
  return value === undefined || (optionNames[0] === 'Title' && value === 'Default Title');
}

function readPrice(row: Row, column: Column, currency: string, reasons: string[], warnings: ImportWarning[]): number | null {
  const text = row.get(column);
  if (text === undefined) return null;
  const parsed = parsePrice(text, currency);
  if ('error' in parsed) {
    reasons.push(`${titleCase(column)} ${quote(text)} ${parsed.error.replace('"15.00 USD"', '"15.00"')}`);
    return null;
  }
  if (parsed.currency !== currency) {
    reasons.push(`${titleCase(column)} ${quote(text)} is in ${parsed.currency}, not the shop's ${currency}`);
    return null;
  }
  if (parsed.hasDecimalComma) warnings.push(decimalCommaWarning(text, parsed));
  return parsed.amountMinor;
}

/**
 * Stock from Shopify's inventory columns: a variant Shopify does not track is always for sale; a
 * tracked one is in stock with a positive quantity, else on backorder when the shop keeps selling
 * ("continue") and out of stock when it does not ("deny").
 */
function readStock(
  row: Row,
  hasColumn: ReadonlySet<string>,
  warnings: ImportWarning[],
): { availability: Availability; quantity: number | null } {
  const isTracked = hasColumn.has('variant inventory tracker') ? row.get('variant inventory tracker') !== undefined : true;
  const qtyText = row.get('variant inventory qty');
  if (!isTracked) return { availability: 'in_stock', quantity: null };
  if (qtyText === undefined || !/^-?\d+$/.test(qtyText)) {
    warnings.push({
      key: 'shopify:no-quantity',
      message:
        'no Variant Inventory Qty for a variant whose stock Shopify tracks: read as in stock (export with inventory quantities to import stock)',
    });
    return { availability: 'in_stock', quantity: null };
  }
  const qty = Number(qtyText);
  if (qty > 0) return { availability: 'in_stock', quantity: qty };
  const policy = row.get('variant inventory policy')?.toLowerCase();
  return { availability: policy === 'continue' ? 'backorder' : 'out_of_stock', quantity: 0 };
}

function titleCase(column: string): string {
  return column.replace(/(^|\s)([a-z])/g, (_m, s: string, c: string) => s + c.toUpperCase());
}
