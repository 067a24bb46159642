import { createHash } from 'node:crypto';
import type { EmbeddableProduct } from '../db/vectorRepository';

/**
 * Bump when the text recipe below changes: every stored hash then differs and the catalogue is
 * embedded again.
 */
const RECIPE_VERSION = 1;

/**
 * Description characters kept. Small embedding models read about 512 tokens well; the title and
 * attributes carry most of what a shopper asks for, and the start of a description says what the
 * product is.
 */
const DESCRIPTION_CHARS = 1200;

/** Whitespace runs (feed descriptions keep line breaks and tabs) become one space. */
function clean(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * The text a product is embedded from: what it is (title, brand, category, type), the attributes
 * shoppers ask by (colour, size, material, who it is for), then the start of its description.
 */
export function productEmbeddingText(p: EmbeddableProduct): string {
  const lines = [clean(p.title)];
  const facts: Array<[string, string | null]> = [
    ['Brand', p.brand],
    ['Category', [p.category, p.product_type === p.category ? null : p.product_type].filter(Boolean).join(' / ') || null],
    ['Colour', p.color],
    ['Size', p.size],
    ['Material', p.material],
    ['For', [p.gender, p.age_group].filter(Boolean).join(', ') || null],
  ];
  for (const [label, value] of facts) if (clean(value)) lines.push(`${label}: ${clean(value)}`);
  const description = clean(p.description);
  if (description)
    lines.push(description.length > DESCRIPTION_CHARS ? `${description.slice(0, DESCRIPTION_CHARS)}…` : description);
  return lines.join('\n');
}

/** The hash stored beside a vector: equal hashes mean the vector is still the product's. */
export function contentHash(text: string): string {
  return createHash('sha256').update(`${RECIPE_VERSION}\n${text}`).digest('hex').slice(0, 32);
}

/** A product whose vector is missing or was made from other text. */
export interface ProductToEmbed {
  id: string;
  text: string;
  hash: string;
}

/** The products of a page that need a (new) vector: new ones, and those whose text changed. */
export function productsToEmbed(page: readonly EmbeddableProduct[], stored: ReadonlyMap<string, string>): ProductToEmbed[] {
  return page.flatMap((p) => {
    const text = productEmbeddingText(p);
    const hash = contentHash(text);
    return stored.get(p.id) === hash ? [] : [{ id: p.id, text, hash }];
  });
}

/**
 * A vector cut to `dimensions` and made unit length again (Matryoshka truncation), for servers that
 * ignore the `dimensions` field. Returns the vector as float32, the index's type.
 */
export function fitVector(vector: readonly number[], dimensions: number): Float32Array {
  const kept = vector.length > dimensions ? vector.slice(0, dimensions) : vector;
  const norm = Math.sqrt(kept.reduce((sum, x) => sum + x * x, 0));
  return Float32Array.from(kept, (x) => (norm > 0 ? x / norm : 0));
}
