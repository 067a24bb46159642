import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually, UI_TIMEOUT_MS } from './support/wait';

let browser: Browser;
let stack: E2eStack;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
  await stack?.close();
});

/** A shopper whose browser prefers `locale`, on a fresh page. */
async function shopperPage(locale = 'en-US'): Promise<Page> {
  context = await newShopperContext(browser, { locale });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  return page;
}

const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);

describe('the shopper page in German (?lang=de)', () => {
  it('shows German words, names its controls in German, sets lang="de" and formats prices de-DE', async () => {
    const page = await shopperPage('en-US');
    await page.goto(`${stack.url}/?lang=de`);

    const textbox = page.getByRole('textbox', { name: 'Nachricht', exact: true });
    await textbox.waitFor();
    await expect(textbox.getAttribute('placeholder')).resolves.toBe('Wonach suchst du?');
    await expect(page.getByRole('button', { name: 'Senden', exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Send', exact: true }).count()).resolves.toBe(0);
    await expect(htmlLang(page)).resolves.toBe('de');

    // The test double's demo brain searches with English words; the page's language is what is tested.
    await textbox.fill('Waterproof trail shoes under $120, size 44');
    await textbox.press('Enter');

    const answer = page.getByRole('log', { name: 'Unterhaltung' }).getByRole('article', { name: 'Antwort von Aisle', exact: true }).last();
    await answer.and(page.locator('[aria-busy="false"]')).waitFor();
    const card = answer.getByRole('region', { name: 'Empfohlene Produkte' }).locator('[id="product-TRL-100-44"]');
    await card.waitFor();

    const shoe = FIXTURE_PRODUCTS.find((p) => p.id === 'TRL-100-44');
    if (shoe === undefined) throw new Error('fixture TRL-100-44 is missing');
    // Whatever the catalogue's currency, the price reads as a German shopper writes it (e.g. "109,99 $").
    const germanPrice = new Intl.NumberFormat('de-DE', { style: 'currency', currency: shoe.currency }).format(
      (shoe.salePriceMinor ?? shoe.priceMinor) / 100,
    );
    const englishPrice = new Intl.NumberFormat('en-US', { style: 'currency', currency: shoe.currency }).format(
      (shoe.salePriceMinor ?? shoe.priceMinor) / 100,
    );
    const cardText = (await card.textContent()) ?? '';
    expect(cardText).toContain(germanPrice);
    expect(cardText).not.toContain(englishPrice);
    expect(cardText).toContain('Auf Lager');
    await expect(
      card.getByRole('img', { name: `Bewertet mit ${(shoe.rating ?? 0).toLocaleString('de-DE')} von 5, ${shoe.reviewCount} Bewertungen` }).count(),
    ).resolves.toBe(1);
  });
});

describe('choosing the language', () => {
  it("follows the browser's language when the page names none, Simplified Chinese included", async () => {
    const page = await shopperPage('zh-CN');
    await page.goto(stack.url);
    const textbox = page.getByRole('textbox', { name: '消息', exact: true });
    await textbox.waitFor();
    await expect(textbox.getAttribute('placeholder')).resolves.toBe('您在找什么？');
    await expect(htmlLang(page)).resolves.toBe('zh-CN');
  });

  it('lets ?lang= win over the browser, and stays English for English browsers', async () => {
    const page = await shopperPage('de-DE');
    await page.goto(`${stack.url}/?lang=es`);
    await page.getByRole('button', { name: 'Enviar', exact: true }).waitFor();
    await expect(htmlLang(page)).resolves.toBe('es');

    await page.goto(`${stack.url}/?lang=en`);
    const textbox = page.getByRole('textbox', { name: 'Message', exact: true });
    await textbox.waitFor();
    await expect(textbox.getAttribute('placeholder')).resolves.toBe('What are you looking for?');
    await eventually(() => htmlLang(page)).toBe('en');
  });
});
