import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { startTestServer, testDatabaseUrl } from '../helpers/testServer';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(repoRoot, 'server/src/cli/catalogue.ts');

let dir: string;
let double: OllamaDouble;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-catalogue-cli-'));
  double = await startOllamaDouble();
});
afterEach(async () => {
  await double.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `pnpm catalogue <args>` as a process, on the config written into the test's folder (and its PostgreSQL schema). */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const databaseUrl = await testDatabaseUrl(path.join(dir, 'data'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          AISLE_CONFIG: path.join(dir, 'aisle.yaml'),
          AISLE_DATA_DIR: '',
          INIT_CWD: dir,
          DATABASE_URL: databaseUrl ?? '',
        },
      },
      (error, stdout, stderr) => resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}

function writeConfig(feeds = ''): void {
  fs.writeFileSync(
    path.join(dir, 'aisle.yaml'),
    `dataDir: ${path.join(dir, 'data')}\ncatalogue:\n  loadDemoWhenEmpty: true\n${feeds}`,
  );
}

describe('pnpm catalogue and the demo', () => {
  it('the demo loads on first start, a CLI import removes it, and the server never loads it back', async () => {
    writeConfig();
    const first = await startTestServer({ ollamaUrl: double.url, catalogue: 'demo', dataDir: path.join(dir, 'data') });
    const demoCount = await first.app.products.count();
    expect(demoCount).toBeGreaterThan(2000);
    await first.close();

    fs.writeFileSync(path.join(dir, 'shop.tsv'), 'id\ttitle\tprice\tavailability\nS1\tTrail Shoe\t99.00 USD\tin stock\n');
    const imported = await run(['import', 'shop.tsv']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`removed ${demoCount} demo products: a real catalogue was imported`);

    const sources = await run(['sources']);
    expect(sources.stdout).toMatch(/demo\s+demo\s+0\s+0/);
    expect(sources.stdout).toMatch(/import\s+file\s+1\s+0\s+ok/);

    const again = await startTestServer({ ollamaUrl: double.url, catalogue: 'demo', dataDir: path.join(dir, 'data') });
    const ids = await again.app.db.kysely.selectFrom('products').select(['id', 'source']).execute();
    expect(ids).toEqual([{ id: 'S1', source: 'import' }]);
    await again.close();

    // The demo does not mix with real products, even on request.
    const refused = await run(['demo', 'load']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('1 real products');
  }, 60_000);

  it('demo remove keeps the server from loading it again; demo load brings it back', async () => {
    writeConfig();
    expect((await run(['demo', 'load'])).stdout).toMatch(/Loaded 2,\d{3} demo products/);
    const removed = await run(['demo', 'remove']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/Removed 2,\d{3} demo products/);

    const server = await startTestServer({ ollamaUrl: double.url, catalogue: 'demo', dataDir: path.join(dir, 'data') });
    expect(await server.app.products.count()).toBe(0);
    await server.close();
    expect((await run(['demo', 'load'])).code).toBe(0);
  }, 60_000);

  it('sync <name> syncs a file feed, prints the summary and exits 1 when refused', async () => {
    const feedFile = path.join(dir, 'feed.tsv');
    writeConfig(`  feeds:\n    - name: shop\n      url: ${feedFile}\n`);
    fs.writeFileSync(
      feedFile,
      'id\ttitle\tprice\tavailability\nA\tShirt\t10.00 USD\tin stock\nB\tShirt B\t11.00 USD\tin stock\n',
    );
    const ok = await run(['sync', 'shop']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('new products:     2');

    expect((await run(['sync', 'shop'])).stdout).toContain('unchanged since the last sync');

    fs.writeFileSync(feedFile, 'id\ttitle\tprice\tavailability\nC\tShirt C\t12.00 USD\tin stock\n');
    const refused = await run(['sync']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('shop: refused: the feed would remove 2 of 2 products (100%)');

    const unknown = await run(['sync', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No feed named "nope" in catalogue.feeds (there are: shop)');
  }, 60_000);
});
