import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

/** 150 distinct words at 50 ms each: over seven seconds of streaming, and any repeated text would show. */
const LONG_ANSWER = Array.from({ length: 150 }, (_, i) => `w${i + 1}`).join(' ');

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
  stack = await startStack();
  context = await newShopperContext(browser);
  chat = new ChatPage(await context.newPage());
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

describe('reloading the page', () => {
  it('mid-answer: the conversation comes back and the answer keeps streaming to its end', async () => {
    stack.double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 50 });
    await chat.open(stack.url);
    await chat.ask('Tell me a long story about boots');
    const before = await chat.waitForPartialText();
    expect(before.trim().length).toBeLessThan(LONG_ANSWER.length);

    await chat.recordAnswerProgress();
    await chat.reload();

    await eventually(() => chat.userMessages.allTextContents()).toEqual([
      expect.stringContaining('Tell me a long story about boots'),
    ]);
    await chat.waitForAnswerEnd();
    expect((await chat.answerText()).trim()).toBe(LONG_ANSWER);
    await expect(chat.answers.count()).resolves.toBe(1);

    // After the reload the answer was still being written: the shopper saw it streaming, never with
    // text that is not the start of the real answer (no duplicated or missing pieces).
    const progress = await chat.answerProgress();
    const streaming = progress.filter((frame) => frame.isStreaming && frame.text.trim() !== '');
    expect(streaming.length).toBeGreaterThan(0);
    for (const frame of streaming) expect(LONG_ANSWER.startsWith(frame.text.trim())).toBe(true);
    // The model was not interrupted by the reload.
    expect(stack.double.stats).toMatchObject({ aborted: 0, completed: 1 });
  });

  it('after the answer: the conversation and its product cards come back', async () => {
    await chat.open(stack.url);
    await chat.ask('Waterproof trail shoes under $120, size 44');
    await chat.waitForAnswerEnd();
    const answerBefore = await chat.answerText();
    const cardsBefore = await chat.cards().evaluateAll((cards) => cards.map((card) => card.id));
    expect(cardsBefore).toContain('product-TRL-100-44');

    await chat.reload();

    await eventually(() => chat.userMessages.allTextContents()).toEqual([
      expect.stringContaining('Waterproof trail shoes under $120, size 44'),
    ]);
    await eventually(() => chat.answerText()).toBe(answerBefore);
    await eventually(() => chat.cards().evaluateAll((cards) => cards.map((card) => card.id))).toEqual(cardsBefore);
    const shoe = chat.page.locator('[id="product-TRL-100-44"]');
    await expect(shoe.getByRole('heading').textContent()).resolves.toBe('Ridgeback Waterproof Trail Shoe');
    await expect(shoe.textContent()).resolves.toContain('$109.99');
    await expect(chat.answers.count()).resolves.toBe(1);
  });
});
