import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/database';
import { createProductRepository, type ProductRepository } from '../../db/productRepository';
import { detectFeedLayout, readFeed, readHead } from './feedReader';
import { FeedError, formatImportSummary, importCatalogue } from './importCatalogue';
import { createShopifyReader, isShopifyHeader, type ShopifyOutcome, type ShopifyReader } from './shopifyCsv';
import { htmlToText } from './shopifyValues';

/** The columns of Shopify's 2024+ product export, in its order. */
const HEADER = [
  'Handle', 'Title', 'Body (HTML)', 'Vendor', 'Product Category', 'Type', 'Tags', 'Published',
  'Option1 Name', 'Option1 Value', 'Option1 Linked To', 'Option2 Name', 'Option2 Value', 'Option2 Linked To',
  'Option3 Name', 'Option3 Value', 'Option3 Linked To', 'Variant SKU', 'Variant Grams', 'Variant Inventory Tracker',
  'Variant Inventory Qty', 'Variant Inventory Policy', 'Variant Fulfillment Service', 'Variant Price',
  'Variant Compare At Price', 'Variant Requires Shipping', 'Variant Taxable', 'Variant Barcode', 'Image Src',
  'Image Position', 'Image Alt Text', 'Gift Card', 'SEO Title', 'SEO Description', 'Google Shopping / Google Product Category',
  'Google Shopping / Gender', 'Google Shopping / Age Group', 'Google Shopping / MPN', 'Google Shopping / Condition',
  'Variant Image', 'Variant Weight Unit', 'Variant Tax Code', 'Cost per item', 'Status',
]; // prettier-ignore

type Cells = Partial<Record<(typeof HEADER)[number], string>>;

/** A CSV as Shopify writes it: every field quoted when it needs to be, rows in the header's order. */
function shopifyCsv(rows: Cells[], header: readonly string[] = HEADER): string {
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = rows.map((r) => header.map((h) => field(r[h] ?? '')).join(','));
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

const product = (cells: Cells): Cells => ({
  Published: 'true',
  'Gift Card': 'false',
  Status: 'active',
  'Variant Inventory Tracker': 'shopify',
  'Variant Inventory Policy': 'deny',
  'Variant Fulfillment Service': 'manual',
  'Variant Requires Shipping': 'true',
  'Variant Taxable': 'true',
  ...cells,
});

/** A multi-variant product, an image-only row, a draft, an unpublished product, a gift card and more. */
const EXPORT: Cells[] = [
  product({
    Handle: 'trail-shoe',
    Title: 'Vantor Scree 3 Trail Shoe',
    'Body (HTML)':
      '<p>Grippy &amp; light &ndash; made for scree.</p>\n<script>alert("stolen")</script><ul><li>Vibram&reg; sole</li></ul>',
    Vendor: 'Vantor',
    'Product Category': 'Apparel & Accessories > Shoes > Athletic Shoes',
    Type: 'Trail Shoes',
    Tags: 'trail, running,waterproof',
    'Option1 Name': 'Size',
    'Option1 Value': '42',
    'Option2 Name': 'Color',
    'Option2 Value': 'Black',
    'Variant SKU': 'TRL-42-BLK',
    'Variant Inventory Qty': '5',
    'Variant Price': '119.99',
    'Variant Compare At Price': '139.99',
    'Variant Barcode': '4006381333931',
    'Image Src': 'https://cdn.shopify.com/s/files/1/trail-1.jpg',
    'Image Position': '1',
  }),
  {
    Handle: 'trail-shoe',
    'Option1 Value': '42',
    'Option2 Value': 'Red',
    'Variant SKU': 'TRL-42-RED',
    'Variant Inventory Tracker': 'shopify',
    'Variant Inventory Qty': '0',
    'Variant Inventory Policy': 'continue',
    'Variant Price': '119.99',
    'Image Src': 'https://cdn.shopify.com/s/files/1/trail-2.jpg',
    'Image Position': '2',
    'Variant Image': 'https://cdn.shopify.com/s/files/1/trail-red.jpg',
  },
  {
    Handle: 'trail-shoe',
    'Option1 Value': '44',
    'Option2 Value': 'Black',
    'Variant Inventory Tracker': 'shopify',
    'Variant Inventory Qty': '-2',
    'Variant Inventory Policy': 'deny',
    'Variant Price': '119.99',
    'Variant Compare At Price': '99.00',
  },
  { Handle: 'trail-shoe', 'Image Src': 'https://cdn.shopify.com/s/files/1/trail-3.jpg', 'Image Position': '3' },
  { Handle: 'trail-shoe', 'Image Src': 'javascript:alert(document.cookie)', 'Image Position': '4' },
  product({ Handle: 'draft-hat', Title: 'Hat', 'Variant Price': '20.00', Status: 'draft' }),
  product({ Handle: 'staff-mug', Title: 'Staff Mug', 'Variant Price': '5.00', Published: 'false' }),
  product({ Handle: 'gift-card', Title: 'Gift Card', 'Variant Price': '25.00', 'Gift Card': 'true' }),
  product({
    Handle: 'water-bottle',
    Title: 'Steel Bottle',
    'Option1 Name': 'Title',
    'Option1 Value': 'Default Title',
    'Variant Inventory Tracker': '',
    'Variant Price': '24.95',
  }),
  product({
    Handle: 'wool-sock',
    Title: 'Wool Sock',
    Type: '',
    'Product Category': 'Apparel & Accessories > Clothing > Socks',
    'Option1 Name': 'Größe',
    'Option1 Value': 'M',
    'Option2 Name': 'Material',
    'Option2 Value': 'Merino',
    'Option3 Name': 'Pack',
    'Option3 Value': '3er',
    'Variant Price': '18.00',
  }),
  product({
    Handle: 'desk-lamp',
    Title: 'Desk Lamp',
    'Variant Price': '40.00',
    'Variant Inventory Qty': '3',
    'Image Src': 'JaVa\tScRiPt:alert(1)',
    'Image Position': '1',
  }),
];

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-shopify-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Reads a file through the real CSV reader into the Shopify reader, collecting every outcome. */
async function readShopify(file: string, shopUrl: string | null = 'https://shop.example'): Promise<ShopifyOutcome[]> {
  const out: ShopifyOutcome[] = [];
  const state: { reader: ShopifyReader | null } = { reader: null };
  const layout = detectFeedLayout(file, await readHead(file));
  const items = readFeed(file, layout, {
    onHeader: (header) => {
      state.reader = createShopifyReader({ header, currency: 'EUR', shopUrl });
    },
  });
  for await (const item of items) {
    if (item.kind === 'row') out.push(...(state.reader?.push(item.line, item.fields) ?? []));
  }
  out.push(...(state.reader?.finish() ?? []));
  return out;
}

const records = (outcomes: ShopifyOutcome[]) => outcomes.flatMap((o) => (o.kind === 'record' ? [o.record] : []));

describe('isShopifyHeader', () => {
  it('recognises a Shopify export and not a Merchant feed', () => {
    expect(isShopifyHeader(HEADER)).toBe(true);
    expect(isShopifyHeader(['handle', 'title', 'variant price'])).toBe(true);
    expect(isShopifyHeader(['id', 'title', 'price', 'availability'])).toBe(false);
  });
});

describe('createShopifyReader', () => {
  it('maps a multi-variant product to one record per variant, with sale prices, stock and images', async () => {
    const outcomes = await readShopify(write('products_export.csv', shopifyCsv(EXPORT)));
    const shoes = records(outcomes).filter((r) => r.itemGroupId === 'trail-shoe');

    const common = {
      title: 'Vantor Scree 3 Trail Shoe',
      description: 'Grippy & light – made for scree.\n\n * Vibram® sole',
      link: 'https://shop.example/products/trail-shoe',
      currency: 'EUR',
      brand: 'Vantor',
      productType: 'Trail Shoes',
      category: 'Trail Shoes',
      googleProductCategory: 'Apparel & Accessories > Shoes > Athletic Shoes',
      keywords: ['trail', 'running', 'waterproof'],
    };
    expect(shoes).toEqual([
      expect.objectContaining({
        ...common,
        id: 'trail-shoe/42/black',
        size: '42',
        color: 'Black',
        priceMinor: 13999,
        salePriceMinor: 11999,
        availability: 'in_stock',
        stockQuantity: 5,
        imageLink: 'https://cdn.shopify.com/s/files/1/trail-1.jpg',
        mpn: 'TRL-42-BLK',
        gtin: '4006381333931',
      }),
      expect.objectContaining({
        ...common,
        id: 'trail-shoe/42/red',
        color: 'Red',
        priceMinor: 11999,
        salePriceMinor: null,
        availability: 'backorder',
        stockQuantity: 0,
        imageLink: 'https://cdn.shopify.com/s/files/1/trail-red.jpg',
      }),
      // A compare-at price below the price is no sale.
      expect.objectContaining({
        ...common,
        id: 'trail-shoe/44/black',
        size: '44',
        priceMinor: 11999,
        salePriceMinor: null,
        availability: 'out_of_stock',
        stockQuantity: 0,
        imageLink: 'https://cdn.shopify.com/s/files/1/trail-1.jpg',
      }),
    ]);
  });

  it('never lets script text or markup from Body (HTML) into the description', async () => {
    const [shoe] = records(await readShopify(write('p.csv', shopifyCsv(EXPORT))));
    expect(shoe?.description).not.toMatch(/alert|stolen|<|&amp;/);
  });

  it('refuses rows with a javascript: image, reporting each line, like a Merchant row', async () => {
    const outcomes = await readShopify(write('p.csv', shopifyCsv(EXPORT)));
    expect(outcomes.filter((o) => o.kind === 'problem')).toEqual([
      {
        kind: 'problem',
        line: 7,
        reason: 'Image Src must be an http(s) URL, not "javascript:alert(document.cookie)"',
        rows: 1,
      },
      { kind: 'problem', line: 13, reason: 'Image Src must be an http(s) URL, not "JaVa\tScRiPt:alert(1)"', rows: 1 },
    ]);
    // The shoe keeps its other images; the lamp, whose only row carried the link, is not imported.
    const all = records(outcomes);
    expect(all.map((r) => r.imageLink).filter((link) => link !== null && !link.startsWith('https://'))).toEqual([]);
    expect(all.map((r) => r.id)).not.toContain('desk-lamp');
  });

  it('leaves out drafts, unpublished products and gift cards, saying why', async () => {
    const outcomes = await readShopify(write('p.csv', shopifyCsv(EXPORT)));
    expect(outcomes.filter((o) => o.kind === 'leftOut')).toEqual([
      { kind: 'leftOut', line: 8, reason: 'draft' },
      { kind: 'leftOut', line: 9, reason: 'not published' },
      { kind: 'leftOut', line: 10, reason: 'gift card' },
    ]);
    const ids = records(outcomes).map((r) => r.id);
    expect(ids).not.toContain('draft-hat');
    expect(ids).not.toContain('staff-mug');
    expect(ids).not.toContain('gift-card');
  });

  it('gives a product without options its handle as id and no group; untracked stock is for sale', async () => {
    const bottle = records(await readShopify(write('p.csv', shopifyCsv(EXPORT)))).find((r) => r.title === 'Steel Bottle');
    expect(bottle).toMatchObject({
      id: 'water-bottle',
      itemGroupId: null,
      priceMinor: 2495,
      availability: 'in_stock',
      stockQuantity: null,
      imageLink: null,
      size: null,
      color: null,
    });
  });

  it('reads option names in other languages, keeps other options in the title, and takes the category from the taxonomy', async () => {
    const outcomes = await readShopify(write('p.csv', shopifyCsv(EXPORT)));
    const sock = outcomes.find((o) => o.kind === 'record' && o.record.itemGroupId === 'wool-sock');
    expect(sock?.kind === 'record' && sock.record).toMatchObject({
      id: 'wool-sock/m/merino/3er',
      title: 'Wool Sock - 3er',
      size: 'M',
      material: 'Merino',
      attributes: { Pack: '3er' },
      category: 'Socks',
      productType: 'Apparel & Accessories > Clothing > Socks',
    });
    // Tracked by Shopify, but the export carries no quantity: read as in stock, and said so.
    expect(sock?.kind === 'record' && sock.record.availability).toBe('in_stock');
    expect(sock?.kind === 'record' && sock.warnings.map((w) => w.key)).toEqual(['shopify:no-quantity']);
  });

  it('builds no link without a shop address', async () => {
    const all = records(await readShopify(write('p.csv', shopifyCsv(EXPORT)), null));
    expect(all.map((r) => r.link)).toEqual(all.map(() => null));
  });

  it('reports rows of a handle that comes back after another product, and keeps the first group', async () => {
    const file = write(
      'shuffled.csv',
      shopifyCsv([
        product({
          Handle: 'a',
          Title: 'A',
          'Option1 Name': 'Size',
          'Option1 Value': 'S',
          'Variant Price': '1.00',
          'Variant Inventory Qty': '1',
        }),
        product({ Handle: 'b', Title: 'B', 'Variant Price': '2.00', 'Variant Inventory Qty': '1' }),
        { Handle: 'a', 'Option1 Value': 'M', 'Variant Price': '1.00', 'Variant Inventory Qty': '1' },
      ]),
    );
    const outcomes = await readShopify(file);
    expect(records(outcomes).map((r) => r.id)).toEqual(['a/s', 'b']);
    expect(outcomes.filter((o) => o.kind === 'problem')).toEqual([
      expect.objectContaining({
        line: 4,
        reason:
          'Handle "a" comes back after other products (its product starts on line 2); a product\'s rows must be together, as Shopify exports them',
      }),
    ]);
  });

  it('reads an older export (no Product Category, Linked To or Inventory Qty columns)', async () => {
    const old = HEADER.filter((h) => !/Linked To|Product Category|Inventory Qty/.test(h));
    const file = write(
      'old.csv',
      shopifyCsv([product({ Handle: 'cap', Title: 'Cap', Type: 'Hats', 'Variant Price': '15.00' })], old),
    );
    const [cap] = records(await readShopify(file));
    expect(cap).toMatchObject({ id: 'cap', category: 'Hats', availability: 'in_stock', priceMinor: 1500 });
  });
});

describe('htmlToText', () => {
  it.each([
    ['<p>Caf&eacute; &lt;b&gt; &#39;ok&#39;</p>', "Café <b> 'ok'"],
    ['<h2>Care</h2><p>Hand&nbsp;wash</p>', 'Care\n\nHand wash'],
    ['<style>p{color:red}</style><p>Text</p><img src="x" alt="pic">', 'Text'],
    ['<a href="javascript:alert(1)">Size guide</a>', 'Size guide'],
    ['<p>\u202Egnp.exe</p>', 'gnp.exe'],
    ['', ''],
  ])('turns %j into %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

describe('importCatalogue with a Shopify export', () => {
  let db: Database;
  let repo: ProductRepository;

  beforeEach(async () => {
    db = await openDatabase(path.join(dir, 'aisle.sqlite'));
    repo = createProductRepository(db);
  });

  afterEach(async () => {
    await db.close();
  });

  it('imports the variants, counts left-out products and warnings, and says so in the summary', async () => {
    const file = write('products_export_1.csv', shopifyCsv(EXPORT));
    const summary = await importCatalogue({ file, repo, defaultCurrency: 'EUR', shopUrl: 'https://shop.example' });

    expect(summary).toMatchObject({
      source: 'shopify',
      rowsRead: 11,
      inserted: 5,
      skipped: 2,
      leftOut: { draft: 1, 'not published': 1, 'gift card': 1 },
      notes: [],
    });
    expect(await repo.count()).toBe(5);
    expect(await repo.getById('trail-shoe/42/black')).toMatchObject({
      price_minor: 13999,
      sale_price_minor: 11999,
      currency: 'EUR',
      link: 'https://shop.example/products/trail-shoe',
      item_group_id: 'trail-shoe',
    });
    expect(await repo.getById('draft-hat')).toBeUndefined();

    const text = formatImportSummary(summary);
    expect(text).toContain('Read 11 rows from products_export_1.csv (Shopify product CSV).');
    expect(text).toContain('left out:         3 products (1 draft, 1 not published, 1 gift card)');
    expect(text).toContain('line 7: Image Src must be an http(s) URL, not "javascript:alert(document.cookie)"');
    expect(text).toContain('1 row: no Variant Inventory Qty for a variant whose stock Shopify tracks: read as in stock');
    expect(summary.ignoredColumns).toContain('SEO Title');
    expect(summary.ignoredColumns).not.toContain('Variant Price');
  });

  it('refuses a Shopify export without a currency, saying how to give one', async () => {
    const file = write('products_export_1.csv', shopifyCsv(EXPORT));
    const attempt = importCatalogue({ file, repo });
    await expect(attempt).rejects.toThrow(FeedError);
    await expect(importCatalogue({ file, repo })).rejects.toThrow(/Shopify product export.*--currency EUR.*catalogue\.currency/);
    expect(await repo.count()).toBe(0);
  });

  it('says once that products have no link when no shop address is given', async () => {
    const file = write('products_export_1.csv', shopifyCsv(EXPORT));
    const summary = await importCatalogue({ file, repo, defaultCurrency: 'EUR' });
    expect(summary.notes).toEqual([expect.stringContaining('--shop-url https://your-shop.example')]);
    expect(formatImportSummary(summary).match(/no shop address/gi)).toHaveLength(1);
    expect(await repo.getById('water-bottle')).toMatchObject({ link: null });
  });
});
