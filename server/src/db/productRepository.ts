import { sql, type Selectable } from 'kysely';
import { availabilitySchema, type ProductCard, type ProductSearch } from '@aisle/shared';
import type { ProductRecord } from '../catalogue/productRecord';
import { nowIso, type Database } from './database';
import { productMatchQuery } from './fts';
import type { ProductsTable } from './schema';

export type ProductRow = Selectable<ProductsTable>;

/** A search hit: the row that matched best in its variant group. */
export interface ProductHit {
  row: ProductRow;
  score: number;
}

/** Candidates considered before grouping and ranking: bounds the cost of broad queries. */
const CANDIDATE_CAP = 400;
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

/** Creates the product repository: the only code that reads or writes catalogue rows. */
export function createProductRepository(db: Database) {
  const { kysely } = db;

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
      const source = options.source ?? IMPORT_SOURCE;
      const at = nowIso();
      return kysely.transaction().execute(async (trx) => {
        let demoRemoved = 0;
        if (source !== DEMO_SOURCE) {
          // Recorded with the rows: once a real source existed, the demo is never loaded again.
          await trx
            .insertInto('catalogue_sources')
            .values({ name: source, kind: source === IMPORT_SOURCE ? 'file' : 'feed', created_at: at })
            .onConflict((oc) => oc.column('name').doNothing())
            .execute();
          const removed = await trx.deleteFrom('products').where('source', '=', DEMO_SOURCE).executeTakeFirst();
          demoRemoved = Number(removed.numDeletedRows);
        }
        const ids = records.map((r) => r.id);
        const existing = new Set<string>();
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await trx
            .selectFrom('products')
            .select('id')
            .where('id', 'in', ids.slice(i, i + 500))
            .execute();
          for (const row of rows) existing.add(row.id);
        }
        let inserted = 0;
        for (const r of records) {
          const row = toRow(r, at, source);
          const { id: _id, ...rest } = row;
          await trx
            .insertInto('products')
            .values(row)
            .onConflict((oc) => oc.column('id').doUpdateSet(rest))
            .execute();
          if (!existing.has(r.id)) {
            inserted += 1;
            existing.add(r.id);
          }
        }
        return { inserted, updated: records.length - inserted, demoRemoved };
      });
    },

    /** Number of live catalogue rows (variants count separately; gone products do not count). */
    async count(): Promise<number> {
      const row = await kysely
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('gone_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** One live product row by id; `includeGone` also finds products a feed no longer lists. */
    async getById(id: string, options: { includeGone?: boolean } = {}): Promise<ProductRow | undefined> {
      let query = kysely.selectFrom('products').selectAll().where('id', '=', id);
      if (!options.includeGone) query = query.where('gone_at', 'is', null);
      return query.executeTakeFirst();
    },

    /**
     * Catalogue search used by the HTTP API and the model's tool alike: filters first, then FTS5 with
     * bm25 ranking, one hit per variant group. All terms must match; if that finds too little, any
     * term may match (ranked by how well).
     */
    async search(f: ProductSearch): Promise<ProductHit[]> {
      const limit = f.limit ?? DEFAULT_LIMIT;
      const where = filterSql(f);
      const whereSql = where.length ? sql`AND ${sql.join(where, sql` AND `)}` : sql``;
      const run = async (match: string | null): Promise<ProductHit[]> => {
        const candidates = match
          ? sql`SELECT p.*, bm25(products_fts, 10.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0) AS score
                FROM products_fts JOIN products p ON p.rowid = products_fts.rowid
                WHERE products_fts MATCH ${match} ${whereSql}
                ORDER BY score LIMIT ${CANDIDATE_CAP}`
          : sql`SELECT p.*, -(coalesce(p.rating, 0) * 10 + min(p.review_count, 1000) / 100.0) AS score
                FROM products p WHERE 1 = 1 ${whereSql}
                ORDER BY score LIMIT ${CANDIDATE_CAP}`;
        const result = await sql<ProductRow & { score: number }>`
          SELECT * FROM (
            SELECT c.*, row_number() OVER (PARTITION BY coalesce(c.item_group_id, c.id) ORDER BY c.score, c.id) AS rn
            FROM (${candidates}) c
          ) WHERE rn = 1 ORDER BY score, id LIMIT ${limit}`.execute(kysely);
        return result.rows.map(({ score, rn: _rn, ...row }: ProductRow & { score: number; rn?: number }) => ({
          row: row satisfies ProductRow,
          score,
        }));
      };
      if (!f.q) return run(null);
      const all = productMatchQuery(f.q, 'and');
      if (!all) return run(null);
      const hits = await run(all);
      if (hits.length >= Math.min(3, limit)) return hits;
      const any = productMatchQuery(f.q, 'or');
      const more = any && any !== all ? await run(any) : [];
      const seen = new Set(hits.map((h) => h.row.item_group_id ?? h.row.id));
      return [...hits, ...more.filter((h) => !seen.has(h.row.item_group_id ?? h.row.id))].slice(0, limit);
    },

    /**
     * Product cards for the given ids, in the given order, built from the database now. Unknown and
     * gone ids are dropped: a card can never be invented, nor offer what the shop stopped selling.
     * `includeGone` (an old conversation's card) keeps gone products, marked `isGone`.
     */
    async getCards(ids: readonly string[], lookup: { includeGone?: boolean } = {}): Promise<ProductCard[]> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      let query = kysely.selectFrom('products').selectAll().where('id', 'in', unique);
      if (!lookup.includeGone) query = query.where('gone_at', 'is', null);
      const rows = await query.execute();
      const groups = [...new Set(rows.map((r) => r.item_group_id).filter((g): g is string => g !== null))];
      const options = new Map<string, { sizes: string[]; colors: string[] }>();
      if (groups.length > 0) {
        const res = await sql<{ g: string; sizes: string | null; colors: string | null }>`
          SELECT item_group_id AS g,
                 group_concat(size, char(31)) AS sizes,
                 group_concat(color, char(31)) AS colors
          FROM products WHERE item_group_id IN (${sql.join(groups)}) AND gone_at IS NULL GROUP BY item_group_id`.execute(kysely);
        for (const r of res.rows) options.set(r.g, { sizes: splitDistinct(r.sizes), colors: splitDistinct(r.colors) });
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      return unique.flatMap((id) => {
        const r = byId.get(id);
        if (!r) return [];
        const opt = r.item_group_id ? options.get(r.item_group_id) : undefined;
        const card = toCard(r, opt?.sizes ?? (r.size ? [r.size] : []), opt?.colors ?? (r.color ? [r.color] : []));
        return [r.gone_at === null ? card : { ...card, isGone: true }];
      });
    },

    /** Ids of every variant that shares a group with one of these products (the ids included). */
    async variantIds(ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await kysely
        .selectFrom('products')
        .select('id')
        .where('gone_at', 'is', null)
        .where((eb) =>
          eb.or([
            eb('id', 'in', [...ids]),
            eb(
              'item_group_id',
              'in',
              eb
                .selectFrom('products as g')
                .select('g.item_group_id')
                .where('g.id', 'in', [...ids])
                .where('g.item_group_id', 'is not', null),
            ),
          ]),
        )
        .execute();
      return rows.map((r) => r.id);
    },

    /** Distinct categories with their product-group counts (for the search UI and the prompt). */
    async categories(): Promise<Array<{ category: string; count: number }>> {
      const res = await sql<{ category: string; count: number }>`
        SELECT category, count(DISTINCT coalesce(item_group_id, id)) AS count FROM products
        WHERE category IS NOT NULL AND gone_at IS NULL GROUP BY category ORDER BY count DESC`.execute(kysely);
      return res.rows;
    },

    /**
     * Distinct host names of the products' http(s) links (at most `limit`), lower-cased, for the
     * storefront's link policy. One scan that keeps only the host part, so it stays cheap for large
     * catalogues; callers cache it.
     */
    async linkHostnames(limit = 100): Promise<string[]> {
      const res = await sql<{ host: string }>`
        SELECT DISTINCT lower(CASE WHEN instr(rest, '/') > 0 THEN substr(rest, 1, instr(rest, '/') - 1) ELSE rest END) AS host
        FROM (SELECT substr(link, instr(link, '://') + 3) AS rest FROM products
              WHERE link LIKE 'http://%' OR link LIKE 'https://%')
        LIMIT ${limit}`.execute(kysely);
      const hosts = new Set<string>();
      for (const { host } of res.rows) {
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

/** SQL conditions (on alias `p`) for every structured filter. Prices are in major units. */
function filterSql(f: ProductSearch) {
  // Gone products (dropped from their feed) are kept for old transcripts but never found.
  const out = [sql`p.gone_at IS NULL`];
  const effective = sql`coalesce(p.sale_price_minor, p.price_minor)`;
  if (f.category) {
    const c = f.category.toLowerCase();
    out.push(sql`(lower(p.category) = ${c} OR lower(p.product_type) LIKE ${'%' + c + '%'})`);
  }
  if (f.brand) out.push(sql`lower(p.brand) = ${f.brand.toLowerCase()}`);
  if (f.minPrice !== undefined) out.push(sql`${effective} >= ${Math.round(f.minPrice * 100)}`);
  if (f.maxPrice !== undefined) out.push(sql`${effective} <= ${Math.round(f.maxPrice * 100)}`);
  if (f.inStock) out.push(sql`p.availability = 'in_stock'`);
  if (f.size) {
    // "M" also finds labelled sizes such as "M (EU 39-42)".
    const size = f.size.toLowerCase();
    out.push(sql`(lower(p.size) = ${size} OR lower(p.size) LIKE ${size + ' (%'})`);
  }
  if (f.color) out.push(sql`lower(p.color) LIKE ${'%' + f.color.toLowerCase() + '%'}`);
  return out;
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
