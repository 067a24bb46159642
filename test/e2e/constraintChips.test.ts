import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text, type ChatRequestBody, type ScriptedChatSpec } from '../ollama-double';
import { ChatPage } from './pages/chat-page';
import { ConstraintChips } from './pages/constraint-chips';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

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

const RIDGEBACK = 'Ridgeback Waterproof Trail Shoe';
const SUMMIT = 'Summit Pro GTX Trail Shoe';

/** A model that links every product of the last tool result it was given. */
function recommendLastToolResult(request: ChatRequestBody): ScriptedChatSpec {
  const last = (request.messages ?? []).filter((m) => m.role === 'tool').at(-1)?.content ?? '{}';
  const results = (JSON.parse(last) as { results?: Array<{ id: string; title: string }> }).results ?? [];
  return { chunks: text(results.map((p) => `- [${p.title}](product:${p.id})`).join('\n') || 'Nothing matched.') };
}

const cardNames = async () => (await chat.cards().locator('.product-title').allTextContents()).map((t) => t.trim()).sort();

describe('constraint chips', () => {
  it('show what the answer understood; removing one or editing the price changes the cards at once, and a reload keeps them', async () => {
    stack.double.enqueueChat(recommendLastToolResult);
    await chat.open(stack.url);
    await chat.ask('waterproof trail shoes under $120');
    await chat.waitForAnswerEnd();
    const chips = new ConstraintChips(chat.lastAnswer);
    await chips.region.waitFor();
    expect(await chips.labels()).toEqual(['Shoes', 'Up to $120.00', 'waterproof']);
    await chat.card(RIDGEBACK).waitFor();
    expect(await chat.card(SUMMIT).count()).toBe(0);

    // Without the budget, the $189 Summit Pro shows too, with no new answer from the model.
    await chips.removeButton('Up to $120.00').click();
    await chat.card(SUMMIT).waitFor();
    await eventually(() => chips.labels()).toEqual(['Shoes', 'waterproof']);
    expect(stack.double.chatRequests()).toHaveLength(1);

    // From $150: only the Summit Pro is left.
    await chips.setPrice({ lowest: '150' });
    await eventually(() => chips.labels()).toEqual(['Shoes', 'From $150.00', 'waterproof']);
    await eventually(cardNames).toEqual([SUMMIT]);

    // Edited constraints are stored: a reload shows the same chips and cards.
    await chat.reload();
    await new ConstraintChips(chat.lastAnswer).region.waitFor();
    expect(await new ConstraintChips(chat.lastAnswer).labels()).toEqual(['Shoes', 'From $150.00', 'waterproof']);
    await eventually(cardNames).toEqual([SUMMIT]);
  });
  it('keeps the keyboard focus in the chips when one is removed with Enter, so the next can be removed at once', async () => {
    stack.double.enqueueChat(recommendLastToolResult);
    await chat.open(stack.url);
    await chat.ask('waterproof trail shoes under $120');
    await chat.waitForAnswerEnd();
    const chips = new ConstraintChips(chat.lastAnswer);
    await chips.region.waitFor();
    const focusedName = () =>
      chat.page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? '');

    await chips.removeButton('Up to $120.00').focus();
    await chat.page.keyboard.press('Enter');
    await eventually(() => chips.labels()).toEqual(['Shoes', 'waterproof']);
    // The × now in the removed chip's place has the focus: Enter again removes "waterproof".
    await eventually(focusedName).toBe('Remove waterproof');
    await chat.page.keyboard.press('Enter');
    await eventually(() => chips.labels()).toEqual(['Shoes']);
    await eventually(focusedName).toBe('Remove Shoes');
  });
});
