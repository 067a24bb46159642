import type { ProductSearch } from '@aisle/shared';
import type { AisleConfig } from '../config/configSchema';
import { productQueryTerms } from '../db/fts';
import type { ProductHit, ProductRepository, VocabularyTerm } from '../db/productRepository';
import { fuseByGroup } from './fusion';
import { closestTerm, createSpellingIndex, type SpellingIndex } from './spelling';
import { BUILT_IN_SYNONYMS, createSynonymTable, type SynonymTable } from './synonyms';

/** Who searched: the server before the first model call, the model's tool, or `GET /api/products`. */
export type SearchOrigin = 'prefetch' | 'tool' | 'api';

/**
 * A catalogue search: the filters and words of {@link ProductSearch}, who asked, and the language of
 * the shopper's page (a BCP 47 tag such as `de` or `zh-CN`) when a shopper's question is searched.
 */
export type CatalogueSearchParams = ProductSearch & { origin: SearchOrigin; locale?: string | undefined };

/**
 * Whether misspelt words are corrected for a search: only when the shopper writes in the catalogue's
 * language (or no language is known, as for `GET /api/products`). Correction replaces a word the
 * catalogue lacks with the nearest catalogue word; in another language such a word is nearly always a
 * correct word of that language, and the nearest English word is unrelated ("Wandern" → "lantern",
 * "trocken" → "socken"), which would show the wrong products and tell the shopper "Showing results
 * for lantern". Those words are searched as written, and semantic search (when on) still finds
 * products across languages.
 */
export function isCorrectingSpelling(locale: string | undefined, catalogueLanguage: string): boolean {
  if (locale === undefined) return true;
  return locale.split(/[-_]/)[0]?.toLowerCase() === catalogueLanguage.toLowerCase();
}

/** What a search found, and the query it searched for when it corrected the shopper's spelling. */
export interface CatalogueSearchResult {
  hits: ProductHit[];
  /** The query with misspelt words replaced ("jacket" for "jaket"); absent when nothing was corrected. */
  correctedQuery?: string;
  mode: 'lexical' | 'hybrid';
}

/**
 * Nearest products by meaning, filters applied, best first (smaller distance is nearer), or null when
 * semantic search takes no part in this query (no model, index not ready, the query could not be
 * embedded): then the search is lexical and says so.
 */
export type SemanticSearch = (
  query: string,
  filters: ProductSearch,
  k: number,
) => Promise<Array<{ id: string; distance: number }> | null>;

/** Words of other languages' questions ("ich suche eine …") that name no product. */
const QUESTION_WORDS = new Set(
  'ich suche eine einen einem ein der die das den dem des zum zur und oder mit für fur ohne unter über haben sie gibt es wir mir mich bitte welche welcher gut gute guten yo busco una unos unas el la los las y o con sin para por menos más tienen hay algo je cherche une des le les et ou avec sans pour moins'.split(
    ' ',
  ),
);

const DEFAULT_LIMIT = 8;

/** One query term as searched: the shopper's words and the alternatives any of which may match. */
interface QueryUnit {
  words: string[];
  /** What the shopper wrote, or the word searched instead of a misspelt one. */
  own: string;
  /** `own` and its synonyms. */
  alternatives: string[];
  /** The word searched instead of a misspelt one. */
  correction?: string;
}

/**
 * The one catalogue search behind the pre-answer search, the model's `search_products` tool and
 * `GET /api/products`: FTS5 with porter stemming, synonyms expanded at query time (built-in groups
 * plus `search.synonyms`, read per search so a config edit applies at once), and misspelt words
 * corrected against the catalogue's own vocabulary. A `semantic` search, when given, is fused in.
 */
export function createCatalogueSearch(deps: {
  products: ProductRepository;
  config: () => {
    config: { search: Pick<AisleConfig['search'], 'synonyms'> & Partial<Pick<AisleConfig['search'], 'catalogueLanguage'>> };
  };
  semantic?: SemanticSearch;
}) {
  let synonymsCache: { source: AisleConfig['search']['synonyms']; table: SynonymTable } | null = null;
  let spellingCache: { vocabulary: readonly VocabularyTerm[]; table: SynonymTable; index: SpellingIndex } | null = null;
  const surfaceCache = new Map<string, string>();

  const synonyms = (): SynonymTable => {
    const source = deps.config().config.search.synonyms;
    if (synonymsCache?.source !== source)
      synonymsCache = { source, table: createSynonymTable([...BUILT_IN_SYNONYMS, ...source]) };
    return synonymsCache.table;
  };

  const spelling = async (table: SynonymTable): Promise<SpellingIndex> => {
    // The repository returns the same array until the catalogue changes.
    const vocabulary = await deps.products.vocabulary();
    if (spellingCache?.vocabulary !== vocabulary || spellingCache.table !== table) {
      spellingCache = { vocabulary, table, index: createSpellingIndex(vocabulary, table.words()) };
      surfaceCache.clear();
    }
    return spellingCache.index;
  };

  /** Splits the query into units and corrects words neither the catalogue nor a synonym group knows. */
  async function understand(q: string, isCorrecting: boolean): Promise<QueryUnit[]> {
    const table = synonyms();
    const words = productQueryTerms(q).filter((w) => !QUESTION_WORDS.has(w));
    const units: QueryUnit[] = [];
    for (const unit of table.units(words)) {
      const own = unit.words.join(' ');
      if (unit.alternatives) {
        units.push({ words: unit.words, own, alternatives: unit.alternatives });
        continue;
      }
      if (await deps.products.hasMatch(own)) {
        units.push({ words: unit.words, own, alternatives: [own] });
        continue;
      }
      const found = isCorrecting ? closestTerm(await spelling(table), own) : null;
      // The vocabulary also holds words only gone products have: never correct to a word nothing live has.
      const target = found && (found.source !== 'catalogue' || (await deps.products.hasMatch(found.term))) ? found : null;
      if (!target) {
        units.push({ words: unit.words, own, alternatives: [own] });
        continue;
      }
      let surface = target.term;
      if (target.source === 'catalogue') {
        const cached = surfaceCache.get(target.term);
        surface = cached ?? (await deps.products.surfaceForm(target.term)) ?? target.term;
        surfaceCache.set(target.term, surface);
      }
      // "sneekers" was matched as "sneeker": show "sneakers", not "sneaker".
      const correction = target.isPlural && !surface.endsWith('s') ? `${surface}s` : surface;
      // The corrected word may have synonyms of its own ("rucksak" -> rucksack -> backpack).
      units.push({ words: unit.words, own: correction, alternatives: table.groupOf(surface) ?? [correction], correction });
    }
    return units;
  }

  /** The shopper's query with each corrected word replaced, as typed otherwise. */
  function correctedText(q: string, units: readonly QueryUnit[]): string | undefined {
    const corrections = units.flatMap((u) => (u.correction && u.words[0] ? [[u.words[0], u.correction] as const] : []));
    if (corrections.length === 0) return undefined;
    let text = q;
    for (const [from, to] of corrections)
      text = text.replace(
        new RegExp(`(?<![\\p{L}\\p{N}])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu'),
        to,
      );
    return text;
  }

  /**
   * Products for the shopper's own words (corrected) first, then for their synonyms: a synonym that is
   * rarer in the catalogue than the shopper's word would otherwise outrank it (bm25 favours rare
   * terms), and "jacket" would find coated kettlebells before jackets.
   */
  async function lexical(f: ProductSearch, isCorrecting: boolean): Promise<{ hits: ProductHit[]; correctedQuery?: string }> {
    const q = f.q?.trim() ?? '';
    const units = q ? await understand(q, isCorrecting) : [];
    if (units.length === 0) return { hits: await deps.products.search({ ...f, q: undefined }) };
    const correctedQuery = correctedText(q, units);
    const done = (hits: ProductHit[]) => (correctedQuery === undefined ? { hits } : { hits, correctedQuery });
    const expanded = units.map((u) => u.alternatives);
    if (units.every((u) => u.alternatives.length === 1)) return done(await deps.products.searchTerms(f, expanded));
    const limit = f.limit ?? DEFAULT_LIMIT;
    const own = await deps.products.searchTerms(
      f,
      units.map((u) => [u.own]),
      { widen: false },
    );
    if (own.length >= limit) return done(own);
    const more = await deps.products.searchTerms(f, expanded);
    const groups = new Set(own.map((h) => h.row.item_group_id ?? h.row.id));
    return done([...own, ...more.filter((h) => !groups.has(h.row.item_group_id ?? h.row.id))].slice(0, limit));
  }

  async function hybrid(
    f: ProductSearch,
    semantic: SemanticSearch,
    q: string,
    isCorrecting: boolean,
  ): Promise<CatalogueSearchResult> {
    const limit = f.limit ?? DEFAULT_LIMIT;
    // Both sides look deeper than the page: fusion needs the runners-up.
    const depth = Math.min(50, Math.max(limit * 3, 24));
    // Variants of one product sit side by side in vector space: ask for more to fill `depth` groups.
    const [lex, near] = await Promise.all([lexical({ ...f, limit: depth }, isCorrecting), semantic(q, f, depth * 4)]);
    const corrected = lex.correctedQuery === undefined ? {} : { correctedQuery: lex.correctedQuery };
    if (near === null) return { hits: lex.hits.slice(0, limit), mode: 'lexical', ...corrected };
    const rows = new Map(lex.hits.map((h) => [h.row.id, h.row]));
    const missing = near.map((n) => n.id).filter((id) => !rows.has(id));
    for (const row of await deps.products.getByIds(missing)) rows.set(row.id, row);
    return { hits: fuseByGroup(lex.hits, near, rows, limit), mode: 'hybrid', ...corrected };
  }

  return {
    /**
     * Searches the catalogue. `score` is bm25 (lower is better) in lexical mode and the fused
     * reciprocal-rank score (higher is better) in hybrid mode; hits are best first either way.
     */
    async search(params: CatalogueSearchParams): Promise<CatalogueSearchResult> {
      const { origin: _origin, locale, ...f } = params;
      const isCorrecting = isCorrectingSpelling(locale, deps.config().config.search.catalogueLanguage ?? 'en');
      const q = f.q?.trim() ?? '';
      if (deps.semantic && q) return hybrid(f, deps.semantic, q, isCorrecting);
      return { ...(await lexical(f, isCorrecting)), mode: 'lexical' };
    },
  };
}

export type CatalogueSearch = ReturnType<typeof createCatalogueSearch>;
