import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { ENV_OVERRIDES, loadConfig } from '../config/loadConfig';
import { createLogger } from '../logger';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(repoRoot, 'server/src/cli/catalogue.ts');

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-cli-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `catalogue <args>` the way `pnpm catalogue` does, with its own data dir (AISLE_DATA_DIR), or
 * with `env` instead.
 */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = { ...process.env, AISLE_CONFIG: '', AISLE_DATA_DIR: path.join(dir, 'data') },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      { cwd: repoRoot, env: { ...env, INIT_CWD: dir } },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('pnpm catalogue', () => {
  it('imports a feed, prints the summary with skipped lines and exits 0; a re-import updates', async () => {
    fs.writeFileSync(
      path.join(dir, 'shop.tsv'),
      'id\ttitle\tprice\tavailability\nS1\tTrail Shoe\t99.00 USD\tin stock\nS2\tBroken\tninety\tin stock\n',
    );
    const first = await run(['import', 'shop.tsv']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Read 2 rows from shop.tsv (TSV).');
    expect(first.stdout).toContain('new products:     1');
    expect(first.stdout).toContain('line 3: price "ninety" is not a price like "15.00 USD"');
    expect(fs.existsSync(path.join(dir, 'data', 'aisle.sqlite'))).toBe(true);

    const second = await run(['import', path.join(dir, 'shop.tsv')]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('updated products: 1');
  }, 60_000);

  it('imports into the database the server opens: the data dir of the config AISLE_CONFIG names', async () => {
    const dataDir = path.join(dir, 'shop-data');
    const configFile = path.join(dir, 'shop.yaml');
    fs.writeFileSync(
      configFile,
      `dataDir: ${JSON.stringify(dataDir)}\ncatalogue:\n  loadDemoWhenEmpty: false\nlog:\n  level: silent\n`,
    );
    fs.writeFileSync(path.join(dir, 'shop.tsv'), 'id\ttitle\tprice\tavailability\nS1\tTrail Shoe\t99.00 USD\tin stock\n');
    const env: NodeJS.ProcessEnv = { ...process.env, AISLE_CONFIG: configFile };
    for (const name of ENV_OVERRIDES) delete env[name];

    const result = await run(['import', 'shop.tsv'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`into ${path.join(dataDir, 'aisle.sqlite')}`);

    const loaded = loadConfig({ env });
    const app = await createApp({ config: () => loaded, logger: createLogger('silent'), clientDist: null });
    try {
      expect(await app.products.getById('S1')).toMatchObject({ title: 'Trail Shoe', price_minor: 9900 });
      expect(await app.products.count()).toBe(1);
    } finally {
      await app.close();
    }
  }, 60_000);

  it('imports a Shopify export with --currency and --shop-url, and explains a missing currency', async () => {
    fs.writeFileSync(
      path.join(dir, 'products_export_1.csv'),
      [
        'Handle,Title,Body (HTML),Vendor,Type,Published,Option1 Name,Option1 Value,Variant SKU,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,Variant Price,Variant Compare At Price,Image Src,Image Position,Gift Card,Status',
        'trail-shoe,Trail Shoe,<p>Grippy &amp; light</p>,Vantor,Shoes,true,Size,42,T-42,shopify,3,deny,119.99,,https://cdn.example/t.jpg,1,false,active',
        'trail-shoe,,,,,,,44,T-44,shopify,0,deny,119.99,,,,,',
        'old-hat,Hat,,,,true,Title,Default Title,H,,,,5.00,,,,false,draft',
      ].join('\n'),
    );
    const refused = await run(['import', 'products_export_1.csv']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Shopify product export, which has no currency column');
    expect(refused.stderr).toContain('--currency EUR');

    const result = await run(['import', 'products_export_1.csv', '--currency', 'eur', '--shop-url', 'https://shop.example']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Format: Shopify product CSV (recognised by its header)');
    expect(result.stdout).toContain('Read 3 rows from products_export_1.csv (Shopify product CSV).');
    expect(result.stdout).toContain('new products:     2');
    expect(result.stdout).toContain('left out:         1 product (1 draft)');
    expect(result.stdout).not.toContain('no shop address');

    const badUrl = await run(['import', 'products_export_1.csv', '--currency', 'EUR', '--shop-url', 'javascript:alert(1)']);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain('--shop-url must be an http(s) URL');
  }, 60_000);

  it('exits 1 when every row fails', async () => {
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'id,title,price,availability\nX,Thing,free,in_stock\n');
    const result = await run(['import', 'bad.csv']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing was imported');
  }, 60_000);

  it('explains a missing file or an unreadable format and exits 1', async () => {
    const missing = await run(['import', 'nowhere.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no file at ${path.join(dir, 'nowhere.csv')}`);

    fs.writeFileSync(path.join(dir, 'export.csv'), 'sku,name,price\nA,B,1\n');
    const wrong = await run(['import', 'export.csv']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('Aisle reads Google Merchant Center feeds');
  }, 60_000);

  it('prints usage for help (exit 0) and for an unknown command (exit 1)', async () => {
    const help = await run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pnpm catalogue import <file>');

    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  }, 60_000);
});
