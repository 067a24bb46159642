/**
 * Budget and size phrases in the shop's four UI languages (English, German, Spanish, Chinese): the
 * one parser behind the constraint chips (`shopperConstraints.ts`), the server's search before the
 * first model call and the facet suggestions. Pure.
 *
 * Decisions, pinned by the tables in `shopperPhrases.test.ts`:
 * - The budget words are closed lists per language, before the amount ("under $120", "unter 120 €",
 *   "menos de 100 dólares", "低于100") or, in Chinese, after it ("80美元以下").
 * - Bare "bis"/"hasta" are left out: "Größe 42 bis 44" is a size range, not a budget.
 * - A unit after the number makes it no price ("under 2 kg", "unter 2 kg").
 * - "around $60" / "etwa 60 €" / "alrededor de 60" / "60美元左右" is a range of ±20 % (48 to 72).
 */

/** A phrase found in the text: what it says and where, so its words are not read as product words. */
export interface PhraseMatch<T> {
  value: T;
  index: number;
  length: number;
}

/** Not inside a word ("über" and "máximo" start with letters `\b` does not know). */
const START = String.raw`(?<![\p{L}\p{N}])`;
const END = String.raw`(?![\p{L}\p{N}])`;
/** Currency words after an amount, in the four languages. */
const CURRENCY_AFTER = String.raw`(?:\s?(?:€|\$|bucks|dollars?|usd|euros?|eur|gbp|quid|pounds?|dólares|dólar|libras?)${END})?`;
/** A price as shoppers write it: "$120", "89.50", "89,50 €", "100 dólares". */
const AMOUNT = String.raw`(?:[$€£]\s?)?(\d+(?:[.,]\d{1,2})?)${CURRENCY_AFTER}`;
/** A price in Chinese text: "80美元", "¥150元"; the currency word is optional. */
const ZH_AMOUNT = String.raw`(?:[$€£¥]\s?)?(\d+(?:[.,]\d{1,2})?)\s*(?:美元|美金|欧元|元|块)?`;

const MAX_WORDS = [
  // English
  'under',
  'below',
  'less than',
  'max(?:imum)?',
  'up to',
  'cheaper than',
  'no more than',
  'at most',
  'within',
  'budget(?: is| of)?:?',
  // German
  'unter',
  'höchstens',
  'maximal',
  'bis zu',
  'weniger als',
  'nicht mehr als',
  'günstiger als',
  'billiger als',
  // Spanish
  'menos de',
  'por debajo de',
  'como máximo',
  'máximo',
  'no más de',
  'más barat[oa]s? que',
].join('|');
const MIN_WORDS = [
  'over',
  'above',
  'more than',
  'at least',
  'min(?:imum)?',
  'starting at',
  'über',
  'mehr als',
  'mindestens',
  'más de',
  'por encima de',
  'al menos',
].join('|');
const AROUND_WORDS = [
  'around',
  'about',
  'roughly',
  'approximately',
  'approx\\.?',
  '~',
  'etwa',
  'ungefähr',
  'circa',
  'ca\\.',
  'rund',
  'alrededor de',
  'aproximadamente',
  'cerca de',
].join('|');

const iu = (source: string) => new RegExp(source, 'iu');
const BETWEEN = iu(String.raw`${START}(?:between|from|zwischen|entre)\s+${AMOUNT}\s*(?:and|to|und|bis|y|-|–)\s*${AMOUNT}`);
const DASH_RANGE = iu(String.raw`[$€£]\s?(\d+(?:[.,]\d{1,2})?)\s*(?:-|–|to|bis|a)\s*${AMOUNT}`);
const ZH_RANGE = iu(String.raw`${ZH_AMOUNT}\s*(?:到|至|-|–)\s*${ZH_AMOUNT}\s*(?:之间)`);
const AROUND = [iu(String.raw`${START}(?:${AROUND_WORDS})\s*${AMOUNT}`), iu(String.raw`${ZH_AMOUNT}\s*左右`)];
const MAX = [
  iu(String.raw`${START}(?:${MAX_WORDS})\s*${AMOUNT}`),
  iu(String.raw`(?:低于|不超过|少于|不到|最多)\s*${ZH_AMOUNT}`),
  iu(String.raw`${ZH_AMOUNT}\s*(?:以下|以内|之内)`),
];
const MIN = [
  iu(String.raw`${START}(?:${MIN_WORDS})\s*${AMOUNT}`),
  iu(String.raw`(?<!不)(?:高于|超过|至少)\s*${ZH_AMOUNT}`),
  iu(String.raw`${ZH_AMOUNT}\s*以上`),
];
/** A unit after a number: a weight, length, time or count, never a price ("under 2 kg", "2公斤以下"). */
const UNIT_AFTER =
  /^\s*(?:kg|g|grams?|gramm|gramos|lbs?|pounds? (?:of|in weight)|l|litres?|liters?|liter|litros?|ml|mm|cm|m|km|miles?|hours?|hrs?|h|stunden|horas?|minutes?|mins?|minuten|minutos|years?|yrs?|jahre?|años?|degrees?|°|people|persons?|personen|personas|watts?|w)(?![\p{L}\p{N}])/iu;

const SIZE_WORDS: Record<string, string> = { small: 'S', medium: 'M', large: 'L', 'x-large': 'XL', 'extra large': 'XL' };
const SIZE = [
  iu(
    String.raw`${START}(?:size|größe|grösse|talla|número|numero)\s*:?\s*(?:eu|us|uk)?\s*(x-large|extra large|small|medium|large|[a-z0-9.]{1,5})${END}`,
  ),
  iu(String.raw`${START}(?:eu|us|uk)\s?(\d{1,2}(?:[.,]5)?)${END}`),
  /(?:尺码|码数)\s*([A-Za-z0-9.]{1,5})/u,
  /(\d{2}(?:\.5)?)\s*码/u,
];

const amount = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s.replace(',', '.')));
const round2 = (n: number) => Math.round(n * 100) / 100;

/** The first match of any pattern that is a price (no unit after it). */
function priceMatch(patterns: readonly RegExp[], text: string): RegExpExecArray | null {
  for (const re of patterns) {
    const m = re.exec(text);
    if (m && !UNIT_AFTER.test(text.slice(m.index + m[0].length))) return m;
  }
  return null;
}

const found = <T>(m: RegExpExecArray, value: T): PhraseMatch<T> => ({ value, index: m.index, length: m[0].length });

/** The price range a shopper's words set, in any of the four languages; empty when none. */
export function readBudget(text: string): PhraseMatch<{ priceMin?: number; priceMax?: number }>[] {
  const range = priceMatch([BETWEEN, DASH_RANGE, ZH_RANGE], text);
  const [low, high] = [amount(range?.[1]), amount(range?.[2])];
  if (range && low !== undefined && high !== undefined)
    return [found(range, { priceMin: Math.min(low, high), priceMax: Math.max(low, high) })];
  const around = priceMatch(AROUND, text);
  const middle = amount(around?.[1]);
  if (around && middle !== undefined) return [found(around, { priceMin: round2(middle * 0.8), priceMax: round2(middle * 1.2) })];
  const out: PhraseMatch<{ priceMin?: number; priceMax?: number }>[] = [];
  const max = priceMatch(MAX, text);
  const min = priceMatch(MIN, text);
  if (min?.[1] !== undefined) out.push(found(min, { priceMin: Number(min[1].replace(',', '.')) }));
  if (max?.[1] !== undefined) out.push(found(max, { priceMax: Number(max[1].replace(',', '.')) }));
  return out;
}

/** The size a shopper's words ask for ("size 44", "Größe M", "talla 42", "44码", "EU 42"), if any. */
export function readSize(text: string): PhraseMatch<string> | undefined {
  for (const re of SIZE) {
    const m = re.exec(text);
    if (m?.[1] === undefined) continue;
    const s = m[1].toLowerCase();
    return found(m, SIZE_WORDS[s] ?? s.replace(',', '.').toUpperCase());
  }
  return undefined;
}

/** The budget and size the shopper's words set, as one object (the search's and suggestions' view). */
export function readBudgetAndSize(text: string): { priceMin?: number; priceMax?: number; size?: string } {
  const out: { priceMin?: number; priceMax?: number; size?: string } = {};
  for (const m of readBudget(text)) Object.assign(out, m.value);
  const size = readSize(text)?.value;
  if (size !== undefined) out.size = size;
  return out;
}

/** Words of German and Spanish questions that name no product ("ich suche", "de", "para"). */
export const OTHER_LANGUAGE_FILLER = new Set(
  'ich suche eine einen einem ein der die das den dem des zum zur und oder mit für fur ohne haben sie gibt es wir mir mich bitte welche welcher gut gute guten auch noch dollar euro yo busco una unos unas el la los las con sin para por tienen hay algo de del dólares euros'.split(
    ' ',
  ),
);

/**
 * German, Spanish and Chinese words that point back at what was shown ("günstiger", "diese", "esas",
 * "这些"): the message is about the same products.
 */
export const OTHER_LANGUAGE_REFERS_BACK =
  /(?<![\p{L}\p{N}])(?:günstiger|billiger|größer|kleiner|andere[nms]?|gleiche[nms]?|diese[nrsm]?|stattdessen|más barat[oa]s?|más grandes?|más pequeñ[oa]s?|otr[oa]s?|es[oa]s|mism[oa]s?|en cambio)(?![\p{L}\p{N}])|这些|那些|便宜|其他|别的|同样|更大|更小/iu;
