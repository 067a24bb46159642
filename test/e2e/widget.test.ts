import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BLOCK_THIRD_PARTY_COOKIES, launchBrowser } from './support/browser';
import { CLIENT_DIST, startStack, type E2eStack } from './support/stack';
import { startStorefront, type StorefrontServer } from './support/storefrontServer';
import { eventually, UI_TIMEOUT_MS } from './support/wait';

/**
 * The widget on a shop's own site: a storefront on another site (localhost) pastes the tag of Aisle
 * (127.0.0.1). Chromium runs with third-party cookies blocked, as browsers do by default now, and the
 * first test proves they are: the conversation has to survive on the panel's own token.
 */

let browser: Browser;
let stack: E2eStack;
let shop: StorefrontServer;
let strangerShop: StorefrontServer;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser(BLOCK_THIRD_PARTY_COOKIES);
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startStack();
  shop = await startStorefront(stack.server.url);
  strangerShop = await startStorefront(stack.server.url);
  // Hot reload: the shop is allowed from now on, without a restart.
  stack.server.reconfigure({ widget: { allowedOrigins: [shop.origin] } });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
});
afterEach(async () => {
  await context?.close();
  await shop?.close();
  await strangerShop?.close();
  await stack?.close();
});

const launcher = () => page.getByRole('button', { name: 'Open shopping assistant', exact: true });

/** The panel's frame (Aisle's /embed) inside the shop's page. */
async function panel(): Promise<Frame> {
  await eventually(() => page.frames().some((f) => f.url().includes('/embed'))).toBe(true);
  const frame = page.frames().find((f) => f.url().includes('/embed'));
  if (!frame) throw new Error('no panel frame');
  return frame;
}

/** The accessible name of what has focus in the shop's page, looking into the widget's shadow root. */
function focusedName(): Promise<string | null> {
  return page.evaluate(() => {
    const active = document.activeElement;
    const inner = active?.shadowRoot?.activeElement ?? active;
    return inner?.getAttribute('aria-label') ?? inner?.textContent ?? null;
  });
}

describe('the widget on a shop’s page', () => {
  it('runs with third-party cookies blocked: a cookie the other site set is not sent to its frame', async () => {
    await page.goto(`${shop.otherSite}/cookie/set`);
    await page.goto(`${shop.otherSite}/cookie/check`);
    await expect(page.locator('#probe').textContent()).resolves.toBe('sent'); // first-party: the cookie exists
    await page.goto(`${shop.origin}/cookie/framed`);
    const frame = page.frameLocator('iframe[title="probe"]');
    await expect(frame.locator('#probe').textContent()).resolves.toBe('not sent');
  });

  it('is a small loader that adds window.Aisle and one element to the shop’s page, untouched by its styles', async () => {
    const loader = fs.readFileSync(path.join(CLIENT_DIST, 'widget.js'));
    expect(gzipSync(loader).length).toBeLessThan(5 * 1024);

    const response = await page.request.get(`${stack.server.url}/widget.js`);
    expect(response.headers()['cross-origin-resource-policy']).toBe('cross-origin');

    await page.goto(`${shop.origin}/products/JKT-300`);
    // The shop's stylesheet hides any `.launcher`; the widget's own (in its shadow root) is not affected.
    await launcher().waitFor({ state: 'visible' });
    const added = await page.evaluate(() => ({
      api: Object.keys((window as unknown as { Aisle: object }).Aisle).sort(),
      elements: document.querySelectorAll('body > [data-aisle-widget]').length,
    }));
    expect(added).toEqual({ api: ['close', 'open', 'setContext'], elements: 1 });
  });

  it('opens, answers about the product on the page with cards, hands Add to cart to the shop, and closes with Esc', async () => {
    await page.goto(`${shop.origin}/products/JKT-300`);
    await launcher().click();
    const frame = await panel();
    const textbox = frame.getByRole('textbox', { name: 'Message', exact: true });
    await eventually(() => textbox.evaluate((el) => el === document.activeElement)).toBe(true);

    await textbox.fill('Does this come in blue? I want a rain jacket');
    await textbox.press('Enter');
    const card = frame.locator('article[data-product-id="JKT-300"]').first();
    await card.waitFor();
    // The model was told which product the shopper is looking at, from the database.
    const toModel = JSON.stringify(stack.double.chatRequests()[0]?.messages ?? []);
    expect(toModel).toContain('The shopper is looking at this product');
    expect(toModel).toContain('Stormline 2.5L Rain Jacket');

    await card.getByRole('button', { name: /^Add to cart/ }).click();
    const [stored] = await stack.server.app.products.getCards(['JKT-300']);
    if (!stored) throw new Error('fixture product missing');
    await eventually(() => page.evaluate(() => (window as unknown as { cartEvents: unknown[] }).cartEvents)).toEqual([
      {
        productId: 'JKT-300',
        variantId: 'JKT-300',
        quantity: 1,
        price: stored.salePrice ?? stored.price,
        link: stored.link,
      },
    ]);

    await textbox.focus();
    await textbox.press('Escape');
    await eventually(() =>
      page.locator('[data-aisle-widget]').evaluate((el) => el.shadowRoot?.querySelector('iframe')?.hidden),
    ).toBe(true);
    await eventually(() => focusedName()).toBe('Open shopping assistant');
  });

  it('keeps the conversation across reloads and pages of the shop', async () => {
    await page.goto(`${shop.origin}/products/JKT-300`);
    await launcher().click();
    let frame = await panel();
    const ask = frame.getByRole('textbox', { name: 'Message', exact: true });
    await ask.fill('Show me rain jackets');
    await ask.press('Enter');
    await frame.locator('article[data-product-id="JKT-300"]').first().waitFor();

    await page.reload();
    await launcher().click();
    frame = await panel();
    await eventually(() => frame.getByRole('article', { name: 'Your message', exact: true }).allTextContents()).toEqual([
      expect.stringContaining('Show me rain jackets'),
    ]);

    await page.goto(`${shop.origin}/products/GRD-400`);
    await launcher().click();
    frame = await panel();
    await eventually(() => frame.getByRole('article', { name: 'Your message', exact: true }).count()).toBe(1);
  });

  it('gives a shop that is not in widget.allowedOrigins no working widget', async () => {
    const embed = page.waitForResponse((r) => r.url().includes('/embed'));
    await page.goto(`${strangerShop.origin}/products/JKT-300`, { waitUntil: 'load' });
    expect((await embed).status()).toBe(403);
    await expect(launcher().isVisible()).resolves.toBe(false);
    await page.evaluate(() => (window as unknown as { Aisle?: { open(): void } }).Aisle?.open());
    const hidden = await page.locator('[data-aisle-widget]').evaluate((el) => el.shadowRoot?.querySelector('iframe')?.hidden);
    expect(hidden).toBe(true);
  });
});
