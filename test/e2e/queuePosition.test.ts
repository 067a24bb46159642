import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { loopback, shopperFrom } from '../helpers/addresses';
import { clientMessageId } from '../helpers/chatFlows';
import type { Shopper } from '../helpers/testServer';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

const ANSWER = 'The Ridge Runner trail shoe has a grippy sole and costs $129.';

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
  // One answer at a time at the model, as with Ollama's default OLLAMA_NUM_PARALLEL=1.
  stack = await startStack({ config: { ollama: { maxParallel: 1 } } });
  context = await newShopperContext(browser);
  chat = new ChatPage(await context.newPage());
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

/** Another shopper (another address) whose long answer is being written; resolves once it streams. */
async function anotherShopperIsBeingAnswered(): Promise<{ shopper: Shopper; conversationId: string }> {
  stack.double.enqueueChat({ chunks: text('A very long answer that takes minutes to write'), tokenDelayMs: 200_000 });
  const shopper = await shopperFrom(stack.server, loopback(2));
  const streaming = new Promise<void>((resolve) => shopper.socket.once('chat:delta', () => resolve()));
  const reply = await shopper.request('chat:send', { clientMessageId: clientMessageId(), text: 'Tell me everything' });
  if (!reply.ok) throw new Error(reply.error.code);
  await streaming;
  return { shopper, conversationId: reply.data.conversationId };
}

describe('waiting for the model', () => {
  it('shows "You\'re next" while another shopper is answered, then streams the answer', async () => {
    const other = await anotherShopperIsBeingAnswered();
    stack.double.enqueueChat({ chunks: text(ANSWER), tokenDelayMs: 20 });
    await chat.open(stack.url);

    await chat.ask('Which trail shoes do you have?');

    const phase = chat.lastAnswer.locator('.phase-text');
    await eventually(() => phase.textContent()).toBe("You're next");
    await eventually(() => chat.announcement()).toBe("You're next");
    expect(await chat.answerText()).toBe('');

    // The other answer ends; this one gets the model and streams.
    await other.shopper.request('chat:stop', { conversationId: other.conversationId });
    await chat.waitForAnswerEnd();
    expect((await chat.answerText()).trim()).toBe(ANSWER);
    await expect(phase.count()).resolves.toBe(0);
  });
});
