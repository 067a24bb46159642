import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OLLAMA_ERRORS, text } from '../ollama-double';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

/** A long plain answer: 300 words at 40 ms each would stream for twelve seconds; Stop comes long before. */
const LONG_ANSWER = Array.from({ length: 300 }, (_, i) => `word${i + 1}`).join(' ');

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

describe('stopping an answer', () => {
  it('keeps the partial answer, marks it stopped and stops the model', async () => {
    stack.double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 40 });
    await chat.open(stack.url);
    await chat.ask('Tell me everything about trail shoes');

    await chat.waitForPartialText();
    await chat.stopButton.click();

    await chat.stoppedMarker().waitFor();
    await chat.waitForAnswerEnd();
    const kept = (await chat.answerText()).trim();
    expect(kept).not.toBe('');
    expect(kept.length).toBeLessThan(LONG_ANSWER.length);
    expect(LONG_ANSWER.startsWith(kept)).toBe(true);

    // Ollama's request was closed, not left generating to the end.
    await stack.double.waitForAborted(1);
    expect(stack.double.stats).toMatchObject({ aborted: 1, completed: 0 });

    // The stop button is gone, the shopper may ask again, and the stopped text did not change.
    await chat.stopButton.waitFor({ state: 'detached' });
    await eventually(() => chat.announcement()).toBe('Answer stopped');
    await chat.textbox.fill('Something else');
    await eventually(() => chat.sendButton.isEnabled()).toBe(true);
    expect((await chat.answerText()).trim()).toBe(kept);
  });
});

describe('an answer that fails half-way', () => {
  it('keeps the partial text, shows the error, and Retry gets a complete answer', async () => {
    const partial = 'The Ridgeback Waterproof Trail Shoe is a good';
    const full = 'The Ridgeback Waterproof Trail Shoe is a good choice: waterproof, grippy and under budget.';
    stack.double.enqueueChat({ chunks: text(partial), end: { error: OLLAMA_ERRORS.runner } }, { chunks: text(full) });
    await chat.open(stack.url);
    await chat.ask('Waterproof trail shoes under $120');

    await chat.waitForAnswerEnd();
    expect((await chat.answerText()).trim()).toBe(partial);
    await chat.lastAnswer.getByText('The model stopped with an error').waitFor();
    await eventually(() => chat.announcement()).toContain('The answer failed');

    await chat.retryButton().click();
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe(full);
    await chat.waitForAnswerEnd();
    await expect(chat.answers.count()).resolves.toBe(1);
    await expect(chat.lastAnswer.getByText('The model stopped with an error').count()).resolves.toBe(0);
    await expect(chat.retryButton().count()).resolves.toBe(0);
    // The retried answer names a product, so its card is shown.
    await chat.card('Ridgeback Waterproof Trail Shoe').first().waitFor();
  });
});
