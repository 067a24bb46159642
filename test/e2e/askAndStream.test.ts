import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

const AVAILABILITY: Record<string, string> = {
  in_stock: 'In stock',
  out_of_stock: 'Out of stock',
  preorder: 'Preorder',
  backorder: 'Backorder',
};

const usd = (minor: number) => `$${(minor / 100).toFixed(2)}`;

let browser: Browser;
let stack: E2eStack;
let context: BrowserContext;
let chat: ChatPage;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  // The demo brain searches the catalogue and recommends what it found, one token every 30 ms.
  stack = await startStack({ double: { tokenDelayMs: 30 } });
  // Short enough that the conversation scrolls once the cards are there.
  context = await newShopperContext(browser, { viewport: { width: 1000, height: 680 } });
  chat = new ChatPage(await context.newPage());
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

describe('asking a question', () => {
  it('streams the answer word by word, then shows cards built from the catalogue', async () => {
    await chat.recordAnswerProgress();
    await chat.open(stack.url);
    await chat.ask('Waterproof trail shoes under $120, size 44');

    await expect(chat.userMessages.last().textContent()).resolves.toContain('Waterproof trail shoes under $120, size 44');
    await chat.waitForAnswerEnd();
    const final = await chat.answerText();

    // The shopper saw the answer grow: several partial texts while it streamed, the first one the
    // start of the final answer. (Later ones may hold a half-written Markdown link, shown as typed.)
    const partials = (await chat.answerProgress()).filter(
      (frame) => frame.isStreaming && frame.text.trim() !== '' && frame.text !== final,
    );
    expect(new Set(partials.map((frame) => frame.text)).size).toBeGreaterThanOrEqual(2);
    expect(final.startsWith(partials[0]?.text.trimEnd() ?? '-')).toBe(true);
    expect(final).toContain('Ridgeback Waterproof Trail Shoe');

    const cards = chat.cards();
    await eventually(() => cards.count()).toBeGreaterThan(0);
    const ids = await cards.evaluateAll((elements) => elements.map((element) => element.id));
    expect(ids).toContain('product-TRL-100-44');
    for (const id of ids) {
      const product = FIXTURE_PRODUCTS.find((p) => `product-${p.id}` === id);
      expect(product, `card ${id} is a catalogue product`).toBeDefined();
      if (product === undefined) continue;
      const card = chat.page.locator(`[id="${id}"]`);
      // Each card is an article named by its heading, the product's name from the database.
      await expect(card.getByRole('heading', { level: 3 }).textContent()).resolves.toBe(product.title);
      await expect(chat.card(product.title).and(card).count()).resolves.toBe(1);
      const text = (await card.textContent()) ?? '';
      expect(text).toContain(usd(product.salePriceMinor ?? product.priceMinor));
      expect(text).toContain(AVAILABILITY[product.availability]);
      await expect(
        card.getByRole('img', { name: `Rated ${product.rating} out of 5, ${product.reviewCount} reviews` }).count(),
      ).resolves.toBe(1);
    }

    // The wanted shoe in size 44: $109.99, in stock, 4.6 stars.
    const shoe = chat.page.locator('[id="product-TRL-100-44"]');
    await expect(shoe.textContent()).resolves.toMatch(/\$109\.99.*In stock/);
    // The $189 shoe is over the budget and never recommended.
    await expect(chat.cards().filter({ hasText: 'Summit Pro GTX' }).count()).resolves.toBe(0);
  });

  it('takes the shopper from a product named in the answer to its card', async () => {
    await chat.open(stack.url);
    await chat.ask('Waterproof trail shoes under $120, size 44');
    await chat.waitForAnswerEnd();
    const card = chat.page.locator('[id="product-TRL-100-44"]');
    await card.waitFor();

    // Scroll the conversation back to the top, so the card is out of sight.
    await chat.page.locator('.chat-scroll').evaluate((scroller) => scroller.scrollTo({ top: 0 }));
    const link = chat.productLink('TRL-100-44');
    await link.scrollIntoViewIfNeeded();
    expect(await isInScrollerView(card)).toBe(false);

    await link.click();
    await eventually(() => card.evaluate((element) => element === document.activeElement)).toBe(true);
    await eventually(() => isInScrollerView(card)).toBe(true);
  });
});

/** Whether the element is fully visible inside the conversation's scroll area. */
function isInScrollerView(card: ReturnType<ChatPage['page']['locator']>): Promise<boolean> {
  return card.evaluate((element) => {
    const scroller = element.closest('.chat-scroll');
    if (scroller === null) return false;
    const box = element.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    return box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
  });
}
