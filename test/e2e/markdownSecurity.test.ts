import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import { ChatPage } from './pages/chat-page';
import { launchBrowser, newShopperContext } from './support/browser';
import { startLeakServer, type LeakServer } from './support/leakServer';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

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

/** Gives the catalogue product links on `host`: with no `storefront.linkDomains`, that makes it the shop's domain. */
async function catalogueLinksTo(host: string): Promise<void> {
  const [first] = FIXTURE_PRODUCTS;
  if (!first) throw new Error('no fixture products');
  await stack.server.app.products.upsertMany([{ ...first, link: `https://${host}/p/${first.id}` }]);
}

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
    await catalogueLinksTo('example.com');

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
    await eventually(() => link.count()).toBe(1);
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

  it("makes only the shop's own links live: a phishing link from a product description is plain text (fix 7)", async () => {
    await catalogueLinksTo('www.outdoor-shop.example');
    const answerText = [
      'Good news about your order.',
      '',
      '[Claim your refund](https://outdoor-shop.example.refunds-now.example/claim) within 24 hours.',
      '',
      'Lookalike: [returns](https://evil-outdoor-shop.example/returns).',
      '',
      'Our [returns page](https://help.outdoor-shop.example/returns) has the details.',
    ].join('\n');
    stack.double.enqueueChat({ chunks: text(answerText) });

    await chat.open(stack.url);
    await chat.ask('Where is my refund?');
    await chat.waitForAnswerEnd();
    const answer = chat.lastAnswer.locator('.answer');

    // The page learns the shop's domains with one request at start; wait for the shop link to go live.
    await eventually(() => answer.getByRole('link').count()).toBe(1);
    await expect(answer.getByRole('link', { name: /^returns page/ }).getAttribute('href')).resolves.toBe(
      'https://help.outdoor-shop.example/returns',
    );
    // The phishing text is still there to read, but as text with no address behind it.
    await expect(answer.getByText('Claim your refund', { exact: true }).count()).resolves.toBe(1);
    await expect(answer.locator('a', { hasText: 'Claim your refund' }).count()).resolves.toBe(0);
    await expect(answer.innerHTML()).resolves.not.toContain('refunds-now.example');
    await expect(answer.innerHTML()).resolves.not.toContain('evil-outdoor-shop.example');
  });
});
