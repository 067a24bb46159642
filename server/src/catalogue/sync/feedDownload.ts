import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { CatalogueFeed } from '../../config/configSchema';

/** Why a sync stopped before it changed anything: `failed` (could not get the feed) or `refused` (it looks broken). */
export class SyncProblem extends Error {
  override readonly name = 'SyncProblem';
  constructor(
    readonly status: 'failed' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

/** The validators of the last applied download, sent back so an unchanged feed costs a 304. */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

/** A feed ready to read: a local file (the feed itself or a downloaded copy), removed by `cleanup`. */
export type FetchedFeed =
  { kind: 'unchanged' } | { kind: 'file'; file: string; validators: FeedValidators; cleanup(): Promise<void> };

/** Download progress; `totalBytes` is null when the server does not say. */
export interface DownloadProgress {
  bytes: number;
  totalBytes: number | null;
}

const EXTENSIONS = new Set(['.csv', '.tsv', '.txt', '.jsonl', '.ndjson', '.json']);
const CONTENT_TYPES: Array<[RegExp, string]> = [
  [/tab-separated/i, '.tsv'],
  [/csv/i, '.csv'],
  [/ndjson|jsonl|json-seq/i, '.jsonl'],
  [/json/i, '.json'],
];

/** Whether a feed's `url` is a web address (otherwise it is a file path). */
export function isWebFeed(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * Gets a feed onto disk without holding it in memory: a web feed is streamed into a file in `dir`
 * with a conditional GET (If-None-Match / If-Modified-Since from `validators`; 304 means unchanged),
 * a local file is read where it is (its size and time stand in for an ETag). Gzip is unpacked, by
 * Content-Encoding (fetch does it) or by the file's magic bytes. The downloaded file is named with
 * the feed's extension so the importer detects its format as it would for a file on disk.
 */
export async function fetchFeed(
  feed: Pick<CatalogueFeed, 'name' | 'url' | 'format' | 'headers'>,
  options: { dir: string; validators: FeedValidators | null; signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void },
): Promise<FetchedFeed> {
  return isWebFeed(feed.url) ? download(feed, options) : localFile(feed, options);
}

async function download(
  feed: Pick<CatalogueFeed, 'name' | 'url' | 'format' | 'headers'>,
  options: { dir: string; validators: FeedValidators | null; signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void },
): Promise<FetchedFeed> {
  const headers: Record<string, string> = { ...feed.headers, 'accept-encoding': 'gzip, deflate' };
  if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
  if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
  let response: Response;
  try {
    response = await fetch(feed.url, { headers, redirect: 'follow', ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new SyncProblem('failed', `could not download the feed: ${describe(error)}`);
  }
  if (response.status === 304) {
    await response.body?.cancel();
    return { kind: 'unchanged' };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new SyncProblem(
      'failed',
      `the feed server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  }
  const urlExt = extensionOf(new URL(feed.url).pathname);
  const contentType = response.headers.get('content-type') ?? '';
  const ext = feed.format ? `.${feed.format}` : (urlExt ?? CONTENT_TYPES.find(([re]) => re.test(contentType))?.[1] ?? '');
  // With Content-Encoding, fetch unpacks the body and Content-Length counts the packed bytes.
  const declared = response.headers.get('content-encoding') ? null : Number(response.headers.get('content-length') ?? Number.NaN);
  const totalBytes = declared !== null && Number.isFinite(declared) ? declared : null;

  await fs.promises.mkdir(options.dir, { recursive: true });
  const file = path.join(options.dir, `${feed.name}-${crypto.randomUUID()}${ext}`);
  const cleanup = () => fs.promises.rm(file, { force: true });
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      options.onProgress?.({ bytes, totalBytes });
      done(null, chunk);
    },
  });
  try {
    // The DOM and Node typings of ReadableStream differ (the test project loads both); it is one stream.
    const body = response.body as unknown as NodeReadableStream<Uint8Array>;
    await pipeline(Readable.fromWeb(body), count, gunzipIfPacked(), fs.createWriteStream(file));
  } catch (error) {
    await cleanup();
    if (options.signal?.aborted) throw error;
    throw new SyncProblem('refused', `the download was cut off after ${bytes} bytes (${describe(error)}); nothing was changed`);
  }
  if (totalBytes !== null && bytes !== totalBytes) {
    await cleanup();
    throw new SyncProblem(
      'refused',
      `the download was cut off: ${bytes} of the ${totalBytes} bytes the server announced arrived; nothing was changed`,
    );
  }
  return {
    kind: 'file',
    file,
    validators: { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') },
    cleanup,
  };
}

async function localFile(
  feed: Pick<CatalogueFeed, 'name' | 'url' | 'format'>,
  options: { dir: string; validators: FeedValidators | null },
): Promise<FetchedFeed> {
  const source = path.resolve(feed.url);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(source);
  } catch (error) {
    throw new SyncProblem('failed', `could not read the feed file ${source}: ${describe(error)}`);
  }
  if (!stat.isFile()) throw new SyncProblem('failed', `${source} is not a file`);
  // A file's size and modification time play the ETag: an untouched file is not read again.
  const etag = `"file-${stat.size}-${Math.trunc(stat.mtimeMs)}"`;
  if (options.validators?.etag === etag) return { kind: 'unchanged' };
  const validators = { etag, lastModified: stat.mtime.toUTCString() };
  const isGzip = source.toLowerCase().endsWith('.gz');
  const ext = feed.format ? `.${feed.format}` : (extensionOf(source) ?? '');
  if (!isGzip && (!feed.format || path.extname(source).toLowerCase() === ext)) {
    return { kind: 'file', file: source, validators, cleanup: async () => undefined };
  }
  await fs.promises.mkdir(options.dir, { recursive: true });
  const file = path.join(options.dir, `${feed.name}-${crypto.randomUUID()}${ext}`);
  try {
    await pipeline(fs.createReadStream(source), gunzipIfPacked(), fs.createWriteStream(file));
  } catch (error) {
    await fs.promises.rm(file, { force: true });
    throw new SyncProblem('refused', `could not unpack ${source}: ${describe(error)}; nothing was changed`);
  }
  return { kind: 'file', file, validators, cleanup: () => fs.promises.rm(file, { force: true }) };
}

/** The format extension of a path, looking through `.gz`; null when it names no known format. */
function extensionOf(pathname: string): string | null {
  const name = pathname.toLowerCase().replace(/\.gz$/, '');
  const ext = path.extname(name);
  return EXTENSIONS.has(ext) ? ext : null;
}

/** Passes bytes through, unpacking them on the way when they start with the gzip magic (1f 8b). */
function gunzipIfPacked(): Transform {
  let inner: zlib.Gunzip | null = null;
  let decided = false;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!decided) {
        decided = true;
        if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
          inner = zlib.createGunzip();
          inner.on('data', (data: Buffer) => out.push(data));
          inner.on('error', (error) => out.destroy(error));
        }
      }
      if (inner) inner.write(chunk, () => done());
      else done(null, chunk);
    },
    flush(done) {
      if (!inner) return done();
      inner.once('end', () => done());
      inner.end();
    },
  });
  return out;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
