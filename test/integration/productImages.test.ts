import type { Result, Storefront } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

beforeEach(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
});
afterEach(async () => {
  await server.close();
  await double.close();
});

/** What the page learns on load: the storefront reply and the `img-src` of the policy it was sent with. */
async function pageView(): Promise<{ imageOrigins: string[]; imgSrc: string[] }> {
  const res = await fetch(`${server.url}/api/storefront`);
  const body = (await res.json()) as Result<Storefront>;
  if (!body.ok) throw new Error(body.error.code);
  const policy = res.headers.get('content-security-policy') ?? '';
  const imgSrc = policy
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([name]) => name === 'img-src');
  return { imageOrigins: body.data.imageOrigins, imgSrc: imgSrc?.slice(1) ?? [] };
}

describe('product image origins', () => {
  it('allows only same-origin and data: images when none are configured', async () => {
    await expect(pageView()).resolves.toEqual({ imageOrigins: [], imgSrc: ["'self'", 'data:'] });
  });

  it('follows an edited server.imageOrigins on the next request, without a restart, in the policy and the page alike', async () => {
    server.reconfigure({ server: { imageOrigins: ['https://cdn.shop.example/images/', 'http://127.0.0.1:4000'] } });
    const allowed = ['https://cdn.shop.example', 'http://127.0.0.1:4000'];
    await expect(pageView()).resolves.toEqual({ imageOrigins: allowed, imgSrc: ["'self'", 'data:', ...allowed] });

    server.reconfigure({ server: { imageOrigins: [] } });
    await expect(pageView()).resolves.toEqual({ imageOrigins: [], imgSrc: ["'self'", 'data:'] });
  });
});
