/**
 * Masking of personal data that shoppers type (emails, phone numbers, card numbers) before agents see
 * a transcript. Pure functions: the original text stays in the database and is only returned by the
 * audited "reveal" endpoint.
 */

/** One piece of text to replace: `[start, end)` in the original string. */
export interface MaskSpan {
  start: number;
  end: number;
  replacement: string;
  kind: 'email' | 'phone' | 'card';
}

// Card-like: 13-19 digits, optionally grouped with single spaces or dashes.
const CARD_RE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;
// Local part and domain as mail providers accept them; the local part keeps only its first character.
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// Digits with at most two separator characters between them, optionally led by "+" or "(".
const PHONE_RE = /(?<![\w+@])(?:\+|\()?\d(?:[ .\-()]{0,2}\d){6,18}(?![\w@])/g;

/** True when the digits pass the Luhn checksum that payment card numbers carry. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function overlaps(spans: MaskSpan[], start: number, end: number): boolean {
  return spans.some((s) => start < s.end && end > s.start);
}

/** Finds every email, phone number and Luhn-valid card number in the text, in order. */
export function findPersonalData(text: string): MaskSpan[] {
  const spans: MaskSpan[] = [];
  for (const m of text.matchAll(CARD_RE)) {
    const digits = m[0].replace(/\D/g, '');
    if (!isLuhnValid(digits)) continue;
    spans.push({ start: m.index, end: m.index + m[0].length, replacement: `**** **** **** ${digits.slice(-4)}`, kind: 'card' });
  }
  for (const m of text.matchAll(EMAIL_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(spans, start, end)) continue;
    const at = m[0].lastIndexOf('@');
    spans.push({ start, end, replacement: `${m[0].slice(0, 1)}***${m[0].slice(at)}`, kind: 'email' });
  }
  for (const m of text.matchAll(PHONE_RE)) {
    const raw = m[0];
    const start = m.index;
    const end = start + raw.length;
    if (overlaps(spans, start, end)) continue;
    const digits = raw.replace(/\D/g, '');
    const international = raw.startsWith('+');
    // Short digit runs are prices, sizes, dates; a phone number has at least 8 digits with a country code, 9 without.
    if (digits.length > 15 || digits.length < (international ? 8 : 9)) continue;
    const country = international ? `+${raw.slice(1).match(/^\d{1,3}/)?.[0] ?? ''} ` : '';
    spans.push({ start, end, replacement: `${country}*** *** ${digits.slice(-4)}`, kind: 'phone' });
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** The text with personal data masked, and whether anything was. */
export function maskPersonalData(text: string): { text: string; isMasked: boolean } {
  const spans = findPersonalData(text);
  if (spans.length === 0) return { text, isMasked: false };
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.replacement;
    at = s.end;
  }
  return { text: out + text.slice(at), isMasked: true };
}

/** Masks personal data in every string inside a JSON-like value (e.g. tool call arguments). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskPersonalData(value).text as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]: [string, unknown]) => [k, maskDeep(v)])) as T;
  }
  return value;
}

/** Escapes text for HTML element content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Markers the database's `highlight()` puts around hits; control characters a shopper cannot usefully type. */
export const HIT_OPEN = '\u0002';
export const HIT_CLOSE = '\u0003';

/**
 * Turns text with hit markers into safe HTML: personal data masked first (unless `mask: false`), a hit that touches masked
 * text marks the whole mask, everything escaped, hits wrapped in `<mark>`. Long text is cut to a
 * window around the first hit so the list stays readable.
 */
export function renderHighlight(
  marked: string,
  options: { mask?: boolean; windowChars?: number } = {},
): { html: string; isMasked: boolean } {
  const windowChars = options.windowChars ?? 160;
  // Strip markers, remembering the hit ranges in the clean text.
  let clean = '';
  const hits: Array<{ start: number; end: number }> = [];
  let open: number | null = null;
  for (const ch of marked) {
    if (ch === HIT_OPEN) open = clean.length;
    else if (ch === HIT_CLOSE) {
      if (open !== null && clean.length > open) hits.push({ start: open, end: clean.length });
      open = null;
    } else clean += ch;
  }

  // Build the masked text and map hit ranges into it; a hit inside a mask covers the whole mask.
  const spans = options.mask === false ? [] : findPersonalData(clean);
  const toMasked = (pos: number, edge: 'start' | 'end'): number => {
    let shift = 0;
    for (const s of spans) {
      if (pos <= s.start) break;
      if (pos < s.end || (edge === 'end' && pos === s.end)) {
        return edge === 'start' ? s.start + shift : s.start + shift + s.replacement.length;
      }
      shift += s.replacement.length - (s.end - s.start);
    }
    return pos + shift;
  };
  let text = '';
  let at = 0;
  for (const s of spans) {
    text += clean.slice(at, s.start) + s.replacement;
    at = s.end;
  }
  text += clean.slice(at);
  const ranges = hits
    .map((h) => ({ start: toMasked(h.start, 'start'), end: toMasked(h.end, 'end') }))
    .sort((a, b) => a.start - b.start)
    .reduce<Array<{ start: number; end: number }>>((acc, r) => {
      const last = acc.at(-1);
      if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else acc.push({ ...r });
      return acc;
    }, []);

  // Window around the first hit, cut at spaces.
  let from = 0;
  let to = text.length;
  const first = ranges[0];
  if (text.length > windowChars) {
    const centre = first ? first.start : 0;
    from = Math.max(0, centre - Math.floor(windowChars / 3));
    to = Math.min(text.length, from + windowChars);
    if (first && to < first.end) to = Math.min(text.length, first.end);
    // Never cut inside a masked value (or a word): move the edges out to the next space.
    while (from > 0 && text[from - 1] !== ' ') from--;
    while (to < text.length && text[to] !== ' ') to++;
  }
  let html = from > 0 ? '…' : '';
  let pos = from;
  for (const r of ranges) {
    const s = Math.max(r.start, from);
    const e = Math.min(r.end, to);
    if (e <= s) continue;
    html += `${escapeHtml(text.slice(pos, s))}<mark>${escapeHtml(text.slice(s, e))}</mark>`;
    pos = e;
  }
  html += escapeHtml(text.slice(pos, to)) + (to < text.length ? '…' : '');
  return { html, isMasked: spans.length > 0 };
}
