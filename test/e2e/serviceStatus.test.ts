import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';

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

describe('when Ollama cannot answer', () => {
  it('names the unreachable host, says how to fix it, and "Check again" clears the banner once it is back', async () => {
    await stack.double.setDown(true);
    await chat.open(stack.url);

    const banner = chat.serviceStatus.getByRole('alert');
    await banner.getByText(`Can't reach Ollama at ${stack.double.url}`).waitFor();
    const advice = (await banner.textContent()) ?? '';
    expect(advice).toContain('Install Ollama');
    expect(advice).toContain('ollama serve');
    expect(advice).toContain('OLLAMA_HOST');

    await stack.double.setDown(false);
    await chat.checkAgain();
    expect(await chat.serviceStatus.count(), '"Check again" shows the result of a fresh check').toBe(0);
  });

  it('names a model that is not pulled and shows the pull command', async () => {
    const model = stack.double.models().find((m) => m.name === 'qwen3:4b');
    if (model === undefined) throw new Error('the double should offer qwen3:4b');
    stack.double.removeModel(model.name);
    await chat.open(stack.url);

    const banner = chat.serviceStatus.getByRole('alert');
    await banner.getByText('The model qwen3:4b is not downloaded yet').waitFor();
    await expect(banner.locator('code').allTextContents()).resolves.toContain('ollama pull qwen3:4b');

    stack.double.addModel(model);
    await chat.checkAgain();
    expect(await chat.serviceStatus.count(), '"Check again" shows the result of a fresh check').toBe(0);
  });
});
