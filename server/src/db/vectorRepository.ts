import type { ProductSearch } from '@aisle/shared';
import { nowIso, type Database, type SqliteDatabase } from './database';
import { filterSql } from './productRepository';

/** Which model, at which size, the vectors in the index come from. */
export interface VectorIndexMeta {
  model: string;
  dimensions: number;
}

/** The catalogue text a product is embedded from (the fields that say what it is). */
export interface EmbeddableProduct {
  rowid: number;
  id: string;
  title: string;
  description: string;
  brand: string | null;
  category: string | null;
  product_type: string | null;
  color: string | null;
  size: string | null;
  material: string | null;
  gender: string | null;
  age_group: string | null;
}

/** One product's vector and the hash of the text it was made from. */
export interface StoredVector {
  id: string;
  contentHash: string;
  vector: Float32Array;
}

/** A neighbour of a query vector: cosine distance, 0 = same direction, 2 = opposite. */
export interface VectorNeighbour {
  id: string;
  distance: number;
}

/** sqlite-vec answers at most this many neighbours per query. */
const MAX_K = 4096;

/**
 * The vector index of the catalogue (sqlite-vec `vec0`, cosine distance) and its bookkeeping: the
 * only code that reads or writes vectors. Every method but `availability` assumes the extension
 * loaded. On PostgreSQL there is no vector index yet (pgvector is not used): search stays lexical,
 * exactly as on SQLite without sqlite-vec.
 */
export function createVectorRepository(db: Database): VectorRepository {
  return db.dialect === 'sqlite' ? createSqliteVectorRepository(db) : postgresVectorRepository;
}

/** Why semantic search is off on PostgreSQL. */
const POSTGRES_REASON = 'semantic search needs the SQLite store: vectors in PostgreSQL (pgvector) are not supported yet';

/** Every method but `availability` is unreachable: the index never starts a pass without vectors. */
const unsupported = (): never => {
  throw new Error(POSTGRES_REASON);
};

const postgresVectorRepository: VectorRepository = {
  availability: () => ({ isAvailable: false, reason: POSTGRES_REASON }),
  meta: () => null,
  prepare: unsupported,
  storedHashes: () => new Map(),
  productsAfter: () => [],
  // Constant: with no vectors there is nothing a catalogue change would make stale.
  catalogueVersion: () => 0,
  removeStale: () => 0,
  save: unsupported,
  counts: () => ({ total: 0, embedded: 0 }),
  nearest: () => [],
};

function createSqliteVectorRepository(db: SqliteDatabase) {
  // Products a catalogue source no longer lists are marked gone: they are neither embedded nor
  // found, even before the indexer removes their vectors.
  const live = 'p.gone_at IS NULL';

  const hasVectorTable = (): boolean =>
    db.statement<[], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'product_vectors'`).get()?.n === 1;

  const reset = db.sqlite.transaction((meta: VectorIndexMeta) => {
    db.sqlite.exec('DROP TABLE IF EXISTS product_vectors');
    db.sqlite.exec(
      `CREATE VIRTUAL TABLE product_vectors USING vec0(product_id text primary key, embedding float[${meta.dimensions}] distance_metric=cosine)`,
    );
    db.statement('DELETE FROM product_embeddings').run();
    db.statement(
      `INSERT INTO embedding_index (id, model, dimensions, created_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET model = excluded.model, dimensions = excluded.dimensions, created_at = excluded.created_at`,
    ).run(meta.model, meta.dimensions, nowIso());
  });

  const saveBatch = db.sqlite.transaction((entries: StoredVector[], at: string) => {
    const removeVector = db.statement<[string], unknown>('DELETE FROM product_vectors WHERE product_id = ?');
    const addVector = db.statement<[string, Float32Array], unknown>(
      'INSERT INTO product_vectors (product_id, embedding) VALUES (?, ?)',
    );
    const mark = db.statement<[string, string, string], unknown>(
      `INSERT INTO product_embeddings (product_id, content_hash, embedded_at) VALUES (?, ?, ?)
       ON CONFLICT (product_id) DO UPDATE SET content_hash = excluded.content_hash, embedded_at = excluded.embedded_at`,
    );
    for (const e of entries) {
      // vec0 has no upsert: a changed product's old vector goes first.
      removeVector.run(e.id);
      addVector.run(e.id, e.vector);
      mark.run(e.id, e.contentHash, at);
    }
  });

  const removeStaleRows = db.sqlite.transaction((): number => {
    const stale = `SELECT e.product_id FROM product_embeddings e
      WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = e.product_id AND ${live})`;
    if (hasVectorTable()) db.statement(`DELETE FROM product_vectors WHERE product_id IN (${stale})`).run();
    return db.statement(`DELETE FROM product_embeddings WHERE product_id IN (${stale})`).run().changes;
  });

  return {
    /** Whether vectors can be stored and searched here; `reason` says why not. */
    availability(): { isAvailable: boolean; reason: string | null } {
      const ext = db.vectorExtension;
      return ext.isLoaded
        ? { isAvailable: true, reason: null }
        : { isAvailable: false, reason: `the sqlite-vec extension could not be loaded (${ext.error ?? 'unknown error'})` };
    },

    /** The model and size of the vectors stored, or null before the first index. */
    meta(): VectorIndexMeta | null {
      const row = db.statement<[], VectorIndexMeta>('SELECT model, dimensions FROM embedding_index WHERE id = 1').get();
      return row && hasVectorTable() ? { model: row.model, dimensions: row.dimensions } : null;
    },

    /**
     * Makes the index hold vectors of `meta`'s model and size. Another model or size (or none yet)
     * empties it, so every product is embedded again. Returns true when it did.
     */
    prepare(meta: VectorIndexMeta): boolean {
      const current = this.meta();
      if (current && current.model === meta.model && current.dimensions === meta.dimensions) return false;
      reset(meta);
      return true;
    },

    /** Content hash per embedded product id. */
    storedHashes(): Map<string, string> {
      const rows = db
        .statement<[], { product_id: string; content_hash: string }>('SELECT product_id, content_hash FROM product_embeddings')
        .all();
      return new Map(rows.map((r) => [r.product_id, r.content_hash]));
    },

    /** Live products after `afterRowid`, in rowid order (paging through a large catalogue). */
    productsAfter(afterRowid: number, limit: number): EmbeddableProduct[] {
      return db
        .statement<[number, number], EmbeddableProduct>(
          `SELECT p.rowid AS rowid, p.id, p.title, p.description, p.brand, p.category, p.product_type, p.color, p.size,
             p.material, p.gender, p.age_group
           FROM products p WHERE p.rowid > ? AND ${live} ORDER BY p.rowid LIMIT ?`,
        )
        .all(afterRowid, limit);
    },

    /** Bumped by every product import, in this process or another (the catalogue CLI). */
    catalogueVersion(): number {
      return db.statement<[], { version: number }>('SELECT version FROM catalogue_version WHERE id = 1').get()?.version ?? 0;
    },

    /** Removes the vectors of products deleted or gone. Returns how many. */
    removeStale(): number {
      return removeStaleRows();
    },

    /** Stores vectors (replacing a product's earlier one) in one transaction. */
    save(entries: StoredVector[]): void {
      if (entries.length > 0) saveBatch(entries, nowIso());
    },

    /** Live products, and how many of them have a vector (possibly of older text, until the indexer catches up). */
    counts(): { total: number; embedded: number } {
      const total = db.statement<[], { n: number }>(`SELECT count(*) AS n FROM products p WHERE ${live}`).get()?.n ?? 0;
      const embedded =
        db
          .statement<[], { n: number }>(
            `SELECT count(*) AS n FROM product_embeddings e JOIN products p ON p.id = e.product_id WHERE ${live}`,
          )
          .get()?.n ?? 0;
      return { total, embedded };
    },

    /**
     * The `k` live products nearest to `vector` among those that pass the shopper's filters. The
     * filters pre-select ids inside the KNN query (sqlite-vec takes `product_id IN (…)`), so the k
     * nearest are exact within the filtered set; post-filtering a larger k could come back short when
     * the filters are narrow (a price band, one size).
     */
    nearest(vector: Float32Array, k: number, filters: ProductSearch = {}): VectorNeighbour[] {
      const f = filterSql(filters);
      // `filterSql` always includes the live-product condition.
      const pre = `AND product_id IN (SELECT p.id FROM products p WHERE ${f.text.join(' AND ')})`;
      const n = Math.max(1, Math.min(MAX_K, Math.floor(k)));
      // The join drops a product deleted since the indexer last ran. Sorted here: SQLite would push an
      // outer ORDER BY into the KNN query, which sqlite-vec refuses.
      const rows = db
        .statement<unknown[], VectorNeighbour>(
          `SELECT v.product_id AS id, v.distance AS distance FROM (
             SELECT product_id, distance FROM product_vectors WHERE embedding MATCH ? AND k = ? ${pre}
           ) v JOIN products p ON p.id = v.product_id`,
        )
        .all(vector, n, ...f.params);
      return rows.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}

export type VectorRepository = ReturnType<typeof createSqliteVectorRepository>;
