import { createHash } from 'node:crypto';
import { compile } from 'html-to-text';
import { neutraliseBidi } from '@aisle/shared';
import type { ProductRecord } from '../productRecord';
import type { ImportWarning } from './feedValues';

/** Value helpers of the Shopify reader: option names, categories, descriptions, ids. */

const SIZE_WORDS = new Set(['size', 'grosse', 'groesse', 'taille', 'talla', 'taglia', 'maat', 'tamano', 'storlek']);
const COLOUR_WORDS = new Set(['color', 'colour', 'farbe', 'couleur', 'colore', 'kleur', 'farge', 'farg']);
const MATERIAL_WORDS = new Set(['material', 'materiau', 'materiale']);

function words(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .split(/[^a-z]+/);
}

/** A variant's options sorted into Merchant's fields; the rest as they are. */
export interface Facets {
  size: string | null;
  color: string | null;
  material: string | null;
  others: { name: string; value: string }[];
}

/** Option names in several shop languages ("Größe", "Couleur", "Shoe size") to Merchant's fields. */
export function variantFacets(options: { name: string; value: string }[]): Facets {
  const facets: Facets = { size: null, color: null, material: null, others: [] };
  for (const o of options) {
    const w = words(o.name);
    if (facets.size === null && w.some((x) => SIZE_WORDS.has(x))) facets.size = o.value;
    else if (facets.color === null && w.some((x) => COLOUR_WORDS.has(x))) facets.color = o.value;
    else if (facets.material === null && w.some((x) => MATERIAL_WORDS.has(x))) facets.material = o.value;
    else facets.others.push(o);
  }
  return facets;
}

/** Merchant's condition from the "Google Shopping / Condition" column. */
export function parseCondition(value: string | undefined): ProductRecord['condition'] {
  const c = value?.toLowerCase();
  return c === 'new' || c === 'refurbished' || c === 'used' ? c : null;
}

/** "Apparel & Accessories > Shoes > Sneakers" to "Sneakers": the most specific name is what shoppers say. */
export function lastSegment(path: string | null): string | null {
  const last = path?.split('>').at(-1)?.trim();
  return last ? last : null;
}

/** Cuts text to a record limit (Shopify allows longer titles than Merchant), with a warning. */
export function truncate(text: string, max: number, what: string, warnings: ImportWarning[]): string {
  if (text.length <= max) return text;
  warnings.push({
    key: `shopify:long-${what}`,
    message: `${what}s longer than ${max.toLocaleString('en-US')} characters were cut`,
  });
  return `${text.slice(0, max - 1).trimEnd()}…`;
}

// Compiled once: html-to-text builds its formatter per options object, which costs per product otherwise.
const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/**
 * Shopify's Body (HTML) as plain text: entities decoded, paragraphs and list items kept on their own
 * lines, scripts, styles and images dropped, link targets left out (only http(s) links are ever shown).
 */
export function htmlToText(html: string): string {
  if (html.trim() === '') return '';
  return neutraliseBidi(toText(html))
    .replace(/[\u00A0\u202F]/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An id segment: lower-case letters, digits and dashes, which product links (`product:ID`) accept. */
export function idPart(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || shortHash(text);
}

/** Ids are at most 50 characters: a longer one keeps its start and a hash of the whole. */
export function compactId(id: string): string {
  return id.length <= 50 ? id : `${id.slice(0, 41)}.${shortHash(id)}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
