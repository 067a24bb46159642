import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startLeakServer, type LeakServer } from './support/leakServer';
import { startStack, type E2eStack } from './support/stack';

let browser: Browser;
let stack: E2eStack;
let leak: LeakServer;
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
  leak = await startLeakServer();
  context = await newShopperContext(browser);
  chat = new ChatPage(await context.newPage());
});
afterEach(async () => {
  await context?.close();
  await leak?.close();
  await stack?.close();
});

const xss = (page: ChatPage['page']) => page.evaluate(() => Reflect.get(window, '__xss') ?? null);

describe('model Markdown is rendered safely (security checklist 4 and 5)', () => {
  it('runs no script, loads nothing from other hosts, and opens real links safely', async () => {
    const hostile = [
      'Here is what I found.',
      '',
      '<img src=x onerror="window.__xss=1">',
      '',
      '<svg onload="window.__xss=2"><circle r="5"/></svg>',
      '',
      'Inline <img src=y onerror="window.__xss=4"> html and [click](javascript:window.__xss=3) here.',
      '',
      `![tracking pixel](${leak.url}/leak)`,
      '',
      'More at [link](https://example.com).',
    ].join('\n');
    stack.double.enqueueChat({ chunks: text(hostile) });

    const response = await chat.open(stack.url);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('unsafe-inline');

    await chat.ask('Show me something');
    await chat.waitForAnswerEnd();
    const answer = chat.lastAnswer.locator('.answer');
    await expect(answer.textContent()).resolves.toContain('Here is what I found.');

    // Nothing ran and no image or SVG element came out of the model's text.
    expect(await xss(chat.page)).toBeNull();
    await expect(answer.locator('img, svg, script, iframe, object').count()).resolves.toBe(0);
    await expect(answer.locator('[onerror], [onload], [onclick]').count()).resolves.toBe(0);

    // The javascript: link is plain text; clicking it does nothing.
    await expect(answer.getByRole('link', { name: 'click' }).count()).resolves.toBe(0);
    await answer.getByText('click', { exact: true }).click();
    expect(await xss(chat.page)).toBeNull();

    // A real link opens in a new tab without giving that page a handle on ours.
    const link = answer.getByRole('link', { name: /^link/ });
    await expect(link.getAttribute('href')).resolves.toBe('https://example.com/');
    await expect(link.getAttribute('target')).resolves.toBe('_blank');
    await expect(link.getAttribute('rel')).resolves.toBe('noopener noreferrer');

    // Even markup that got past the renderer could not send data out: the CSP blocks the request.
    const violation = await chat.page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
          const image = document.createElement('img');
          image.src = url;
          document.body.append(image);
        }),
      `${leak.url}/injected`,
    );
    expect(violation).toBe('img-src');
    expect(leak.requests).toEqual([]);
  });
});
