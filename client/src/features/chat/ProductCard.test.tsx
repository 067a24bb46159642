import type { ProductCard as ProductCardData } from '@aisle/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createI18n } from '../../i18n/i18n';
import { isLoadableImage, ProductCard, ratingLabel } from './ProductCard';

const card: ProductCardData = {
  id: 'DOC-1',
  title: 'Invoice folder invoice\u202Egnp.exe',
  brand: 'Pap\u202Ereco',
  category: 'Office',
  price: { amountMinor: 1299, currency: 'EUR' },
  salePrice: null,
  availability: 'in_stock',
  rating: null,
  reviewCount: 0,
  imageUrl: null,
  link: 'https://www.shop.example/p/DOC-1',
  sizes: ['A4\u2066'],
  colors: [],
};

const CDN = 'https://cdn.shop.example';

function render(
  product: ProductCardData,
  linkDomains: readonly string[] = ['shop.example'],
  imageOrigins: readonly string[] = [CDN],
): string {
  return renderToStaticMarkup(
    <ProductCard product={product} isHighlighted={false} linkDomains={linkDomains} imageOrigins={imageOrigins} />,
  );
}

// The card reads the page's own origin; these tests render on the server, as if on the shop's page.
beforeEach(() => {
  vi.stubGlobal('window', { location: { origin: 'https://www.shop.example' } });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ProductCard', () => {
  it('shows catalogue text without bidirectional overrides', () => {
    const html = render(card);
    expect(html).toContain('invoicegnp.exe');
    expect(html).toContain('Papreco');
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it("links to the product page only on the shop's own domains", () => {
    expect(render(card)).toContain('href="https://www.shop.example/p/DOC-1"');
    const phishing = render({ ...card, link: 'https://claim-refund.example/DOC-1' });
    expect(phishing).not.toContain('claim-refund.example');
    expect(phishing).not.toContain('View product');
  });
});

describe('ProductCard photo', () => {
  it("shows the feed's photo from an allowed origin, lazy-loaded, in a fixed frame, named by the heading", () => {
    const html = render({ ...card, imageUrl: `${CDN}/p/DOC-1.jpg` });
    const img = /<img [^>]*>/.exec(html)?.[0] ?? '';
    expect(img).toContain(`src="${CDN}/p/DOC-1.jpg"`);
    expect(img).toContain('loading="lazy"');
    expect(img).toContain('decoding="async"');
    expect(img).toContain('width="400"');
    expect(img).toContain('height="300"');
    // The heading (the card's accessible name) already says the title: the photo is not read twice.
    expect(img).toContain('alt=""');
    expect(html).not.toContain('product-placeholder');
  });

  it('shows the placeholder, and no <img> to request, for a photo from an origin not allowed', () => {
    const html = render({ ...card, imageUrl: 'https://cdn.shop.example.evil.com/p/DOC-1.jpg' });
    expect(html).not.toContain('<img');
    expect(html).toContain('product-placeholder');
    expect(render({ ...card, imageUrl: null })).toContain('product-placeholder');
  });
});

describe('ProductCard changes since the answer', () => {
  it('shows the price as now with the old one in words', () => {
    const html = render({ ...card, price: { amountMinor: 1499, currency: 'EUR' }, change: { priceWas: card.price } });
    expect(html).toContain('€14.99');
    expect(html).toContain('Price changed: was €12.99');
  });

  it('says the product sold out or came back, instead of the plain availability', () => {
    const soldOut = render({ ...card, availability: 'out_of_stock', change: { stock: 'now-out-of-stock' } });
    expect(soldOut).toContain('Now out of stock');
    expect(render({ ...card, change: { stock: 'back-in-stock' } })).toContain('Back in stock');
  });

  it('keeps a product gone from the catalogue as it was, says so, and offers no link to it', () => {
    const html = render({ ...card, change: { stock: 'no-longer-available' } });
    expect(html).toContain('No longer available');
    expect(html).toContain('€12.99');
    expect(html).not.toContain('In stock');
    expect(html).not.toContain('View product');
    expect(html).not.toContain('href=');
  });

  it('shows no marker on a card that did not change (every live answer)', () => {
    const html = render(card);
    expect(html).not.toContain('Price changed');
    expect(html).toContain('In stock');
  });
});

describe('ratingLabel', () => {
  it('reads the rating and the number of reviews', () => {
    expect(ratingLabel(4.5, 128)).toBe('Rated 4.5 out of 5, 128 reviews');
    expect(ratingLabel(4, 1)).toBe('Rated 4 out of 5, 1 review');
    expect(ratingLabel(3.666, 1200)).toBe('Rated 3.7 out of 5, 1,200 reviews');
  });

  it("reads it in the shopper's language and number format", () => {
    expect(ratingLabel(3.666, 1200, createI18n('de'))).toBe('Bewertet mit 3,7 von 5, 1.200 Bewertungen');
    expect(ratingLabel(4, 1, createI18n('de'))).toBe('Bewertet mit 4 von 5, 1 Bewertung');
    expect(ratingLabel(4.5, 2, createI18n('zh-CN'))).toBe('评分 4.5（满分 5 分），2 条评价');
  });
});

describe('isLoadableImage', () => {
  const origin = 'http://localhost:3000';
  it('loads same-origin and inline images, which the page CSP allows', () => {
    expect(isLoadableImage('/images/p1.jpg', origin)).toBe(true);
    expect(isLoadableImage('http://localhost:3000/images/p1.jpg', origin)).toBe(true);
    expect(isLoadableImage('data:image/png;base64,iVBORw0KGgo=', origin)).toBe(true);
  });

  it('shows the placeholder for images the CSP would block', () => {
    expect(isLoadableImage('https://cdn.example/p1.jpg', origin)).toBe(false);
    expect(isLoadableImage('data:image/svg+xml;base64,PHN2Zz4=', origin)).toBe(false);
  });

  it('loads images from the origins in server.imageOrigins', () => {
    const allowed = ['https://cdn.shop.example', 'http://127.0.0.1:4000'];
    expect(isLoadableImage('https://cdn.shop.example/p/1.jpg?w=400', origin, allowed)).toBe(true);
    expect(isLoadableImage('https://CDN.shop.example:443/p/1.jpg', origin, allowed)).toBe(true);
    expect(isLoadableImage('//cdn.shop.example/p/1.jpg', 'https://www.shop.example', allowed)).toBe(true);
    expect(isLoadableImage('http://127.0.0.1:4000/p.png', origin, allowed)).toBe(true);
  });

  it('refuses lookalikes of an allowed origin: another host, port or scheme', () => {
    const allowed = ['https://cdn.shop.example'];
    for (const url of [
      'https://cdn.shop.example.evil.com/p/1.jpg',
      'https://evilcdn.shop.example/p/1.jpg',
      'https://img.cdn.shop.example/p/1.jpg',
      'https://cdn.shop.example:8443/p/1.jpg',
      'http://cdn.shop.example/p/1.jpg',
      'https://cdn.shop.example@evil.example/p/1.jpg',
      'ftp://cdn.shop.example/p/1.jpg',
      'javascript:alert(1)',
    ])
      expect(isLoadableImage(url, origin, allowed), url).toBe(false);
  });
});
