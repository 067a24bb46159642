import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_PRODUCTS } from '../../../test/helpers/fixtures';
import { testStores } from '../../../test/helpers/postgres';
import { openDatabase, type Database } from './database';
import { createProductRepository } from './productRepository';

/**
 * `categories()` is asked on every answer (the grounding check) and was a GROUP BY over the whole
 * catalogue each time; it is now kept until the catalogue changes. These are the changes a shop owner
 * makes, and the categories must follow each one.
 */
describe.each(await testStores())('the categories of the catalogue, kept between imports ($dialect)', (store) => {
  let location: string;
  let server: Database;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ db: server, location, close } = await store.open());
  });
  afterEach(async () => {
    await close();
  });

  const tent = (id: string, category: string) => ({
    ...FIXTURE_PRODUCTS[0]!,
    id,
    title: `Kestrel ${id} Tent`,
    category,
    itemGroupId: null,
    productType: `Camping > ${category}`,
  });

  it('shows a category added by an import through the same repository', async () => {
    const products = createProductRepository(server);
    await products.upsertMany(FIXTURE_PRODUCTS);
    const before = (await products.categories()).map((c) => c.category);
    expect(before).not.toContain('Tents');

    await products.upsertMany([tent('T-1', 'Tents'), tent('T-2', 'Tents')]);
    expect(await products.categories()).toContainEqual({ category: 'Tents', count: 2 });
  });

  it('shows an import made by another process (`pnpm catalogue import` opens its own connection)', async () => {
    const products = createProductRepository(server);
    await products.upsertMany(FIXTURE_PRODUCTS);
    expect((await products.categories()).map((c) => c.category)).not.toContain('Tents');

    const cli = await openDatabase(location);
    try {
      await createProductRepository(cli).upsertMany([tent('T-1', 'Tents')]);
    } finally {
      await cli.close();
    }
    expect(await products.categories()).toContainEqual({ category: 'Tents', count: 1 });

    const cliAgain = await openDatabase(location);
    try {
      await createProductRepository(cliAgain).upsertMany([{ ...tent('T-1', 'Shelters') }]);
    } finally {
      await cliAgain.close();
    }
    const after = (await products.categories()).map((c) => c.category);
    expect(after).toContain('Shelters');
    expect(after).not.toContain('Tents');
  });

  it('hands each caller its own copy, so a caller that changes the list does not change the next answer', async () => {
    const products = createProductRepository(server);
    await products.upsertMany(FIXTURE_PRODUCTS);
    const first = await products.categories();
    first.splice(0, first.length);
    expect((await products.categories()).length).toBeGreaterThan(0);
  });
});
