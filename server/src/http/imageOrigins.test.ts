import { describe, expect, it } from 'vitest';
import { imageOriginsOf } from './imageOrigins';

describe('imageOriginsOf', () => {
  it('keeps the origin of each configured address, once, as the CSP and the page compare them', () => {
    expect(
      imageOriginsOf(['https://CDN.Shop.example/images/', 'https://cdn.shop.example', 'http://127.0.0.1:4000/x.png']),
    ).toEqual(['https://cdn.shop.example', 'http://127.0.0.1:4000']);
  });

  it('drops addresses that are not web origins, which would otherwise put "null" in the policy', () => {
    expect(imageOriginsOf(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd', 'not a url'])).toEqual([]);
  });
});
