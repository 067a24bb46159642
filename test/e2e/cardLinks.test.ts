import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';

let browser: Browser;
let stack: E2eStack;
let context: BrowserContext;
let chat: ChatPage;

const JACKET = 'Stormline 2.5L Rain Jacket';

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startStack();
  const record = FIXTURE_PRODUCTS.find((p) => p.id === 'JKT-300');
  if (!record) throw new Error('no fixture JKT-300');
  await stack.server.app.products.upsertMany([{ ...record, link: 'https://shop.example/products/jacket?utm_source=feed' }]);
  context = await newShopperContext(browser);
  chat = new ChatPage(await context.newPage());
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

async function askForTheJacket(): Promise<Locator> {
  stack.double.enqueueChat({ chunks: text(`The [${JACKET}](product:JKT-300) keeps the rain out.`) });
  await chat.ask('A rain jacket?');
  await chat.waitForAnswerEnd();
  const card = chat.card(JACKET);
  await card.waitFor();
  return card;
}

describe('where a card leads on the standalone page', () => {
  it('with cartUrlTemplate: "Add to cart" goes to the filled cart URL, "View product" carries the tracking params', async () => {
    stack.server.reconfigure({
      storefront: {
        linkDomains: ['shop.example'],
        trackingParams: { utm_source: 'aisle', utm_medium: 'chat' },
        cartUrlTemplate: '/cart/{variantId}:{quantity}',
      },
    });
    await chat.open(stack.url);
    const card = await askForTheJacket();

    const view = card.getByRole('link', { name: /View product/ });
    // The feed's own utm_source stays; the missing one is added.
    await expect(view.getAttribute('href')).resolves.toBe(
      'https://shop.example/products/jacket?utm_source=feed&utm_medium=chat',
    );
    await expect(view.getAttribute('rel')).resolves.toContain('noopener');
    await expect(view.getAttribute('target')).resolves.toBe('_blank');

    const cart = card.getByRole('link', { name: /Add to cart/ });
    await expect(cart.getAttribute('href')).resolves.toBe('https://shop.example/cart/JKT-300:1');
  });

  it('without cartUrlTemplate: no cart button', async () => {
    stack.server.reconfigure({ storefront: { linkDomains: ['shop.example'] } });
    await chat.open(stack.url);
    const card = await askForTheJacket();
    await expect(card.getByRole('link', { name: /View product/ }).count()).resolves.toBe(1);
    await expect(card.getByText('Add to cart').count()).resolves.toBe(0);
  });
});
