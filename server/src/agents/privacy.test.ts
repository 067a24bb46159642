import { describe, expect, it } from 'vitest';
import { HIT_CLOSE, HIT_OPEN, escapeHtml, isLuhnValid, maskDeep, maskPersonalData, renderHighlight } from './privacy';

const hit = (s: string) => `${HIT_OPEN}${s}${HIT_CLOSE}`;

describe('maskPersonalData', () => {
  it('masks an email down to its first letter and domain', () => {
    expect(maskPersonalData('mail me at john.smith@example.com please')).toEqual({
      text: 'mail me at j***@example.com please',
      isMasked: true,
    });
  });

  it('masks phone numbers in common shapes, keeping the country code and the last four digits', () => {
    expect(maskPersonalData('call +44 7700 900123').text).toBe('call +44 *** *** 0123');
    expect(maskPersonalData('or (555) 123-4567 today').text).toBe('or *** *** 4567 today');
    expect(maskPersonalData('mobile 07700-900-123').text).toBe('mobile *** *** 0123');
  });

  it('masks Luhn-valid card numbers with spaces or dashes, but not other long numbers', () => {
    expect(maskPersonalData('card 4242 4242 4242 4242 exp 12/29').text).toBe('card **** **** **** 4242 exp 12/29');
    expect(maskPersonalData('card 5555-5555-5555-4444').text).toBe('card **** **** **** 4444');
    expect(maskPersonalData('card 4111111111111111').text).toBe('card **** **** **** 1111');
    // 16 digits that fail the checksum are not a card (and too long for a phone).
    expect(maskPersonalData('ref 1234 5678 9012 3456').isMasked).toBe(false);
  });

  it('leaves prices, sizes, dates and product ids alone', () => {
    const text = 'Trail shoes under $120, size 44, delivered by 2025-05-01, like TRL-100-44 for 109.99 USD';
    expect(maskPersonalData(text)).toEqual({ text, isMasked: false });
  });

  it('masks several kinds in one message', () => {
    const { text } = maskPersonalData('I am ann@shop.io, +1 415 555 0100, card 4000 0566 5566 5556.');
    expect(text).toBe('I am a***@shop.io, +1 *** *** 0100, card **** **** **** 5556.');
  });
});

describe('isLuhnValid', () => {
  it('accepts test card numbers and rejects a changed digit', () => {
    expect(isLuhnValid('4242424242424242')).toBe(true);
    expect(isLuhnValid('4242424242424243')).toBe(false);
  });
});

describe('renderHighlight', () => {
  it('wraps hits in <mark> and escapes everything else', () => {
    expect(renderHighlight(`<b>waterproof</b> ${hit('trail')} shoes & socks`).html).toBe(
      '&lt;b&gt;waterproof&lt;/b&gt; <mark>trail</mark> shoes &amp; socks',
    );
  });

  it('escapes markup inside a hit too', () => {
    expect(renderHighlight(`say ${hit('<img src=x onerror=alert(1)>')}`).html).toBe(
      'say <mark>&lt;img src=x onerror=alert(1)&gt;</mark>',
    );
  });

  it('masks personal data in the snippet and marks the whole masked value when the hit is inside it', () => {
    const out = renderHighlight(`write to john@${hit('example')}.com about boots`);
    expect(out).toEqual({ html: 'write to <mark>j***@example.com</mark> about boots', isMasked: true });
  });

  it('cuts long text to a window around the first hit without cutting a masked card number', () => {
    const long = `${'lorem ipsum '.repeat(30)}my card is 4242 4242 4242 4242 and I want ${hit('boots')} ${'dolor sit '.repeat(30)}`;
    const { html } = renderHighlight(long, { windowChars: 60 });
    expect(html).toContain('<mark>boots</mark>');
    expect(html.startsWith('…')).toBe(true);
    expect(html.endsWith('…')).toBe(true);
    expect(html).not.toMatch(/4242 4242/);
    expect(html.length).toBeLessThan(long.length / 3);
  });
});

describe('maskDeep', () => {
  it('masks strings anywhere in tool arguments and leaves other values alone', () => {
    expect(maskDeep({ query: 'boots for ann@shop.io', max_price: 120, tags: ['call 07700 900123'], in_stock: true })).toEqual({
      query: 'boots for a***@shop.io',
      max_price: 120,
      tags: ['call *** *** 0123'],
      in_stock: true,
    });
  });
});

describe('renderHighlight without masking', () => {
  it('leaves text alone when asked not to mask (text the shop wrote)', () => {
    expect(renderHighlight(`sizes 40 41 42 43 ${hit('44')}`, { mask: false })).toEqual({
      html: 'sizes 40 41 42 43 <mark>44</mark>',
      isMasked: false,
    });
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
