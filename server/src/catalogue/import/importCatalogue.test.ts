import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testStores } from '../../../../test/helpers/postgres';
import { type Database } from '../../db/database';
import { createProductRepository, type ProductRepository } from '../../db/productRepository';
import { FeedError, formatImportSummary, importCatalogue, type ImportSummary } from './importCatalogue';

let dir: string;
let db: Database;
let close: () => Promise<void>;
let repo: ProductRepository;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-import-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function feed(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const problemLines = (s: ImportSummary) => s.problems.map((p) => `line ${p.line}: ${p.reason}`);

describe.each(await testStores())('importCatalogue into $dialect', (store) => {
  beforeEach(async () => {
    ({ db, close } = await store.open());
    repo = createProductRepository(db);
  });

  afterEach(async () => {
    await close();
  });

  it('imports CSV with quoted commas and line breaks, reporting bad rows by the line they start on', async () => {
    const file = feed(
      'feed.csv',
      [
        'id,title,description,price,availability,product_type,size',
        '1,"Trail Shoe, Waterproof","Grippy lugs.',
        'Second line of the description.",119.99 USD,in stock,Shoes > Trail running shoes,44',
        '2,Mug,Stoneware,abc,in_stock,Home,',
        '',
        '3,Kettle,Steel,29.00 USD,,Home,',
        ',No id,,5.00 USD,in_stock,,',
        '4,"Jacket, rain",,USD 89.50,out of stock,Outerwear > Waterproof jackets,M',
        '5,Short row',
        '',
      ].join('\n'),
    );
    const summary = await importCatalogue({ file, repo });

    expect(summary).toMatchObject({ format: 'csv', rowsRead: 6, inserted: 3, updated: 0, skipped: 3 });
    expect(problemLines(summary)).toEqual([
      'line 4: price "abc" is not a price like "15.00 USD"',
      'line 7: missing id',
      'line 9: has 2 fields but the header has 7',
    ]);
    const shoe = await repo.getById('1');
    expect(shoe).toMatchObject({
      title: 'Trail Shoe, Waterproof',
      description: 'Grippy lugs.\nSecond line of the description.',
      price_minor: 11999,
      category: 'Shoes',
      size: '44',
    });
    expect(await repo.getById('4')).toMatchObject({ price_minor: 8950, availability: 'out_of_stock', category: 'Outerwear' });
    // No availability: stored, but never shown to shoppers as in stock.
    expect(await repo.getById('3')).toMatchObject({ availability: 'out_of_stock' });
    expect(summary.warnings).toEqual([
      {
        message: 'no availability given: read as out of stock (Aisle never promises stock a feed does not state)',
        rows: 1,
        firstLine: 6,
      },
    ]);
  });

  it('imports a Merchant TSV export with g: prefixed headers and ignores columns it does not read', async () => {
    const file = feed(
      'products.txt',
      [
        'g:id\tg:title\tg:price\tg:availability\tg:brand\tg:shipping\tcustom_label_0',
        'A1\tHeadlamp "Night" 400\t39.95 USD\tin stock\tLumora\tUS::Standard:4.95 USD\tsummer',
        'A2\tBike Light\t24.00 USD\tpreorder\tSpokewise\t\t',
      ].join('\r\n'),
    );
    const summary = await importCatalogue({ file, repo });

    expect(summary).toMatchObject({ format: 'tsv', rowsRead: 2, inserted: 2, skipped: 0 });
    expect(summary.ignoredColumns).toEqual(['g:shipping', 'custom_label_0']);
    expect(await repo.getById('A1')).toMatchObject({ title: 'Headlamp "Night" 400', brand: 'Lumora', price_minor: 3995 });
    expect(await repo.getById('A2')).toMatchObject({ availability: 'preorder' });
  });

  it('imports JSON Lines, skipping a broken line and blank lines', async () => {
    const file = feed(
      'feed.jsonl',
      [
        '{"id":"J1","title":"Tent","price":"249.00 USD","availability":"in_stock","product_type":"Camping > Tents","rating":4.5,"review_count":12,"quantity":3}',
        '{"id":"J2","title":"Stove", "price":',
        '',
        '["not","an","object"]',
        '{"id":"J3","title":"Pot","price":"19.00 USD","availability":"in_stock"}',
      ].join('\n'),
    );
    const summary = await importCatalogue({ file, repo });

    expect(summary).toMatchObject({ format: 'jsonl', rowsRead: 4, inserted: 2, skipped: 2 });
    expect(summary.problems.map((p) => p.line)).toEqual([2, 4]);
    expect(summary.problems[0]?.reason).toMatch(/^is not valid JSON/);
    expect(await repo.getById('J1')).toMatchObject({ rating: 4.5, review_count: 12, stock_quantity: 3, category: 'Camping' });
  });

  it('imports a JSON array and reports problems by the line each item starts on', async () => {
    const file = feed(
      'feed.json',
      JSON.stringify(
        [
          { id: 'K1', title: 'Yoga Mat', price: '49.00 USD', availability: 'in_stock' },
          { id: 'K2', title: 'Block', price: '12.00 USD', availability: 'sometimes' },
        ],
        null,
        2,
      ),
    );
    const summary = await importCatalogue({ file, repo });

    expect(summary).toMatchObject({ format: 'json', rowsRead: 2, inserted: 1, skipped: 1 });
    expect(problemLines(summary)).toEqual([
      'line 8: availability "sometimes" is not one of in_stock, out_of_stock, preorder, backorder',
    ]);
  });

  it('updates products by id on re-import instead of duplicating them', async () => {
    const header = 'id\ttitle\tprice\tavailability';
    await importCatalogue({
      file: feed('v1.tsv', `${header}\nP1\tOld name\t10.00 USD\tin_stock\nP2\tOther\t5.00 USD\tin_stock\n`),
      repo,
    });
    const summary = await importCatalogue({
      file: feed('v2.tsv', `${header}\nP1\tNew name\t12.50 USD\tout_of_stock\nP3\tThird\t7.00 USD\tin_stock\n`),
      repo,
    });

    expect(summary).toMatchObject({ inserted: 1, updated: 1, skipped: 0 });
    expect(await repo.count()).toBe(3);
    expect(await repo.getById('P1')).toMatchObject({ title: 'New name', price_minor: 1250, availability: 'out_of_stock' });
  });

  it('keeps the first of two rows with the same id and says where it was first used', async () => {
    const file = feed('dupes.csv', 'id,title,price,availability\nD1,First,1.00 USD,in_stock\nD1,Second,2.00 USD,in_stock\n');
    const summary = await importCatalogue({ file, repo });

    expect(problemLines(summary)).toEqual(['line 3: id "D1" was already used on line 2']);
    expect(await repo.getById('D1')).toMatchObject({ title: 'First' });
  });

  it('writes large feeds in batches and reports progress', async () => {
    const rows = Array.from({ length: 1050 }, (_, i) => `B${i},Item ${i},${(i % 50) + 1}.99 USD,in_stock`);
    const file = feed('big.csv', `id,title,price,availability\n${rows.join('\n')}\n`);
    const seen: number[] = [];
    const summary = await importCatalogue({ file, repo, onProgress: (p) => seen.push(p.rowsRead) });

    expect(summary).toMatchObject({ rowsRead: 1050, inserted: 1050, skipped: 0 });
    expect(await repo.count()).toBe(1050);
    expect(seen.at(-1)).toBe(1050);
    expect(seen.length).toBeGreaterThan(5);
  }, 30_000);

  it('refuses a file whose header lacks the Merchant columns, naming what it found', async () => {
    const file = feed('magento.csv', 'sku,name,price,qty\n24-MB01,Joust Duffle Bag,34,100\n');
    await expect(importCatalogue({ file, repo })).rejects.toThrow(FeedError);
    await expect(importCatalogue({ file, repo })).rejects.toThrow(
      /has no id, title columns in its header row \(it has: sku, name, price, qty\)/,
    );
    expect(await repo.count()).toBe(0);
  });

  it('refuses missing files and unknown formats with a clear message', async () => {
    await expect(importCatalogue({ file: path.join(dir, 'nope.csv'), repo })).rejects.toThrow(/There is no file at .*nope\.csv/);
    await expect(importCatalogue({ file: feed('feed.xlsx', 'PK'), repo })).rejects.toThrow(
      /can't tell what format "feed.xlsx" is/,
    );
    await expect(importCatalogue({ file: feed('bad.json', '[{"id": '), repo })).rejects.toThrow(/"bad.json" is not valid JSON/);
  });

  it('stores catalogue text without bidi overrides or hidden Tags text', async () => {
    const file = feed(
      'spoof.jsonl',
      [
        JSON.stringify({
          id: 'S1',
          title: 'invoice\u202Egnp.exe',
          price: '1.00 USD',
          availability: 'in_stock',
          brand: '\u2067Lumora\u2069',
        }),
        JSON.stringify({
          id: 'S2',
          title: 'Lantern\u{E0049}\u{E0047}',
          description: 'Warm\u200B light.',
          price: '2.00 USD',
          availability: 'in_stock',
        }),
      ].join('\n'),
    );
    const summary = await importCatalogue({ file, repo });

    expect(summary).toMatchObject({ inserted: 2, skipped: 0 });
    expect(await repo.getById('S1')).toMatchObject({ title: 'invoicegnp.exe', brand: 'Lumora' });
    expect(await repo.getById('S2')).toMatchObject({ title: 'Lantern', description: 'Warm light.' });
  });

  it('skips a row with a javascript: link, reporting its line, and stores the rows around it', async () => {
    const file = feed(
      'links.csv',
      [
        'id,title,price,availability,link,image_link',
        'U1,Mug,9.00 USD,in_stock,https://shop.example/mug,https://cdn.example/mug.png',
        'U2,Cup,4.00 USD,in_stock,"JaVa\tScRiPt:alert(document.cookie)",https://cdn.example/cup.png',
        'U3,Bowl,6.00 USD,in_stock,,',
        'U4,Plate,5.00 USD,in_stock,HTTPS://Shop.Example/plate,',
      ].join('\n'),
    );
    const summary = await importCatalogue({ file, repo });

    expect(summary).toMatchObject({ rowsRead: 4, inserted: 3, skipped: 1 });
    expect(problemLines(summary)).toEqual(['line 3: link must be an http(s) URL, not "JaVa\tScRiPt:alert(document.cookie)"']);
    expect(await repo.getById('U1')).toMatchObject({
      link: 'https://shop.example/mug',
      image_link: 'https://cdn.example/mug.png',
    });
    expect(await repo.getById('U3')).toMatchObject({ link: null, image_link: null });
    expect(await repo.getById('U2')).toBeUndefined();
    expect(await repo.getById('U4')).toMatchObject({ link: 'https://shop.example/plate', image_link: null });
  });

  it('imports a European feed with decimal-comma prices and shop availability words, warning once per kind', async () => {
    const file = feed(
      'feed-de.csv',
      [
        'id;title;price;sale_price;availability',
        'E1;Wanderschuh;"129,99 EUR";"99,00 EUR";Low Stock',
        'E2;Zelt;1.299,00 EUR;;low stock',
        'E3;Kocher;"49,5";;unknown',
        'E4;Becher;"1,299.00 USD";;sold out',
        'E5;Lampe;12,99 EUR;;coming soon',
        'E6;Topf;19,99 EUR;;sometimes',
      ].join('\n'),
    );
    const summary = await importCatalogue({ file, repo, defaultCurrency: 'EUR' });

    expect(summary).toMatchObject({ rowsRead: 6, inserted: 5, skipped: 1 });
    expect(problemLines(summary)).toEqual([
      'line 7: availability "sometimes" is not one of in_stock, out_of_stock, preorder, backorder',
    ]);
    expect(await repo.getById('E1')).toMatchObject({ price_minor: 12999, sale_price_minor: 9900, availability: 'in_stock' });
    expect(await repo.getById('E2')).toMatchObject({ price_minor: 129900, currency: 'EUR', availability: 'in_stock' });
    expect(await repo.getById('E3')).toMatchObject({ price_minor: 4950, currency: 'EUR', availability: 'out_of_stock' });
    expect(await repo.getById('E4')).toMatchObject({ price_minor: 129900, currency: 'USD', availability: 'out_of_stock' });
    expect(await repo.getById('E5')).toMatchObject({ availability: 'preorder' });

    const text = formatImportSummary(summary);
    expect(text).toContain('Read with a warning:');
    expect(text).toContain('2 rows: availability "Low Stock" read as in stock (first on line 2)');
    expect(text).toContain('4 rows: prices with a decimal comma read as such ("129,99 EUR" is 129.99 EUR) (first on line 2)');
    expect(text).toContain('1 row: availability "unknown" read as out of stock');
    expect(text).toContain('1 row: availability "sold out" read as out of stock');
    expect(text).toContain('1 row: availability "coming soon" read as preorder');
  });

  it('treats an empty file as nothing to import', async () => {
    const summary = await importCatalogue({ file: feed('empty.csv', ''), repo });
    expect(summary).toMatchObject({ rowsRead: 0, inserted: 0, skipped: 0 });
  });
});

describe('formatImportSummary', () => {
  beforeEach(async () => {
    const [sqlite] = await testStores();
    if (!sqlite) throw new Error('no SQLite store');
    ({ db, close } = await sqlite.open());
    repo = createProductRepository(db);
  });
  afterEach(async () => {
    await close();
  });

  it('lists at most 20 skipped rows, then how many more', async () => {
    const bad = Array.from({ length: 25 }, (_, i) => `X${i},Item,free,in_stock`);
    const file = feed('bad.csv', `id,title,price,availability\nOK,Fine,1.00 USD,in_stock\n${bad.join('\n')}\n`);
    const text = formatImportSummary(await importCatalogue({ file, repo }));

    expect(text).toContain('Read 26 rows from bad.csv (CSV).');
    expect(text).toContain('new products:     1');
    expect(text).toContain('skipped rows:     25');
    expect(text).toContain('line 3: price "free" is not a price like "15.00 USD"');
    expect(text).toContain('line 22: price "free"');
    expect(text).not.toContain('line 23:');
    expect(text).toContain('and 5 more rows');
  });
});
