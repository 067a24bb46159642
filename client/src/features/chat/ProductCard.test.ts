import { describe, expect, it } from 'vitest';
import { isLoadableImage, ratingLabel } from './ProductCard';

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
