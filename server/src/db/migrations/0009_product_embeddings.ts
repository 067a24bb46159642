import { sql, type Kysely } from 'kysely';

/**
 * Bookkeeping for semantic search: which model and size the vector index holds, and the content hash
 * each product was embedded from, so a re-import embeds only what changed.
 *
 * The vectors themselves live in a sqlite-vec `vec0` table (`product_vectors`) that the vector
 * repository creates at run time, not here: its column size is the embedding model's, known only once
 * the model has answered, and a migration that needs the extension would stop a shop on a platform
 * where the extension does not load (search then stays lexical instead).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('embedding_index')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('dimensions', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // No foreign key to products: rows of deleted or gone products are removed by the indexer, together
  // with their vectors, which a cascade could not reach.
  await db.schema
    .createTable('product_embeddings')
    .addColumn('product_id', 'text', (c) => c.primaryKey())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('embedded_at', 'text', (c) => c.notNull())
    .execute();
}

/** Back to 0008: semantic search forgotten (the vectors are re-made from the catalogue). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS product_vectors`.execute(db);
  await db.schema.dropTable('product_embeddings').ifExists().execute();
  await db.schema.dropTable('embedding_index').ifExists().execute();
}
