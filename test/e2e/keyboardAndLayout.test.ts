import { MAX_MESSAGE_CHARS } from '@aisle/shared';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

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

async function openChat(options: Parameters<typeof newShopperContext>[1] = {}): Promise<ChatPage> {
  context = await newShopperContext(browser, options);
  const chat = new ChatPage(await context.newPage());
  await chat.open(stack.url);
  return chat;
}

const isFocused = (locator: ChatPage['textbox']) => locator.evaluate((element) => element === document.activeElement);

describe('keyboard', () => {
  it('Shift+Enter adds a line, Enter sends, and Send is reachable with Tab', async () => {
    const chat = await openChat();
    await chat.textbox.focus();
    await chat.page.keyboard.type('Waterproof trail shoes');
    await chat.page.keyboard.press('Shift+Enter');
    await chat.page.keyboard.type('size 44');
    await expect(chat.textbox.inputValue()).resolves.toBe('Waterproof trail shoes\nsize 44');
    expect(stack.double.chatRequests()).toHaveLength(0);
    await expect(chat.userMessages.count()).resolves.toBe(0);

    await chat.page.keyboard.press('Enter');
    await eventually(() => chat.userMessages.allTextContents()).toEqual(['Waterproof trail shoes\nsize 44']);
    await expect(chat.textbox.inputValue()).resolves.toBe('');
    await chat.waitForAnswerEnd();
    const lastUserTurn = stack.double.chatRequests()[0]?.messages?.findLast((m) => m.role === 'user');
    expect(lastUserTurn?.content).toBe('Waterproof trail shoes\nsize 44');

    // From the textbox, Tab moves to Send, and the keyboard alone sends the next message.
    await chat.textbox.focus();
    await chat.page.keyboard.type('Thanks!');
    await chat.page.keyboard.press('Tab');
    expect(await isFocused(chat.sendButton)).toBe(true);
    await chat.page.keyboard.press('Space');
    await eventually(() => chat.userMessages.count()).toBe(2);
    await eventually(() => chat.answers.count()).toBe(2);
  });
});

describe('screen reader', () => {
  it('announces the finished answer in the live region, not every streamed word', async () => {
    const chat = await openChat();
    await expect(chat.announcement()).resolves.toBe('');
    await chat.ask('Waterproof trail shoes under $120, size 44');
    await chat.waitForAnswerEnd();

    await eventually(() => chat.announcement()).toContain('Here are a few options from the catalogue:');
    const spoken = await chat.announcement();
    expect(spoken).toContain('Ridgeback Waterproof Trail Shoe');
    expect(spoken).toMatch(/\d+ products? shown\.$/);
    // The conversation itself is not a live region, so the streamed words are not read out one by one.
    await expect(chat.conversation.getAttribute('aria-live')).resolves.toBe('off');
  });
});

describe('phone-width screen (360 px)', () => {
  it('keeps the composer and the cards usable without sideways scrolling', async () => {
    const chat = await openChat({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await chat.ask('Waterproof trail shoes under $120, size 44');
    await chat.waitForAnswerEnd();
    const cards = chat.cards();
    await eventually(() => cards.count()).toBeGreaterThan(0);

    // Nothing sticks out sideways: the page never needs horizontal scrolling.
    expect(await chat.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    const fitsScreen = async (target: ChatPage['textbox']) => {
      const box = await target.boundingBox();
      return box !== null && box.x >= 0 && box.x + box.width <= 360 && box.width > 0;
    };
    expect(await fitsScreen(chat.textbox)).toBe(true);
    expect(await fitsScreen(chat.sendButton)).toBe(true);
    expect((await chat.textbox.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    // Cards are a swipeable row: the first one fits the screen, the others scroll into it.
    expect(await fitsScreen(cards.first())).toBe(true);
    expect((await cards.first().boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(200);
    await cards.last().scrollIntoViewIfNeeded();
    expect(await fitsScreen(cards.last())).toBe(true);

    // The composer still works: typing and sending with a tap.
    await chat.textbox.tap();
    await chat.textbox.fill('Thanks');
    await chat.sendButton.tap();
    await eventually(() => chat.userMessages.count()).toBe(2);
  });
});

describe('message cap', () => {
  it('refuses a pasted message over the limit before it reaches the server', async () => {
    const chat = await openChat();
    const tooLong = 'trail shoes '.repeat(Math.ceil(MAX_MESSAGE_CHARS / 12) + 10).slice(0, MAX_MESSAGE_CHARS + 25);
    expect(tooLong).toHaveLength(MAX_MESSAGE_CHARS + 25);
    await chat.textbox.focus();
    await chat.page.keyboard.insertText(tooLong);

    await chat.page.getByRole('alert').filter({ hasText: '25 characters over the 4,000-character limit' }).waitFor();
    await expect(chat.sendButton.isDisabled()).resolves.toBe(true);
    await chat.textbox.press('Enter');
    await chat.sendButton.click({ force: true });

    await expect(chat.userMessages.count()).resolves.toBe(0);
    await expect(chat.textbox.inputValue()).resolves.toBe(tooLong);
    expect(stack.double.chatRequests()).toHaveLength(0);

    // Shortened to the limit, the message may be sent again.
    await chat.textbox.fill(tooLong.slice(0, MAX_MESSAGE_CHARS));
    await eventually(() => chat.sendButton.isEnabled()).toBe(true);
    await expect(chat.page.getByText('over the 4,000-character limit').count()).resolves.toBe(0);
  });
});
