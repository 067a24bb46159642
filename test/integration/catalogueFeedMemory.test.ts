import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const ROWS = 100_000;
/** Far below what 100,000 rows (about 50 MB of text) take as JavaScript objects. */
const HEAP_MB = 64;

let dir: string;
let feedFile: string;
let server: http.Server;
let url: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-feed-memory-'));
  feedFile = path.join(dir, 'big.tsv');
  const description = 'Hard-wearing merino blend shirt for long days on the trail, with flat seams and odour control. '.repeat(4);
  const out = fs.createWriteStream(feedFile);
  out.write('id\ttitle\tdescription\tprice\tavailability\tbrand\tproduct_type\n');
  for (let i = 0; i < ROWS; i += 1) {
    const line = `P-${i}\tFeedwear Alpine Shirt ${i}\t${description}${i}\t${10 + (i % 90)}.00 USD\tin stock\tFeedwear\tShirts > Hiking shirts\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/tab-separated-values', 'content-length': fs.statSync(feedFile).size });
    fs.createReadStream(feedFile).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/big.tsv`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a 100,000-row feed', () => {
  it(`syncs in a process whose JavaScript heap is capped at ${HEAP_MB} MB: rows stream, they are never all held`, async () => {
    const dataDir = path.join(dir, 'data');
    // A reader that kept every row (or the whole body) would die here with "heap out of memory".
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', path.join(here, 'support/syncInSmallHeap.ts'), url, dataDir],
        { cwd: repoRoot, maxBuffer: 1024 * 1024 },
        (error, out, err) =>
          resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stdout: out, stderr: err }),
      );
    });
    expect(stderr).not.toContain('heap out of memory');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', added: ROWS, skipped: 0 });
    expect(fs.statSync(feedFile).size).toBeGreaterThan(HEAP_MB * 1024 * 1024 * 0.6);
  }, 240_000);
});
