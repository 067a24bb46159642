/** One piece of a search-hit snippet: plain text, or text the search matched. */
export interface HighlightPart {
  text: string;
  isHit: boolean;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * Turns the server's escaped entities back into characters. The result is only ever rendered as a
 * React text node, so `&lt;script&gt;` becomes the visible text "<script>", never markup.
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity: string, body: string) => {
    if (body.startsWith('#')) {
      const isHex = body[1] === 'x' || body[1] === 'X';
      const code = Number.parseInt(body.slice(isHex ? 2 : 1), isHex ? 16 : 10);
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/**
 * Splits a highlight snippet (`<mark>` around hits, everything else HTML-escaped) into text parts, so
 * the list can render hits as `<mark>` elements without `dangerouslySetInnerHTML`. Any other tag-like
 * text stays text; an unclosed `<mark>` marks the rest.
 */
export function splitHighlight(html: string): HighlightPart[] {
  const parts: HighlightPart[] = [];
  const push = (raw: string, isHit: boolean) => {
    if (raw === '') return;
    const text = decodeEntities(raw);
    const last = parts[parts.length - 1];
    if (last !== undefined && last.isHit === isHit) last.text += text;
    else parts.push({ text, isHit });
  };
  let rest = html;
  while (rest !== '') {
    const open = rest.indexOf('<mark>');
    if (open === -1) {
      push(rest, false);
      break;
    }
    push(rest.slice(0, open), false);
    const afterOpen = rest.slice(open + '<mark>'.length);
    const close = afterOpen.indexOf('</mark>');
    if (close === -1) {
      push(afterOpen, true);
      break;
    }
    push(afterOpen.slice(0, close), true);
    rest = afterOpen.slice(close + '</mark>'.length);
  }
  return parts;
}
