import type { ProductCard as ProductCardData } from '@aisle/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
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

function render(product: ProductCardData, linkDomains: readonly string[] = ['shop.example']): string {
  return renderToStaticMarkup(<ProductCard product={product} isHighlighted={false} linkDomains={linkDomains} />);
}

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

describe('ratingLabel', () => {
  it('reads the rating and the number of reviews', () => {
    expect(ratingLabel(4.5, 128)).toBe('Rated 4.5 out of 5, 128 reviews');
    expect(ratingLabel(4, 1)).toBe('Rated 4 out of 5, 1 review');
    expect(ratingLabel(3.666, 1200)).toBe('Rated 3.7 out of 5, 1,200 reviews');
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
});
