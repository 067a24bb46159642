import { type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { BLOCK_THIRD_PARTY_COOKIES, launchBrowser } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { startStorefront, type StorefrontServer } from './support/storefrontServer';
import { eventually, UI_TIMEOUT_MS } from './support/wait';

/**
 * History in the widget's panel on a shop's own site (issue 11): the panel's session is a token (third-
 * party cookies are blocked), and History lists, reopens and deletes with it.
 */

let browser: Browser;
let stack: E2eStack;
let shop: StorefrontServer;
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
  stack.server.reconfigure({ widget: { allowedOrigins: [shop.origin] } });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
});
afterEach(async () => {
  await context?.close();
  await shop?.close();
  await stack?.close();
});

async function panel(): Promise<Frame> {
  await eventually(() => page.frames().some((f) => f.url().includes('/embed'))).toBe(true);
  const frame = page.frames().find((f) => f.url().includes('/embed'));
  if (!frame) throw new Error('no panel frame');
  return frame;
}

async function ask(frame: Frame, question: string, answer: string): Promise<void> {
  stack.double.enqueueChat({ chunks: text(answer) });
  const box = frame.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(question);
  await box.press('Enter');
  await conversation(frame).getByText(answer).waitFor();
}

const conversation = (frame: Frame) => frame.getByRole('log', { name: 'Conversation' });

describe('History in the widget panel', () => {
  it('lists, reopens and deletes the panel’s conversations', async () => {
    await page.goto(`${shop.origin}/products/JKT-300`);
    await page.getByRole('button', { name: 'Open shopping assistant', exact: true }).click();
    const frame = await panel();
    await ask(frame, 'Show me rain jackets', 'The Drizzle jacket.');
    await frame.getByRole('button', { name: 'New chat', exact: true }).click();
    await ask(frame, 'A quiet coffee grinder', 'The Quietburr grinder.');

    await frame.getByRole('button', { name: 'History', exact: true }).click();
    const dialog = frame.getByRole('dialog', { name: 'Your conversations' });
    await eventually(() => dialog.locator('.history-title').allTextContents()).toEqual([
      'A quiet coffee grinder',
      'Show me rain jackets',
    ]);
    await dialog.getByRole('button', { name: /^Show me rain jackets/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await conversation(frame).getByText('The Drizzle jacket.').waitFor();
    await expect(conversation(frame).getByText('The Quietburr grinder.').count()).resolves.toBe(0);

    await frame.getByRole('button', { name: 'History', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete “A quiet coffee grinder”', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await eventually(() => dialog.locator('.history-title').allTextContents()).toEqual(['Show me rain jackets']);
  });
});
