import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

let browser: Browser;
let stack: E2eStack | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

async function openChat(
  config: NonNullable<Parameters<typeof startStack>[0]>['config'],
): Promise<{ chat: ChatPage; running: E2eStack }> {
  const running = await startStack({ config });
  stack = running;
  context = await newShopperContext(browser);
  return { chat: new ChatPage(await context.newPage()), running };
}

/** The computed value of a CSS property of the first element a selector finds. */
function computed(chat: ChatPage, selector: string, property: string): Promise<string> {
  return chat.page
    .locator(selector)
    .first()
    .evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
}

describe('the shop’s brand on the shopper page', () => {
  it('shows the configured name, logo, greeting and example prompts, in the accent colour', async () => {
    const { chat, running } = await openChat({
      brand: {
        name: 'Northwind Outdoor',
        logoUrl: '/brand/logo.svg',
        accentColor: '#7c3aed',
        greeting: 'Hi! What are you heading out for?',
        examplePrompts: ['A rain jacket for hiking', 'Boots for wet trails'],
      },
    });
    fs.mkdirSync(path.join(running.server.dataDir, 'brand'));
    fs.writeFileSync(
      path.join(running.server.dataDir, 'brand', 'logo.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#7c3aed"/></svg>',
    );
    await chat.open(running.url);
    const page = chat.page;

    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Northwind Outdoor');
    await eventually(() => page.title()).toBe('Northwind Outdoor · Shopping assistant');
    const logo = page.getByRole('banner').getByRole('img', { name: 'Northwind Outdoor' });
    await eventually(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await eventually(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('Hi! What are you heading out for?');
    const prompts = page.getByRole('list', { name: 'Example questions' }).getByRole('button');
    await eventually(() => prompts.allTextContents()).toEqual(['A rain jacket for hiking', 'Boots for wet trails']);

    await chat.textbox.fill('a tent');
    await eventually(() => computed(chat, '.send-button', 'background-color')).toBe('rgb(124, 58, 237)');
    await expect(computed(chat, '.send-button', 'color')).resolves.toBe('rgb(255, 255, 255)');

    // The focus ring takes the accent too, and stays visible (read once its short transition is over).
    await page.keyboard.press('Tab');
    const ring = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el ? `${getComputedStyle(el).outlineStyle} ${getComputedStyle(el).outlineColor}` : 'nothing focused';
      });
    await eventually(ring).toBe('solid rgb(124, 58, 237)');
  });

  it('keeps Aisle’s own look without brand settings', async () => {
    const { chat, running } = await openChat({});
    await chat.open(running.url);
    await expect(chat.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Aisle');
    await expect(chat.page.title()).resolves.toBe('Aisle · Shopping assistant');
    await expect(chat.page.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('What are you shopping for?');
    await chat.textbox.fill('a tent');
    await expect(computed(chat, '.send-button', 'background-color')).resolves.toBe('rgb(15, 118, 110)');
  });
});
