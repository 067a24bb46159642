import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startImageServer, type ImageServer } from './support/imageServer';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

let browser: Browser;
let stack: E2eStack;
let images: ImageServer;
let context: BrowserContext;
let chat: ChatPage;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  images = await startImageServer();
  stack = await startStack();
  context = await newShopperContext(browser);
  chat = new ChatPage(await context.newPage());
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
  await images?.close();
});

const JACKET = 'Stormline 2.5L Rain Jacket';

function jacketRecord() {
  const record = FIXTURE_PRODUCTS.find((p) => p.id === 'JKT-300');
  if (!record) throw new Error('no fixture JKT-300');
  return record;
}

/** Asks about the jacket; the model's answer links it, so its card shows under the answer. */
async function askForTheJacket(): Promise<Locator> {
  stack.double.enqueueChat({ chunks: text(`The [${JACKET}](product:JKT-300) keeps the rain out.`) });
  await chat.ask('A rain jacket?');
  await chat.waitForAnswerEnd();
  const card = chat.card(JACKET);
  await card.waitFor();
  return card;
}

/** The photo's decoded width: more than 0 once the browser has loaded and decoded it. */
const naturalWidth = (card: Locator) => card.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth);

describe('product photos from another origin', () => {
  beforeEach(async () => {
    await stack.server.app.products.upsertMany([{ ...jacketRecord(), imageLink: `${images.url}/photos/jkt-300.png` }]);
  });

  it('load when the origin is in server.imageOrigins', async () => {
    stack.server.reconfigure({ server: { imageOrigins: [images.url] } });
    const response = await chat.open(stack.url);
    expect(response?.headers()['content-security-policy']).toContain(`img-src 'self' data: ${images.url}`);

    const card = await askForTheJacket();
    await eventually(() => naturalWidth(card)).toBeGreaterThan(0);
    expect(images.requests).toContain('/photos/jkt-300.png');
    await expect(card.locator('.product-placeholder').count()).resolves.toBe(0);
    await expect(card.locator('img').getAttribute('loading')).resolves.toBe('lazy');
  });

  it('show the placeholder, without a request, when the origin is not listed; an edit applies on reload', async () => {
    await chat.open(stack.url);
    const card = await askForTheJacket();
    await expect(card.locator('.product-placeholder').isVisible()).resolves.toBe(true);
    await expect(card.locator('img').count()).resolves.toBe(0);
    expect(images.requests).toEqual([]);

    // The operator lists the CDN in aisle.yaml; no restart, the shopper reloads.
    stack.server.reconfigure({ server: { imageOrigins: [images.url] } });
    await chat.reload();
    const reloaded = chat.card(JACKET);
    await reloaded.waitFor();
    await eventually(() => naturalWidth(reloaded)).toBeGreaterThan(0);
    expect(images.requests).toEqual(['/photos/jkt-300.png']);
  });
});

describe('cards after a reload', () => {
  it("show today's price and stock, and say what changed", async () => {
    await chat.open(stack.url);
    const card = await askForTheJacket();
    await expect(card.textContent()).resolves.toContain('$119.00');
    await expect(card.getByText('Price changed', { exact: false }).count()).resolves.toBe(0);

    // The next feed import ends the sale and sells the jacket out.
    await stack.server.app.products.upsertMany([{ ...jacketRecord(), salePriceMinor: null, availability: 'out_of_stock' }]);
    await chat.reload();

    const reloaded = chat.card(JACKET);
    await eventually(() => reloaded.getByText('Price changed: was $119.00', { exact: true }).count()).toBe(1);
    await expect(reloaded.getByText('Now out of stock', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(reloaded.locator('.product-price').textContent()).resolves.toBe('$149.00');
  });
});
