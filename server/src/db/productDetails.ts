import type { Database } from './database';
import type { ProductRow } from './productRepository';

/** A product row with what its variant group offers in stock now: what comparisons and suggestions read. */
export interface ProductFacts {
  row: ProductRow;
  /** Sizes of the group's variants that are in stock (the product's own size when it has no group). */
  sizesInStock: string[];
  /** Colours of the group's variants that are in stock. */
  colorsInStock: string[];
}

function distinct(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v.trim() !== ''))];
}

/**
 * Reads products with their variant groups' in-stock sizes and colours, through Kysely (portable to
 * the PostgreSQL store). Kept apart from the product repository, whose hot search SQL fills its file.
 */
export function createProductDetails(db: Database) {
  return {
    /**
     * Facts for these products in the given order; unknown ids are left out, and gone products too
     * unless `includeGone` (then the caller decides what to say about them).
     */
    async facts(ids: readonly string[], options: { includeGone?: boolean } = {}): Promise<ProductFacts[]> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return [];
      let query = db.kysely.selectFrom('products').selectAll().where('id', 'in', unique);
      if (!options.includeGone) query = query.where('gone_at', 'is', null);
      const rows = await query.execute();
      const groups = distinct(rows.map((r) => r.item_group_id));
      const variants =
        groups.length === 0
          ? []
          : await db.kysely
              .selectFrom('products')
              .select(['item_group_id', 'size', 'color'])
              .where('item_group_id', 'in', groups)
              .where('gone_at', 'is', null)
              .where('availability', '=', 'in_stock')
              .orderBy('id')
              .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return unique.flatMap((id) => {
        const row = byId.get(id);
        if (!row) return [];
        const own = row.item_group_id === null ? (row.availability === 'in_stock' && row.gone_at === null ? [row] : []) : [];
        const offered = row.item_group_id === null ? own : variants.filter((v) => v.item_group_id === row.item_group_id);
        return [
          { row, sizesInStock: distinct(offered.map((v) => v.size)), colorsInStock: distinct(offered.map((v) => v.color)) },
        ];
      });
    },
  };
}

export type ProductDetails = ReturnType<typeof createProductDetails>;
