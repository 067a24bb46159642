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

describe('when Ollama cannot answer, for a shopper reaching the shop through its proxy', () => {
  it('says the assistant cannot answer, without a host, an address or a command, and clears once it is back', async () => {
    // The default stack is replaced by one behind a proxy (played by the browser's extra header).
    await context.close();
    await stack.close();
    stack = await startStack({ config: { server: { trustProxy: 'loopback' } } });
    context = await newShopperContext(browser, { extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.5' } });
    chat = new ChatPage(await context.newPage());

    await stack.double.setDown(true);
    await chat.open(stack.url);
    const banner = chat.serviceStatus.getByRole('alert');
    await banner.getByText("The assistant can't answer right now.").waitFor();
    const text = (await chat.serviceStatus.textContent()) ?? '';
    expect(text).toContain('Please try again in a few minutes.');
    expect(text).not.toContain(new URL(stack.double.url).host);
    expect(text).not.toMatch(/127\.0\.0\.1|ollama serve|ollama pull|OLLAMA_HOST/);

    await stack.double.setDown(false);
    await chat.checkAgain();
    expect(await chat.serviceStatus.count(), '"Check again" shows the result of a fresh check').toBe(0);
  });
});
