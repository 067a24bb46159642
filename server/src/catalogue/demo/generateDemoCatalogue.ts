import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Availability } from '@aisle/shared';
import { capitalise, expand, Rng, type TemplateVars } from './demoEngine';
import { COLOUR_CODES, DEMO_CATEGORIES, MODEL_NAMES, MODEL_SUFFIXES, type Gender, type ProductLine } from './demoLines';

/**
 * Generates Aisle's demo catalogue ("Aisle Outfitters") as Google Merchant rows. Deterministic: the
 * same seed always writes the same file, so the shipped demo-catalogue.jsonl can be regenerated and
 * checked. Run: `npx tsx server/src/catalogue/demo/generateDemoCatalogue.ts`.
 */

/** One feed row in Merchant attribute names plus Aisle's extensions (rating, review_count, quantity). */
export interface DemoFeedRow {
  id: string;
  title: string;
  description: string;
  price: string;
  sale_price?: string;
  availability: Availability;
  brand: string;
  mpn: string;
  condition: 'new';
  product_type: string;
  google_product_category: string;
  item_group_id?: string;
  color?: string;
  size?: string;
  gender?: Gender;
  age_group: 'adult' | 'kids';
  material: string;
  rating?: number;
  review_count: number;
  quantity: number;
}

export const DEMO_SEED = 20_240_611;

/** Where the generated catalogue is written (and read from by the server). */
export const DEMO_CATALOGUE_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo-catalogue.jsonl');

/**
 * Trail shoes pinned for the headline query "waterproof trail shoes under $120, size 44": all
 * waterproof, priced on both sides of $120 (one only under it on sale), size 44 in stock for some.
 */
const PINNED_TRAIL_SHOES: ReadonlyArray<{ price: number; sale?: number; size44: Availability }> = [
  { price: 8999, size44: 'in_stock' },
  { price: 10499, size44: 'out_of_stock' },
  { price: 11495, size44: 'in_stock' },
  { price: 11999, size44: 'in_stock' },
  { price: 12499, size44: 'in_stock' },
  { price: 13999, sale: 10999, size44: 'in_stock' },
  { price: 9900, size44: 'backorder' },
  { price: 15999, size44: 'in_stock' },
  { price: 7499, size44: 'out_of_stock' },
];

const SHOE_SIZES: Record<Gender, string[]> = {
  male: ['40', '41', '42', '43', '44', '45', '46', '47'],
  female: ['38', '39', '40', '41', '42', '43'],
  unisex: ['38', '39', '40', '41', '42', '43', '44', '45', '46', '47'],
};
const APPAREL_SIZES: Record<Gender, string[]> = {
  male: ['S', 'M', 'L', 'XL', 'XXL'],
  female: ['XS', 'S', 'M', 'L', 'XL'],
  unisex: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
};
const GENDER_PREFIX: Record<Gender, string> = { male: 'Men\u2019s ', female: 'Women\u2019s ', unisex: '' };

function formatPrice(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')} USD`;
}

/** A shop-like price: whole dollars in range, ending .99 most often. */
function shopPrice(rng: Rng, [min, max]: readonly [number, number]): number {
  const dollars = rng.int(min, max);
  const cents = rng.pick([99, 99, 99, 95, 0, 50]);
  return dollars * 100 + cents;
}

/** Lower-cases words for use mid-sentence, keeping acronyms (GPS, MTB) and letter prefixes (D-Lock). */
function inSentence(text: string): string {
  return text
    .split(' ')
    .map((w) => (/^[A-Z0-9]{2,}$/.test(w) || /^[A-Z]-/.test(w) ? w : w.toLowerCase()))
    .join(' ');
}

const PLURAL_NOUN = /(Earbuds|Headphones|Poles|Tights|Shorts|Socks|Leggings)$/;

/** Entries that suit this noun: untagged ones, or those whose "[A,B] " tag names a word in it. */
function forNoun(items: readonly string[], noun: string, code: string): string[] {
  const fitting = items.flatMap((item) => {
    const tag = /^\[([^\]]+)\]\s*/.exec(item);
    if (!tag) return [item];
    const keys = (tag[1] ?? '').split(',').map((k) => k.trim());
    return keys.some((k) => noun.includes(k)) ? [item.slice(tag[0].length)] : [];
  });
  if (fitting.length === 0) throw new Error(`${code}: nothing in a list suits "${noun}"`);
  return fitting;
}

function sizeCode(size: string): string {
  return (size.split(' (')[0] ?? size).toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function colourCode(colour: string): string {
  return (
    COLOUR_CODES[colour] ??
    colour
      .split(/\s+/)
      .map((w) => w.slice(0, 3))
      .join('')
      .slice(0, 3)
      .toUpperCase()
  );
}

function reviews(rng: Rng): { rating?: number; review_count: number } {
  if (rng.chance(0.07)) return { review_count: 0 };
  const reviewCount = Math.floor(Math.exp(rng.next() * 7.4));
  // Skewed towards 4+ like real shops, with a few poorly rated products.
  const rating = Math.round((3.1 + 1.8 * Math.sqrt(rng.next())) * 10) / 10;
  return { rating: Math.min(rating, 4.9), review_count: Math.max(reviewCount, 1) };
}

function sizesFor(line: ProductLine, gender: Gender | undefined): Array<string | undefined> {
  switch (line.variants.kind) {
    case 'shoe':
      return SHOE_SIZES[gender ?? 'unisex'];
    case 'apparel':
      return APPAREL_SIZES[gender ?? 'unisex'];
    case 'sizes':
      return [...line.variants.sizes];
    case 'none':
      return [undefined];
  }
}

interface GroupContext {
  rng: Rng;
  usedNames: Set<string>;
}

function generateGroup(
  line: ProductLine,
  category: { name: string; intros: readonly string[] },
  index: number,
  ctx: GroupContext,
): DemoFeedRow[] {
  const { rng } = ctx;
  const pinned = line.code === 'TRL' ? PINNED_TRAIL_SHOES[index] : undefined;
  const groupId = `${line.code}-${1001 + index}`;

  let brand = rng.pick(line.brands);
  let modelName = `${rng.pick(MODEL_NAMES)}${rng.pick(MODEL_SUFFIXES)}`;
  while (ctx.usedNames.has(`${brand}|${modelName}`)) {
    brand = rng.pick(line.brands);
    modelName = `${rng.pick(MODEL_NAMES)}${rng.pick(MODEL_SUFFIXES)}`;
  }
  ctx.usedNames.add(`${brand}|${modelName}`);

  let gender: Gender | undefined = line.genders ? rng.pick(line.genders) : undefined;
  if (pinned && gender === 'female') gender = 'male';
  const qualifier = pinned ? line.qualifiers?.[0] : line.qualifiers?.find((q) => rng.chance(q.p));
  const noun = rng.pick(line.nouns);
  const fitting = (items: readonly string[]) => forNoun(items, noun, line.code);
  const params = line.params?.(rng, noun) ?? {};
  const adj = rng.pick(fitting(line.adjs));
  const material = rng.pick(fitting(line.materials));
  // Plural nouns read naturally after "a"/"this" as "a pair of ...".
  const isPlural = PLURAL_NOUN.test(noun);
  const nounInSentence = inSentence(`${qualifier ? `${qualifier.word} ` : ''}${noun}`);

  const base: Record<string, string> = {
    ...params,
    brand,
    model: modelName,
    material: inSentence(material),
    Material: material,
    genderPrefix: gender ? GENDER_PREFIX[gender] : '',
    qualifier: qualifier ? `${qualifier.word} ` : '',
    noun: isPlural ? `pair of ${nounInSentence}` : nounInSentence,
    Noun: noun,
    aOur: isPlural ? 'Our' : rng.pick(['A', 'Our']),
    use: rng.pick(fitting(line.uses)),
    adj,
    Adj: capitalise(adj.replace(/^an? /, '')),
  };
  const hooks = fitting(line.hooks);
  if (hooks.length < 2) throw new Error(`${line.code}: "${noun}" needs at least two hooks`);
  const [hookA, hookB] = rng.sample(hooks, 2);
  const vars: TemplateVars = {
    ...base,
    hook: expand(hookA ?? '', rng, base),
    hook2: expand(hookB ?? '', rng, base),
  };

  const titleTemplate = line.title ?? '{$brand} {$model} {$genderPrefix}{$qualifier}{$noun}';
  const title = expand(titleTemplate.replace('{$noun}', '{$Noun}'), rng, vars);

  const sentences = [expand(rng.pick(category.intros), rng, vars)];
  if (qualifier) sentences.push(expand(rng.pick(qualifier.facts), rng, vars));
  const factCount = qualifier ? rng.int(0, 1) : rng.int(1, 2);
  for (const fact of rng.sample(fitting(line.facts), factCount)) sentences.push(expand(fact, rng, vars));
  const description = sentences.join(' ');

  const range = Object.entries(line.prices ?? {}).find(([key]) => noun.includes(key))?.[1] ?? line.price;
  const basePrice = pinned?.price ?? shopPrice(rng, range);
  const salePct = pinned ? 0 : rng.chance(0.14) ? rng.int(10, 35) : 0;
  const groupMode = pinned ? 'normal' : rng.chance(0.025) ? 'preorder' : 'normal';
  const review = groupMode === 'preorder' ? { review_count: 0 } : reviews(rng);

  const colours = rng.sample(line.palette, rng.int(line.colors[0], line.colors[1]));
  const sizes = sizesFor(line, gender);
  const isSingle = colours.length === 1 && sizes.length === 1;
  const rows: DemoFeedRow[] = [];
  for (const colour of colours) {
    sizes.forEach((size, sizeIndex) => {
      const price = basePrice + (line.pricePerSizeStep ?? 0) * 100 * sizeIndex;
      let salePrice: number | undefined;
      if (pinned?.sale) salePrice = pinned.sale;
      else if (salePct > 0) salePrice = Math.max(Math.floor((price * (100 - salePct)) / 10000) * 100 - 1, 99);

      const isEdgeSize = sizeIndex === 0 || sizeIndex === sizes.length - 1;
      let availability: Availability;
      if (groupMode === 'preorder') availability = 'preorder';
      else if (pinned && size === '44') availability = pinned.size44;
      else {
        const roll = rng.next();
        const outOfStock = isEdgeSize && sizes.length > 2 ? 0.2 : 0.09;
        availability = roll < outOfStock ? 'out_of_stock' : roll < outOfStock + 0.03 ? 'backorder' : 'in_stock';
      }
      const quantity = availability === 'in_stock' ? rng.int(1, isEdgeSize ? 12 : 60) : 0;

      const idParts = [groupId, size ? sizeCode(size) : null, colours.length > 1 || size ? colourCode(colour) : null];
      const id = isSingle ? groupId : idParts.filter((p): p is string => p !== null).join('-');
      const brandCode = brand
        .replace(/[^A-Za-z]/g, '')
        .slice(0, 3)
        .toUpperCase();
      rows.push({
        id,
        title,
        description,
        price: formatPrice(price),
        ...(salePrice !== undefined && salePrice < price ? { sale_price: formatPrice(salePrice) } : {}),
        availability,
        brand,
        mpn: `${brandCode}-${id.replaceAll('-', '')}`,
        condition: 'new',
        product_type: `${category.name} > ${line.sub}`,
        google_product_category: line.gpc,
        ...(isSingle ? {} : { item_group_id: groupId }),
        color: colour,
        ...(size ? { size } : {}),
        ...(gender ? { gender } : {}),
        age_group: line.ageGroup ?? 'adult',
        material,
        ...(review.rating !== undefined ? { rating: review.rating } : {}),
        review_count: review.review_count,
        quantity,
      });
    });
  }
  return rows;
}

/** The whole demo catalogue, in a stable order. */
export function generateDemoCatalogue(seed = DEMO_SEED): DemoFeedRow[] {
  const ctx: GroupContext = { rng: new Rng(seed), usedNames: new Set() };
  const rows: DemoFeedRow[] = [];
  for (const category of DEMO_CATEGORIES) {
    for (const line of category.lines) {
      for (let i = 0; i < line.count; i += 1) rows.push(...generateGroup(line, category, i, ctx));
    }
  }
  return rows;
}

/** The catalogue as JSON Lines text, exactly as shipped. */
export function renderDemoCatalogue(rows: readonly DemoFeedRow[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const rows = generateDemoCatalogue();
  fs.writeFileSync(DEMO_CATALOGUE_PATH, renderDemoCatalogue(rows));
  const groups = new Set(rows.map((r) => r.item_group_id ?? r.id)).size;
  process.stdout.write(`Wrote ${rows.length} rows (${groups} products) to ${DEMO_CATALOGUE_PATH}\n`);
}
