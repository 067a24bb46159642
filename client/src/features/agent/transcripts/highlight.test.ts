import { describe, expect, it } from 'vitest';
import { decodeEntities, splitHighlight } from './highlight';

describe('splitHighlight', () => {
  it('marks the hits and keeps the text around them', () => {
    expect(splitHighlight('looking for <mark>trail</mark> shoes, <mark>waterproof</mark>')).toEqual([
      { text: 'looking for ', isHit: false },
      { text: 'trail', isHit: true },
      { text: ' shoes, ', isHit: false },
      { text: 'waterproof', isHit: true },
    ]);
  });

  it('decodes the escaped characters back into the text the shopper typed', () => {
    expect(splitHighlight('&quot;R&amp;D&quot; costs &lt; $5 &#39;ok&#39; <mark>caf&#xe9;</mark>')).toEqual([
      { text: `"R&D" costs < $5 'ok' `, isHit: false },
      { text: 'café', isHit: true },
    ]);
  });

  it('keeps an escaped script tag as visible text, not markup', () => {
    const parts = splitHighlight('&lt;script&gt;alert(1)&lt;/script&gt; <mark>shoes</mark>');
    expect(parts[0]).toEqual({ text: '<script>alert(1)</script> ', isHit: false });
    expect(parts[1]).toEqual({ text: 'shoes', isHit: true });
  });

  it('treats any tag other than mark as text', () => {
    expect(splitHighlight('<b>bold</b> <mark>x</mark>')).toEqual([
      { text: '<b>bold</b> ', isHit: false },
      { text: 'x', isHit: true },
    ]);
  });

  it('does not decode twice (an escaped entity stays an entity)', () => {
    expect(splitHighlight('&amp;lt;b&amp;gt;')).toEqual([{ text: '&lt;b&gt;', isHit: false }]);
  });

  it('marks the rest when a mark is never closed, and returns nothing for an empty snippet', () => {
    expect(splitHighlight('a <mark>b')).toEqual([
      { text: 'a ', isHit: false },
      { text: 'b', isHit: true },
    ]);
    expect(splitHighlight('')).toEqual([]);
  });
});

describe('decodeEntities', () => {
  it('leaves unknown or invalid entities as they are', () => {
    expect(decodeEntities('&bogus; &#0; &#x110000;')).toBe('&bogus; &#0; &#x110000;');
  });
});
