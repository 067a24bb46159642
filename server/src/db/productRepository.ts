/**
 * The product repository: the only code that reads or writes catalogue rows. Over 350 lines because
 * its hot queries are hand-written prepared statements (search ranked inside FTS, cards, offers), in
 * SQLite's and PostgreSQL's words where they differ; the next cut is the search SQL into its own file
 * beside `fts.ts`.
 */
import type { Selectable } from 'kysely';
import { availabilitySchema, type ProductCard, type ProductSearch } from '@aisle/shared';
import type { ProductRecord } from '../catalogue/productRecord';
import { nowIso, step, type Database, type Dialect, type SqlSteps } from './database';
import { productMatchFromTerms, productMatchQuery, type MatchSyntax } from './fts';
import { PRODUCT_RANK_WEIGHTS, TS_CONFIG, quoteTsLexeme } from './postgresSearch';
import type { ProductsTable } from './schema';

export type ProductRow = Selectable<ProductsTable>;

/** A search hit: the row that matched best in its variant group. */
export interface ProductHit {
  row: ProductRow;
  score: number;
}

/** What a product offers now: the part of a card that changes from day to day. */
export type ProductOffer = Pick<ProductCard, 'price' | 'salePrice' | 'availability'>;

/** A term of the products index and the number of products that contain it. */
export interface VocabularyTerm {
  term: string;
  docs: number;
}

/** Candidates considered before grouping and ranking: bounds the cost of broad queries. */
const CANDIDATE_CAP = 400;
/** Rows per upsert statement on PostgreSQL (30 parameters each, far below its limit of 65,535). */
const UPSERT_ROWS_PER_STATEMENT = 100;
const DEFAULT_LIMIT = 8;

/** The source of products imported with `pnpm catalogue import` (and anything else not from a feed). */
export const IMPORT_SOURCE = 'import';
/** The source of the built-in demo catalogue. */
export const DEMO_SOURCE = 'demo';

/** Maps a validated record to its row (live, from `source`). */
export function toRow(r: ProductRecord, updatedAt: string, source: string = IMPORT_SOURCE): ProductRow {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    link: r.link,
    image_link: r.imageLink,
    price_minor: r.priceMinor,
    currency: r.currency,
    sale_price_minor: r.salePriceMinor,
    availability: r.availability,
    brand: r.brand,
    gtin: r.gtin,
    mpn: r.mpn,
    condition: r.condition,
    product_type: r.productType,
    category: r.category,
    google_product_category: r.googleProductCategory,
    item_group_id: r.itemGroupId,
    color: r.color,
    size: r.size,
    gender: r.gender,
    age_group: r.ageGroup,
    material: r.material,
    rating: r.rating,
    review_count: r.reviewCount,
    stock_quantity: r.stockQuantity,
    updated_at: updatedAt,
    source,
    gone_at: null,
    keywords: r.keywords && r.keywords.length > 0 ? JSON.stringify(r.keywords) : null,
    attributes: r.attributes && Object.keys(r.attributes).length > 0 ? JSON.stringify(r.attributes) : null,
  };
}

function splitDistinct(list: string | null): string[] {
  if (!list) return [];
  return [...new Set(list.split('\u001f').filter((s) => s.length > 0))];
}

/** FTS5 weights per column: title, brand, category, product_type, color, material, description. */
const BM25 = 'bm25(products_fts, 10.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0)';

/** A search's SQL with its parameters in order. */
interface BoundSql {
  text: string;
  params: unknown[];
}

/** Every column of `products`, in table order (the upsert names each one). */
export const PRODUCT_COLUMNS = [
  'id',
  'title',
  'description',
  'link',
  'image_link',
  'price_minor',
  'currency',
  'sale_price_minor',
  'availability',
  'brand',
  'gtin',
  'mpn',
  'condition',
  'product_type',
  'category',
  'google_product_category',
  'item_group_id',
  'color',
  'size',
  'gender',
  'age_group',
  'material',
  'rating',
  'review_count',
  'stock_quantity',
  'updated_at',
  'source',
  'gone_at',
  'keywords',
  'attributes',
] as const satisfies ReadonlyArray<keyof ProductRow>;
/** Fails to compile when `products` gains a column the list above does not name. */
const _everyColumnNamed: [Exclude<keyof ProductRow, (typeof PRODUCT_COLUMNS)[number]>] extends [never] ? true : never = true;

/** `?, ?, ?` for an `IN` list. */
function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * One search pass as one statement. Candidates are ranked and limited inside the FTS table before any
 * `products` row is read (bm25 over every match joined to `products` cost 2-4x more on broad
 * queries); with filters the join is needed to filter, so only the matching rows' keys are carried
 * until the best row of each variant group is known.
 */
function searchSql(f: ProductSearch, match: string | null, limit: number, dialect: Dialect): BoundSql {
  if (dialect === 'postgres') return searchSqlPostgres(f, match, limit);
  const filters = filterSql(f);
  const where = filters.text.join(' AND ');
  let candidates: string;
  if (match === null) {
    // No words to match: the best-rated products that pass the filters.
    candidates = `SELECT p.rowid AS rid, p.id AS id, coalesce(p.item_group_id, p.id) AS g,
        -(coalesce(p.rating, 0) * 10 + min(p.review_count, 1000) / 100.0) AS score
      FROM products p ${where ? `WHERE ${where}` : ''} ORDER BY score LIMIT ${CANDIDATE_CAP}`;
  } else if (!where) {
    candidates = `SELECT p.rowid AS rid, p.id AS id, coalesce(p.item_group_id, p.id) AS g, r.score AS score
      FROM (SELECT rowid, ${BM25} AS score FROM products_fts WHERE products_fts MATCH ? ORDER BY score LIMIT ${CANDIDATE_CAP}) r
      JOIN products p ON p.rowid = r.rowid`;
  } else {
    candidates = `SELECT p.rowid AS rid, p.id AS id, coalesce(p.item_group_id, p.id) AS g, ${BM25} AS score
      FROM products_fts JOIN products p ON p.rowid = products_fts.rowid
      WHERE products_fts MATCH ? AND ${where} ORDER BY score LIMIT ${CANDIDATE_CAP}`;
  }
  return {
    text: `SELECT p.*, ranked.score AS score FROM (
        SELECT rid, id, score, row_number() OVER (PARTITION BY g ORDER BY score, id) AS rn FROM (${candidates})
      ) ranked JOIN products p ON p.rowid = ranked.rid
      WHERE ranked.rn = 1 ORDER BY ranked.score, ranked.id LIMIT ?`,
    params: [...(match === null ? [] : [match]), ...filters.params, limit],
  };
}

/**
 * The same search on PostgreSQL: candidates ranked by ts_rank over the stored, GIN-indexed document
 * (negated, so lower is better as with bm25), then the best row of each variant group. Ids sort
 * bytewise, as SQLite sorts them.
 */
function searchSqlPostgres(f: ProductSearch, match: string | null, limit: number): BoundSql {
  const filters = filterSql(f);
  const where = filters.text.join(' AND ');
  const candidates =
    match === null
      ? `SELECT p.id AS id, coalesce(p.item_group_id, p.id) AS g,
          -(coalesce(p.rating, 0) * 10 + least(p.review_count, 1000) / 100.0) AS score
        FROM products p ${where ? `WHERE ${where}` : ''} ORDER BY score LIMIT ${CANDIDATE_CAP}`
      : `SELECT p.id AS id, coalesce(p.item_group_id, p.id) AS g, -ts_rank(${PRODUCT_RANK_WEIGHTS}, s.doc, q.q) AS score
        FROM (SELECT to_tsquery('${TS_CONFIG}', ?) AS q) q
        JOIN products_search s ON s.doc @@ q.q JOIN products p ON p.id = s.id
        ${where ? `WHERE ${where}` : ''} ORDER BY score LIMIT ${CANDIDATE_CAP}`;
  return {
    text: `SELECT p.*, ranked.score AS score FROM (
        SELECT id, score, row_number() OVER (PARTITION BY g ORDER BY score, id COLLATE "C") AS rn FROM (${candidates}) c
      ) ranked JOIN products p ON p.id = ranked.id
      WHERE ranked.rn = 1 ORDER BY ranked.score, ranked.id COLLATE "C" LIMIT ?`,
    params: [...(match === null ? [] : [match]), ...filters.params, limit],
  };
}

/** Creates the product repository: the only code that reads or writes catalogue rows. */
export function createProductRepository(db: Database) {
  const isPostgres = db.dialect === 'postgres';
  const syntax: MatchSyntax = isPostgres ? 'tsquery' : 'fts5';
  const upsertSql = `INSERT INTO products (${PRODUCT_COLUMNS.join(', ')}) VALUES (${PRODUCT_COLUMNS.map((c) => `@${c}`).join(', ')})
    ON CONFLICT (id) DO UPDATE SET ${PRODUCT_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`;
  const upsertManySql = `INSERT INTO products (${PRODUCT_COLUMNS.join(', ')}) VALUES VALUES_LIST
    ON CONFLICT (id) DO UPDATE SET ${PRODUCT_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`;
  let categoriesCache: { version: number; rows: Array<{ category: string; count: number }> } | null = null;
  let wordsCache: { version: number; brands: string[]; types: Array<{ category: string; type: string; count: number }> } | null =
    null;
  let vocabularyCache: { version: number; terms: VocabularyTerm[] } | null = null;

  /** The catalogue's version row: one primary-key read, so checking it per answer costs about a microsecond. */
  const catalogueVersion = async (): Promise<number> =>
    (await db.get<{ version: number }>('SELECT version FROM catalogue_version WHERE id = 1'))?.version ?? 0;

  function* upsertSteps(
    records: ProductRecord[],
    at: string,
    source: string,
  ): SqlSteps<{ inserted: number; updated: number; demoRemoved: number }> {
    let demoRemoved = 0;
    if (source !== DEMO_SOURCE) {
      // Recorded with the rows: once a real source existed, the demo is never loaded again.
      yield* step.run('INSERT INTO catalogue_sources (name, kind, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [
        source,
        source === IMPORT_SOURCE ? 'file' : 'feed',
        at,
      ]);
      demoRemoved = yield* step.run('DELETE FROM products WHERE source = ?', [DEMO_SOURCE]);
    }
    const existing = new Set<string>();
    for (let i = 0; i < records.length; i += 500) {
      const ids = records.slice(i, i + 500).map((r) => r.id);
      const rows = yield* step.all<{ id: string }>(`SELECT id FROM products WHERE id IN (${placeholders(ids.length)})`, ids);
      for (const row of rows) existing.add(row.id);
    }
    let inserted = 0;
    for (const r of records) {
      if (!existing.has(r.id)) {
        inserted += 1;
        existing.add(r.id);
      }
    }
    if (isPostgres) {
      // One round trip per 100 rows; a later duplicate id in the same batch would be refused, so
      // each batch keeps an id's last record only (as the row-by-row upsert ends with it).
      const last = [...new Map(records.map((r) => [r.id, r])).values()];
      for (let i = 0; i < last.length; i += UPSERT_ROWS_PER_STATEMENT) {
        const batch = last.slice(i, i + UPSERT_ROWS_PER_STATEMENT);
        const row = `(${placeholders(PRODUCT_COLUMNS.length)})`;
        yield* step.run(
          upsertManySql.replace('VALUES_LIST', batch.map(() => row).join(', ')),
          batch.flatMap((r) => {
            const values = toRow(r, at, source);
            return PRODUCT_COLUMNS.map((c) => values[c]);
          }),
        );
      }
    } else for (const r of records) yield* step.run(upsertSql, toRow(r, at, source));
    // Caches of catalogue aggregates, in this process and others, compare against this.
    yield* step.run('UPDATE catalogue_version SET version = version + 1 WHERE id = 1');
    return { inserted, updated: records.length - inserted, demoRemoved };
  }

  /** One search: every-term match first, widened to any term when that finds fewer than 3. */
  const searchMatches = async (f: ProductSearch, all: string | null, any: string | null): Promise<ProductHit[]> => {
    const limit = f.limit ?? DEFAULT_LIMIT;
    const run = async (match: string | null): Promise<ProductHit[]> => {
      const query = searchSql(f, match, limit, db.dialect);
      const rows = await db.all<ProductRow & { score: number }>(query.text, query.params);
      return rows.map(({ score, ...row }) => ({ row: row satisfies ProductRow, score }));
    };
    if (!all) return run(null);
    const hits = await run(all);
    if (hits.length >= Math.min(3, limit)) return hits;
    // Widening in the same statement was measured slower: FTS5 evaluates a MATCH even when a
    // constant condition beside it is false, so every search paid for the any-term scan.
    const more = any && any !== all ? await run(any) : [];
    const seen = new Set(hits.map((h) => h.row.item_group_id ?? h.row.id));
    return [...hits, ...more.filter((h) => !seen.has(h.row.item_group_id ?? h.row.id))].slice(0, limit);
  };

  return {
    /**
     * Inserts new products and updates existing ones by id, in one transaction, as products of
     * `source` (default `import`; a product that was gone is live again). Products of any source but
     * the demo replace the demo: its rows are deleted in the same transaction (`demoRemoved`), so
     * shoppers never see invented products next to real ones.
     */
    async upsertMany(
      records: ProductRecord[],
      options: { source?: string } = {},
    ): Promise<{ inserted: number; updated: number; demoRemoved: number }> {
      if (records.length === 0) return { inserted: 0, updated: 0, demoRemoved: 0 };
      const at = nowIso();
      return db.transaction(() => upsertSteps(records, at, options.source ?? IMPORT_SOURCE));
    },

    /** Number of live catalogue rows (variants count separately; gone products do not count). */
    async count(): Promise<number> {
      return (await db.get<{ n: number }>('SELECT count(*) AS n FROM products WHERE gone_at IS NULL'))?.n ?? 0;
    },

    /** One live product row by id; `includeGone` also finds products a feed no longer lists. */
    async getById(id: string, options: { includeGone?: boolean } = {}): Promise<ProductRow | undefined> {
      return db.get<ProductRow>(
        options.includeGone ? 'SELECT * FROM products WHERE id = ?' : 'SELECT * FROM products WHERE id = ? AND gone_at IS NULL',
        [id],
      );
    },

    /** Product rows by id, in no particular order; unknown ids are left out. */
    async getByIds(ids: readonly string[]): Promise<ProductRow[]> {
      const rows: ProductRow[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const sql = `SELECT * FROM products WHERE id IN (${chunk.map(() => '?').join(', ')}) AND gone_at IS NULL`;
        rows.push(...(await db.all<ProductRow>(sql, chunk)));
      }
      return rows;
    },

    /**
     * Plain catalogue search on the words of `f.q` (no synonyms, no corrections: the catalogue search
     * service adds those and calls {@link searchTerms}). Filters first, then FTS5 with bm25 ranking,
     * one hit per variant group. All terms must match; if that finds too little, any term may match
     * (ranked by how well), after the products that match every term.
     */
    async search(f: ProductSearch): Promise<ProductHit[]> {
      return searchMatches(f, f.q ? productMatchQuery(f.q, 'and', syntax) : null, productMatchQuery(f.q ?? '', 'or', syntax));
    },

    /**
     * The same search on query terms worked out by the caller, each given as its alternatives (a word
     * and its synonyms, or a corrected word): any alternative of a term may match, every term must,
     * widened to any term as {@link search} does unless `widen` is false. No terms: the filters alone.
     */
    async searchTerms(
      f: ProductSearch,
      terms: ReadonlyArray<readonly string[]>,
      options: { widen?: boolean } = {},
    ): Promise<ProductHit[]> {
      return searchMatches(
        f,
        productMatchFromTerms(terms, 'and', syntax),
        options.widen === false ? null : productMatchFromTerms(terms, 'or', syntax),
      );
    },

    /**
     * Whether any live product matches this word as search matches it (the stem, a plural, a prefix).
     * The FTS index also holds gone products (kept for transcripts): the join leaves them out.
     */
    async hasMatch(word: string): Promise<boolean> {
      const match = productMatchFromTerms([[word]], 'and', syntax);
      if (match === null) return false;
      const text = isPostgres
        ? `SELECT 1 AS one FROM products_search s JOIN products p ON p.id = s.id
           WHERE s.doc @@ to_tsquery('${TS_CONFIG}', ?) AND p.gone_at IS NULL LIMIT 1`
        : `SELECT 1 AS one FROM products_fts f JOIN products p ON p.rowid = f.rowid
           WHERE products_fts MATCH ? AND p.gone_at IS NULL LIMIT 1`;
      return (await db.get<{ one: number }>(text, [match])) !== undefined;
    },

    /**
     * Every term of the products index with the number of products that contain it, most frequent
     * first: the catalogue's own vocabulary for typo tolerance. Terms are as indexed (porter stems).
     * Reading it walks the whole index, so it is kept until the catalogue version changes.
     */
    async vocabulary(): Promise<VocabularyTerm[]> {
      const version = await catalogueVersion();
      if (vocabularyCache?.version !== version) {
        // Letters only: numbers, sizes and codes are not words a shopper misspells. PostgreSQL reads
        // the same list (stems, with the number of products that have each) from the documents.
        const terms = await db.all<VocabularyTerm>(
          isPostgres
            ? `SELECT word AS term, ndoc AS docs FROM ts_stat('SELECT doc FROM products_search')
               WHERE length(word) >= 3 AND word !~ '[0-9]' ORDER BY ndoc DESC, word COLLATE "C"`
            : `SELECT term, doc AS docs FROM products_fts_vocab WHERE length(term) >= 3 AND term NOT GLOB '*[0-9]*' ORDER BY doc DESC, term`,
        );
        vocabularyCache = { version, terms };
      }
      return vocabularyCache.terms;
    },

    /**
     * A word as the catalogue writes it (lower-cased) that the index stores as `stem`, e.g. "fleece"
     * for the stem "fleec": corrections are shown to shoppers in words, not stems. Null when no
     * product has it.
     */
    async surfaceForm(stem: string): Promise<string | null> {
      const columns = Array.from({ length: 7 }, (_, i) => `highlight(products_fts, ${i}, char(2), char(3)) AS c${i}`).join(', ');
      const text = isPostgres
        ? `SELECT ts_headline('${TS_CONFIG}', concat_ws(' ', p.title, p.brand, p.category, p.product_type, p.color, p.material, p.description),
             q.q, 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', HighlightAll=true') AS c0
           FROM (SELECT CAST(? AS tsquery) AS q) q JOIN products_search s ON s.doc @@ q.q JOIN products p ON p.id = s.id
           LIMIT 100`
        : `SELECT ${columns} FROM products_fts WHERE products_fts MATCH ? LIMIT 100`;
      const rows = await db.all<Record<string, string | null>>(text, [
        isPostgres ? quoteTsLexeme(stem) : `"${stem.replaceAll('"', '""')}"`,
      ]);
      // Several products' words, as the first may use a longer form ("backpacking" for "backpack").
      const seen = new Map<string, number>();
      for (const row of rows)
        for (const text of Object.values(row))
          // Each marked word follows a \u0002 and ends at the next \u0003.
          for (const part of text?.split('\u0002').slice(1) ?? []) {
            const word = part.slice(0, part.indexOf('\u0003')).toLowerCase();
            if (word) seen.set(word, (seen.get(word) ?? 0) + 1);
          }
      if (seen.has(stem)) return stem;
      // The shortest form is nearest the stem ("backpack", not "backpacking"); then the commonest.
      return [...seen].sort((x, y) => x[0].length - y[0].length || y[1] - x[1])[0]?.[0] ?? null;
    },

    /**
     * Product cards for the given ids, in the given order, built from the database now. Unknown ids
     * are dropped: a card can never be invented.
     */
    async getCards(ids: readonly string[], lookup: { includeGone?: boolean } = {}): Promise<ProductCard[]> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      const live = lookup.includeGone ? '' : ' AND gone_at IS NULL';
      const rows = await db.all<ProductRow>(`SELECT * FROM products WHERE id IN (${placeholders(unique.length)})${live}`, unique);
      const groups = [...new Set(rows.map((r) => r.item_group_id).filter((g): g is string => g !== null))];
      const options = new Map<string, { sizes: string[]; colors: string[] }>();
      if (groups.length > 0) {
        const concat = (c: string) => (isPostgres ? `string_agg(${c}, chr(31))` : `group_concat(${c}, char(31))`);
        const grouped = await db.all<{ g: string; sizes: string | null; colors: string | null }>(
          `SELECT item_group_id AS g, ${concat('size')} AS sizes, ${concat('color')} AS colors
           FROM products WHERE item_group_id IN (${placeholders(groups.length)}) AND gone_at IS NULL GROUP BY item_group_id`,
          groups,
        );
        for (const r of grouped) options.set(r.g, { sizes: splitDistinct(r.sizes), colors: splitDistinct(r.colors) });
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      return unique.flatMap((id) => {
        const r = byId.get(id);
        if (!r) return [];
        const opt = r.item_group_id ? options.get(r.item_group_id) : undefined;
        const card = toCard(r, opt?.sizes ?? (r.size ? [r.size] : []), opt?.colors ?? (r.color ? [r.color] : []));
        return [r.gone_at === null ? card : { ...card, isGone: true as const }];
      });
    },

    /**
     * Today's price, sale price and availability of these products, in one read per 500 ids (not one
     * per card). A product no longer in the catalogue has no entry.
     */
    async currentOffers(ids: readonly string[]): Promise<Map<string, ProductOffer>> {
      const unique = [...new Set(ids)];
      const offers = new Map<string, ProductOffer>();
      for (let i = 0; i < unique.length; i += 500) {
        const rows = await db.kysely
          .selectFrom('products')
          .select(['id', 'price_minor', 'sale_price_minor', 'currency', 'availability'])
          .where('id', 'in', unique.slice(i, i + 500))
          // A product its feed dropped has no offer today: the card says "No longer available".
          .where('gone_at', 'is', null)
          .execute();
        for (const r of rows)
          offers.set(r.id, {
            price: { amountMinor: r.price_minor, currency: r.currency },
            salePrice: r.sale_price_minor === null ? null : { amountMinor: r.sale_price_minor, currency: r.currency },
            availability: availabilitySchema.catch('out_of_stock').parse(r.availability),
          });
      }
      return offers;
    },

    /** Ids of every variant that shares a group with one of these products (the ids included). */
    async variantIds(ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const list = placeholders(ids.length);
      const rows = await db.all<{ id: string }>(
        `SELECT id FROM products WHERE gone_at IS NULL AND (id IN (${list}) OR item_group_id IN
           (SELECT g.item_group_id FROM products g WHERE g.id IN (${list}) AND g.item_group_id IS NOT NULL))`,
        [...ids, ...ids],
      );
      return rows.map((r) => r.id);
    },

    /**
     * Distinct categories with their product-group counts (for the search UI, the prompt and the
     * grounding check). A GROUP BY over the whole catalogue (most of 200 ms at 100k products), so it
     * is kept until the catalogue version changes: an import here or by the CLI in another process.
     */
    async categories(): Promise<Array<{ category: string; count: number }>> {
      const version = await catalogueVersion();
      if (categoriesCache?.version !== version) {
        const rows = await db.all<{ category: string; count: number }>(
          `SELECT category, count(DISTINCT coalesce(item_group_id, id)) AS count FROM products
           WHERE category IS NOT NULL AND gone_at IS NULL GROUP BY category ORDER BY count DESC${isPostgres ? ', category COLLATE "C"' : ''}`,
        );
        categoriesCache = { version, rows };
      }
      return categoriesCache.rows.map((r) => ({ ...r }));
    },

    /**
     * The catalogue's brands and each category's product types, for reading the shopper's constraints
     * ("Nike", "a tent" → Camping). Kept until the catalogue version changes, like `categories`.
     */
    async constraintWords(): Promise<{ brands: string[]; types: Array<{ category: string; type: string; count: number }> }> {
      const version = await catalogueVersion();
      if (wordsCache?.version !== version) {
        const brandRows = await db.all<{ brand: string }>(
          `SELECT DISTINCT brand FROM products WHERE brand IS NOT NULL AND brand <> '' AND gone_at IS NULL LIMIT 5000`,
        );
        const brands = brandRows.map((r) => r.brand);
        const types = await db.all<{ category: string; type: string; count: number }>(
          `SELECT category, product_type AS type, count(*) AS count FROM products
           WHERE category IS NOT NULL AND product_type IS NOT NULL AND gone_at IS NULL
           GROUP BY category, product_type LIMIT 5000`,
        );
        wordsCache = { version, brands, types };
      }
      return { brands: [...wordsCache.brands], types: wordsCache.types.map((t) => ({ ...t })) };
    },

    /**
     * Distinct host names of the products' http(s) links (at most `limit`), lower-cased, for the
     * storefront's link policy. One scan that keeps only the host part, so it stays cheap for large
     * catalogues; callers cache it.
     */
    async linkHostnames(limit = 100): Promise<string[]> {
      // SQLite's instr is PostgreSQL's strpos.
      const instr = isPostgres ? 'strpos' : 'instr';
      const rows = await db.all<{ host: string }>(
        `SELECT DISTINCT lower(CASE WHEN ${instr}(rest, '/') > 0 THEN substr(rest, 1, ${instr}(rest, '/') - 1) ELSE rest END) AS host
         FROM (SELECT substr(link, ${instr}(link, '://') + 3) AS rest FROM products
               WHERE gone_at IS NULL AND (link LIKE 'http://%' OR link LIKE 'https://%')) hosts
         LIMIT ?`,
        [limit],
      );
      const hosts = new Set<string>();
      for (const { host } of rows) {
        // "https://shop.example@evil.example/" hides its real host; such a link is never shown as one.
        if (host.includes('@')) continue;
        try {
          // The URL parser drops ports, user info and queries the SQL above left on.
          const name = new URL(`https://${host}/`).hostname;
          if (name !== '') hosts.add(name);
        } catch {
          // Not a host name (a malformed feed link): it cannot make anything clickable.
        }
      }
      return [...hosts].sort();
    },
  };
}

export type ProductRepository = ReturnType<typeof createProductRepository>;

/** SQL conditions (on alias `p`) for every structured filter, with their parameters. Prices are in major units. */
export function filterSql(f: ProductSearch): { text: string[]; params: unknown[] } {
  // Gone products (dropped from their feed) are kept for old transcripts but never found.
  const text: string[] = ['p.gone_at IS NULL'];
  const params: unknown[] = [];
  const effective = 'coalesce(p.sale_price_minor, p.price_minor)';
  if (f.category) {
    const c = f.category.toLowerCase();
    text.push('(lower(p.category) = ? OR lower(p.product_type) LIKE ?)');
    params.push(c, `%${c}%`);
  }
  if (f.brand) {
    text.push('lower(p.brand) = ?');
    params.push(f.brand.toLowerCase());
  }
  if (f.minPrice !== undefined) {
    text.push(`${effective} >= ?`);
    params.push(Math.round(f.minPrice * 100));
  }
  if (f.maxPrice !== undefined) {
    text.push(`${effective} <= ?`);
    params.push(Math.round(f.maxPrice * 100));
  }
  if (f.inStock) text.push(`p.availability = 'in_stock'`);
  if (f.size) {
    // "M" also finds labelled sizes such as "M (EU 39-42)".
    const size = f.size.toLowerCase();
    text.push('(lower(p.size) = ? OR lower(p.size) LIKE ?)');
    params.push(size, `${size} (%`);
  }
  if (f.color) {
    text.push('lower(p.color) LIKE ?');
    params.push(`%${f.color.toLowerCase()}%`);
  }
  return { text, params };
}

/** Builds a shopper-facing card from a row and its group's options. */
export function toCard(r: ProductRow, sizes: string[], colors: string[]): ProductCard {
  return {
    id: r.id,
    title: r.title,
    brand: r.brand,
    category: r.category,
    price: { amountMinor: r.price_minor, currency: r.currency },
    salePrice: r.sale_price_minor === null ? null : { amountMinor: r.sale_price_minor, currency: r.currency },
    availability: availabilitySchema.catch('out_of_stock').parse(r.availability),
    rating: r.rating,
    reviewCount: r.review_count,
    imageUrl: r.image_link,
    link: r.link,
    sizes,
    colors,
  };
}
