import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parse, type CsvError } from 'csv-parse';

/** Feed formats the importer reads. */
export type FeedFormat = 'csv' | 'tsv' | 'jsonl' | 'json';

/** One data row from a feed, with the (1-based) line it starts on; or a row that could not be read at all. */
export type FeedItem =
  { kind: 'row'; line: number; fields: Record<string, unknown> } | { kind: 'broken'; line: number; reason: string };

/** A problem with the whole file (not one row): it cannot be imported at all. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
}

/** How a delimited file is split. */
export interface FeedLayout {
  format: FeedFormat;
  /** Field delimiter for csv/tsv. */
  delimiter?: string;
}

const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = ['\t', ',', ';', '|', '~'] as const;

/**
 * Picks the format from the extension and the file's first bytes. Delimited text is recognised by
 * counting candidate delimiters in the header line (Merchant allows tab, comma, pipe and tilde).
 */
export function detectFeedLayout(file: string, head: string): FeedLayout {
  const ext = path.extname(file).toLowerCase();
  const start = head.replace(/^\uFEFF/, '').trimStart();
  if (ext === '.jsonl' || ext === '.ndjson') return { format: 'jsonl' };
  if (ext === '.json') return { format: start.startsWith('{') && isJsonLines(start) ? 'jsonl' : 'json' };
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '') {
    if (start.startsWith('{')) return { format: 'jsonl' };
    if (start.startsWith('[')) return { format: 'json' };
    const delimiter = sniffDelimiter(start, ext === '.tsv' ? '\t' : ',');
    return { format: delimiter === '\t' ? 'tsv' : 'csv', delimiter };
  }
  throw new FeedError(
    `Aisle can't tell what format "${path.basename(file)}" is. Use a Google Merchant feed saved as .tsv, .csv, .txt (tab or comma separated, with a header row), .jsonl/.ndjson (one JSON object per line) or .json (an array of objects).`,
  );
}

/** JSON Lines saved as .json: the first line alone is a whole object and more follows. */
function isJsonLines(start: string): boolean {
  const [first, second] = start.split('\n', 2);
  if (first === undefined || second === undefined) return false;
  try {
    JSON.parse(first);
    return true;
  } catch {
    return false;
  }
}

function sniffDelimiter(text: string, fallback: string): string {
  const header = text.split(/\r?\n/, 1)[0] ?? '';
  let best = fallback;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const n = header.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Reads the first bytes of a file (for format detection). */
export async function readHead(file: string): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Hooks for the reader's caller. */
export interface ReadFeedHooks {
  /** Bytes of the file consumed so far. */
  onBytes?: (bytesRead: number) => void;
  /** The header row of a delimited file, as written; may throw a FeedError to stop the import. */
  onHeader?: (names: string[]) => void;
}

/**
 * Streams a feed's data rows. Delimited files and JSON Lines are read incrementally; a JSON array is
 * read whole (JSON Lines is the format for very large catalogues). Header names are returned as written;
 * the Merchant mapping normalises them.
 */
export async function* readFeed(file: string, layout: FeedLayout, hooks: ReadFeedHooks = {}): AsyncGenerator<FeedItem> {
  const { onBytes } = hooks;
  switch (layout.format) {
    case 'csv':
    case 'tsv':
      yield* readDelimited(file, layout.delimiter ?? (layout.format === 'tsv' ? '\t' : ','), hooks);
      return;
    case 'jsonl':
      yield* readJsonLines(file, onBytes);
      return;
    case 'json':
      yield* readJsonArray(file, onBytes);
      return;
  }
}

/** A quote left open at the end of a file: in a downloaded feed, the mark of a cut-off download. */
export const UNCLOSED_QUOTE_REASON = 'a quoted field is never closed, so the rest of the file was read as part of it';

/** Reasons for csv-parse's record-level errors in words a shop owner understands. */
function describeCsvError(error: CsvError | undefined): string {
  switch (error?.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return UNCLOSED_QUOTE_REASON;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by more text in the same field; double a quote inside a quoted field ("")';
    default:
      return error?.message ?? 'the row could not be read';
  }
}

async function* readDelimited(file: string, delimiter: string, hooks: ReadFeedHooks): AsyncGenerator<FeedItem> {
  const { onBytes, onHeader } = hooks;
  const input = fs.createReadStream(file);
  const skipped: FeedItem[] = [];
  // Lines are counted from where the previous record ended, so a quoted field spanning lines still
  // reports the line its record starts on.
  let lastEnd = 0;
  const startLine = (raw: string | undefined): number => lastEnd + 1 + leadingNewlines(raw);
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    raw: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      skipped.push({ kind: 'broken', line: startLine(raw), reason: describeCsvError(error) });
      return undefined;
    },
  });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  try {
    let header: string[] | null = null;
    // csv-parse's stream iterates untyped; with info and raw on, each chunk has exactly this shape.
    for await (const chunk of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
      yield* skipped.splice(0);
      const line = startLine(chunk.raw);
      lastEnd = chunk.info.lines;
      onBytes?.(input.bytesRead);
      if (header === null) {
        header = chunk.record.map((h) => h.trim());
        onHeader?.(header);
        continue;
      }
      const record = chunk.record;
      if (record.length !== header.length) {
        yield { kind: 'broken', line, reason: fieldCountReason(record.length, header.length, delimiter) };
        continue;
      }
      const fields: Record<string, unknown> = {};
      header.forEach((name, i) => {
        if (!(name in fields) || fields[name] === '') fields[name] = record[i];
      });
      yield { kind: 'row', line, fields };
    }
    yield* skipped.splice(0);
    onBytes?.(input.bytesRead);
  } finally {
    // Stops reading when the caller gives up early (e.g. the header was rejected).
    input.destroy();
  }
}

function fieldCountReason(got: number, expected: number, delimiter: string): string {
  const hint = got > expected ? ` (an unquoted ${delimiter === '\t' ? 'tab' : `"${delimiter}"`} inside a value?)` : '';
  return `has ${got} ${got === 1 ? 'field' : 'fields'} but the header has ${expected}${hint}`;
}

function leadingNewlines(raw: string | undefined): number {
  return (raw?.match(/^(?:\r?\n|\r)*/)?.[0].match(/\n|\r(?!\n)/g) ?? []).length;
}

async function* readJsonLines(file: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<FeedItem> {
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    onBytes?.(input.bytesRead);
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (trimmed === '') continue;
    yield jsonItem(trimmed, line);
  }
  onBytes?.(input.bytesRead);
}

function jsonItem(text: string, line: number): FeedItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'broken', line, reason: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'broken', line, reason: 'is not a JSON object like {"id": "...", "title": "...", ...}' };
  }
  return { kind: 'row', line, fields: { ...value } };
}

/** Wrapper keys exports put the product array under ({"products": [...]}, Content API "resources"). */
const ARRAY_KEYS = ['products', 'items', 'resources', 'entries'];

async function* readJsonArray(file: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<FeedItem> {
  const text = (await fs.promises.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  onBytes?.(Buffer.byteLength(text));
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FeedError(
      `"${path.basename(file)}" is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix it, or use JSON Lines (.jsonl) so one broken product doesn't stop the whole import.`,
    );
  }
  let items: unknown[] | null = Array.isArray(root) ? root : null;
  let key: string | null = null;
  if (!items && typeof root === 'object' && root !== null) {
    for (const k of ARRAY_KEYS) {
      const v: unknown = Reflect.get(root, k);
      if (Array.isArray(v)) {
        items = v;
        key = k;
        break;
      }
    }
  }
  if (!items) {
    throw new FeedError(`"${path.basename(file)}" should hold a JSON array of products, like [{"id": "...", "title": "..."}].`);
  }
  const lines = arrayElementLines(text, key);
  for (const [i, value] of items.entries()) {
    const line = lines[i] ?? 0;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { kind: 'broken', line, reason: `(item ${i + 1}) is not a JSON object` };
    } else {
      yield { kind: 'row', line, fields: { ...value } };
    }
  }
}

/**
 * The line each element of the product array starts on, found by scanning the (already validated)
 * JSON text, so problems in a .json file are reported by line like every other format.
 */
export function arrayElementLines(text: string, key: string | null): number[] {
  const lines: number[] = [];
  const targetDepth = key === null ? 1 : 2;
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  let lastKey: string | null = null;
  let inTarget = false;
  let awaiting = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\n') line += 1;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') {
        inString = false;
        if (depth === 1 && key !== null) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue;
    if (inTarget && depth === targetDepth && awaiting && ch !== ']' && ch !== ',') {
      lines.push(line);
      awaiting = false;
    }
    if (ch === '"') {
      inString = true;
      stringStart = i;
    } else if (ch === '[' || ch === '{') {
      depth += 1;
      if (ch === '[' && depth === targetDepth && (key === null || lastKey === key)) {
        inTarget = true;
        awaiting = true;
      }
    } else if (ch === ']' || ch === '}') {
      if (depth === targetDepth && inTarget) inTarget = false;
      depth -= 1;
    } else if (ch === ',' && inTarget && depth === targetDepth) {
      awaiting = true;
    }
  }
  return lines;
}
