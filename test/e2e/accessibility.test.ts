import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OLLAMA_ERRORS, text, type OllamaDoubleOptions } from '../ollama-double';
import { AgentSignInPage } from './pages/agent-sign-in-page';
import { AgentTranscriptPage } from './pages/agent-transcript-page';
import { AgentTranscriptsPage } from './pages/agent-transcripts-page';
import { ChatPage } from './pages/chat-page';
import { createAgent, type AgentAccount } from './support/agentConsole';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

/**
 * Issue 11's accessibility points, each as a user of a keyboard, a screen reader, a dark screen or a
 * phone would notice them: where the focus goes after each action, what the live region says while
 * an answer is made, text contrast in both colour schemes, heading order, and the header at 390 px.
 */

let browser: Browser;
let stack: E2eStack | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await stack?.close();
  stack = undefined;
});

async function boot(double: OllamaDoubleOptions = {}): Promise<E2eStack> {
  stack = await startStack({ double });
  return stack;
}

/** The chat page; `lang` picks its language with `?lang=` (the page model's English names then do not apply). */
async function openChat(s: E2eStack, options: BrowserContextOptions = {}, lang?: 'de'): Promise<ChatPage> {
  const context = await newShopperContext(browser, options);
  contexts.push(context);
  const chat = new ChatPage(await context.newPage());
  if (lang === undefined) await chat.open(s.url);
  else {
    await chat.page.goto(`${s.url}/?lang=${lang}`);
    await chat.page.getByRole('textbox', { name: 'Nachricht', exact: true }).waitFor();
  }
  return chat;
}

async function signedInTranscript(
  s: E2eStack,
  firstMessage: string,
  options: BrowserContextOptions = {},
): Promise<AgentTranscriptPage> {
  const ann: AgentAccount = await createAgent(s, { email: 'ann@shop.example', name: 'Ann' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', ...options });
  contexts.push(context);
  const signIn = new AgentSignInPage(await context.newPage());
  await signIn.signIn(s.url, ann);
  const list = new AgentTranscriptsPage(signIn.page);
  await list.results.waitFor();
  await list.openTranscript(firstMessage);
  const transcript = new AgentTranscriptPage(list.page);
  await transcript.waitForLoad();
  return transcript;
}

const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

/** What has the focus, in words a test failure can show. */
const focusedElement = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (element === null) return 'nothing';
    return `${element.tagName.toLowerCase()}${element.getAttribute('aria-label') ? ` "${element.getAttribute('aria-label')}"` : ''}`;
  });

const LONG_ANSWER = Array.from({ length: 60 }, (_, i) => `Word${i}`).join(' ');

describe('focus after each action', () => {
  it('Stop puts the caret back in the message box, so the next question can be typed at once', async () => {
    const s = await boot();
    s.double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 40 });
    const chat = await openChat(s);
    await chat.ask('Tell me everything about trail shoes');
    await chat.waitForPartialText();

    await chat.stopButton.focus();
    await chat.page.keyboard.press('Enter');
    await chat.stoppedMarker().waitFor();
    await chat.stopButton.waitFor({ state: 'detached' });
    expect(await focusedElement(chat.page)).toBe('textarea');
    await chat.page.keyboard.type('And rain jackets?');
    await expect(chat.textbox.inputValue()).resolves.toBe('And rain jackets?');
  });

  it('Retry and Regenerate move the focus to the new answer, which keeps it when it ends', async () => {
    const s = await boot();
    const full = 'The Ridgeback Waterproof Trail Shoe fits.';
    s.double.enqueueChat(
      { chunks: text('The Ridgeback'), end: { error: OLLAMA_ERRORS.runner } },
      { chunks: text(full) },
      { chunks: text(LONG_ANSWER), tokenDelayMs: 40 },
      { chunks: text(full) },
    );
    const chat = await openChat(s);
    await chat.ask('Waterproof trail shoes under $120');
    await chat.waitForAnswerEnd();

    // Retry after a failure, from the keyboard.
    await chat.retryButton().focus();
    await chat.page.keyboard.press('Enter');
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe(full);
    await chat.waitForAnswerEnd();
    expect(await isFocused(chat.lastAnswer)).toBe(true);
    expect(await focusedElement(chat.page)).toBe(`article "Aisle's answer"`);

    // Regenerate after a stop.
    await chat.ask('Tell me more');
    await chat.waitForPartialText();
    await chat.stopButton.click();
    await chat.waitForAnswerEnd();
    const regenerate = chat.lastAnswer.getByRole('button', { name: 'Regenerate', exact: true });
    await regenerate.focus();
    await chat.page.keyboard.press('Enter');
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe(full);
    await chat.waitForAnswerEnd();
    await expect(chat.answers.count()).resolves.toBe(2);
    expect(await isFocused(chat.lastAnswer)).toBe(true);
  });

  it('Take over puts the caret in the reply box (typing right away lands there); Hand back returns to Take over', async () => {
    const s = await boot();
    const chat = await openChat(s);
    const FIRST = 'Waterproof trail shoes under $120, size 44';
    await chat.ask(FIRST);
    await chat.waitForAnswerEnd();
    const transcript = await signedInTranscript(s, FIRST);
    const { keyboard } = transcript.page;

    await transcript.takeOverButton.focus();
    await keyboard.press('Enter');
    // No wait for the server: the agent starts typing at once.
    await keyboard.type('Hi, Ann here.');
    await transcript.liveChat.getByText('You have taken this conversation over').waitFor();
    await expect(transcript.replyBox.inputValue()).resolves.toBe('Hi, Ann here.');
    expect(await isFocused(transcript.replyBox)).toBe(true);
    await keyboard.press('Enter');
    await eventually(() => transcript.agentMessages('Ann').textContent()).toContain('Hi, Ann here.');

    await transcript.handBackButton.focus();
    await keyboard.press('Enter');
    await transcript.takeOverButton.waitFor();
    await eventually(() => isFocused(transcript.takeOverButton)).toBe(true);
  });
});

describe('the live region while an answer is made', () => {
  it('says each phase once (searching, loading the model, writing), then the answer, and never the streamed words', async () => {
    const s = await boot({ coldLoadMs: 400 });
    const answer = 'The Ridgeback Waterproof Trail Shoe is light and grippy on wet rock.';
    s.double.enqueueChat({ chunks: text(answer), tokenDelayMs: 30 });
    const chat = await openChat(s);
    // Every text the region takes, in order, as a screen reader would be handed it.
    await chat.announcer.evaluate((region) => {
      const seen: string[] = [];
      (window as unknown as { spoken: string[] }).spoken = seen;
      new MutationObserver(() => {
        const current = (region.textContent ?? '').trim();
        if (current !== '' && seen.at(-1) !== current) seen.push(current);
      }).observe(region, { childList: true, subtree: true, characterData: true });
    });
    await chat.ask('Waterproof trail shoes');
    await chat.waitForAnswerEnd();
    await eventually(() => chat.announcement()).toContain(answer);

    const spoken = await chat.page.evaluate(() => (window as unknown as { spoken: string[] }).spoken);
    expect(spoken).toEqual([
      'Searching the catalogue…',
      'Loading the model… the first answer can take a few seconds',
      'Writing…',
      expect.stringContaining(answer),
    ]);
  });

  it('says the phases in the page’s language, and the model is asked to answer in it', async () => {
    const s = await boot();
    s.double.enqueueChat({ chunks: text('Die Ridgeback passt.'), tokenDelayMs: 30 });
    const chat = await openChat(s, {}, 'de');
    await chat.page.getByRole('textbox', { name: 'Nachricht', exact: true }).fill('Wanderschuhe');
    await chat.page.keyboard.press('Enter');
    await eventually(() => chat.announcement()).toBe('Schreibt…');
    // The browser sent the page's language with the message: the model is told to answer in German.
    const system = s.double.chatRequests()[0]?.messages?.find((m) => m.role === 'system')?.content;
    expect(system).toContain('Write your answer in German');
  });
});

/** Every visible text's colour against the background it is drawn on, as rendered. */
function lowContrastTexts(
  page: Page,
  root: string,
): Promise<Array<{ text: string; ratio: number; color: string; background: string }>> {
  return page.evaluate((rootSelector) => {
    type Rgba = [number, number, number, number];
    const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    /** Any CSS colour (rgb(), color(srgb …), oklab() from color-mix) as sRGB bytes, by painting it. */
    const parse = (css: string): Rgba => {
      if (probe === null) return [0, 0, 0, 1];
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const [r = 0, g = 0, b = 0, a = 0] = probe.getImageData(0, 0, 1, 1).data;
      return [r, g, b, a / 255];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: 0 | 1 | 2) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    };
    /** `filter: brightness()` of the element and its ancestors (the dark scheme dims product drawings). */
    const brightnessOf = (element: Element): number => {
      let factor = 1;
      for (let node: Element | null = element; node !== null; node = node.parentElement) {
        const match = /brightness\(([\d.]+)\)/.exec(getComputedStyle(node).filter);
        if (match?.[1] !== undefined) factor *= Number(match[1]);
      }
      return factor;
    };
    const dim = (colour: Rgba, factor: number): Rgba => [colour[0] * factor, colour[1] * factor, colour[2] * factor, colour[3]];
    const backgroundOf = (element: Element): Rgba => {
      const layers: Rgba[] = [];
      for (let node: Element | null = element; node !== null; node = node.parentElement) {
        const layer = parse(getComputedStyle(node).backgroundColor);
        if (layer[3] > 0) layers.push(layer);
        if (layer[3] >= 1) break;
      }
      let colour: Rgba = parse(getComputedStyle(document.documentElement).backgroundColor);
      if (colour[3] < 1) colour = over(colour, [255, 255, 255, 1]);
      for (const layer of layers.reverse()) colour = over(layer, colour);
      return colour;
    };
    const luminance = ([r, g, b]: Rgba) => {
      const channel = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const found: Array<{ text: string; ratio: number; color: string; background: string }> = [];
    const root = document.querySelector(rootSelector);
    if (root === null) throw new Error(`no ${rootSelector} on the page`);
    for (const element of root.querySelectorAll('*')) {
      const own = [...element.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '');
      const words = own.join('').trim();
      if (words === '') continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      // Hidden, screen-reader-only, or a disabled control (which WCAG exempts) is not read on screen.
      if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      // Drawings (the placeholder's initial) are decoration, painted with `fill`, not text colour.
      if (element.closest(':disabled, [aria-disabled="true"], .sr-only, svg, [aria-hidden="true"]') !== null) continue;
      const factor = brightnessOf(element);
      const background = dim(backgroundOf(element), factor);
      const colour = over(dim(parse(style.color), factor), background);
      const [lighter, darker] = [luminance(colour), luminance(background)].sort((a, b) => b - a) as [number, number];
      const ratio = (lighter + 0.05) / (darker + 0.05);
      const size = parseFloat(style.fontSize);
      const isLarge = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (isLarge ? 3 : 4.5))
        found.push({
          text: words.slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          color: style.color,
          background: background.join(','),
        });
    }
    return found;
  }, root);
}

describe('text contrast in both colour schemes', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`keeps every text of the chat and the console at 4.5:1 or more (${colorScheme})`, async () => {
      const s = await boot();
      const chat = await openChat(s, { colorScheme });
      // The welcome with its example questions.
      await chat.page.getByRole('list', { name: 'Example questions' }).waitFor();
      expect(await lowContrastTexts(chat.page, 'body')).toEqual([]);
      const FIRST = 'Waterproof trail shoes under $120, size 44';
      await chat.ask(FIRST);
      await chat.waitForAnswerEnd();
      const helpful = chat.lastAnswer.getByRole('button', { name: 'Helpful', exact: true });
      await helpful.waitFor();
      await expect(chat.lastAnswer.getByRole('button', { name: 'Not helpful', exact: true }).isVisible()).resolves.toBe(true);
      await expect(chat.page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).resolves.toBe(
        colorScheme === 'dark',
      );
      expect(await lowContrastTexts(chat.page, 'body')).toEqual([]);
      // The pressed label has its own colour.
      await helpful.click();
      await eventually(() => helpful.getAttribute('aria-pressed')).toBe('true');
      expect(await lowContrastTexts(chat.page, '.answer-feedback')).toEqual([]);

      const transcript = await signedInTranscript(s, FIRST, { colorScheme });
      await transcript.openTrace();
      expect(await lowContrastTexts(transcript.page, 'body')).toEqual([]);
      // The list of transcripts, with its status badges.
      await transcript.page.goBack();
      await transcript.page.getByRole('heading', { level: 1, name: 'Transcripts' }).waitFor();
      await transcript.page.locator('.transcript-row').first().waitFor();
      expect(await lowContrastTexts(transcript.page, 'body')).toEqual([]);
    });
  }
});

/** The page's headings in document order, screen-reader-only ones included, as "h<level> text". */
function headings(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(
      (h) => `${h.tagName.toLowerCase()} ${(h.textContent ?? '').trim()}`,
    ),
  );
}

/** Headings where the outline skips a level (h1 to h3), or a page that does not start at h1. */
function skippedLevels(list: readonly string[]): string[] {
  const problems: string[] = [];
  let previous = 0;
  for (const heading of list) {
    const level = Number(heading.charAt(1));
    if (level > previous + 1) problems.push(`${heading} after h${previous}`);
    previous = level;
  }
  return problems;
}

describe('heading order', () => {
  it('skips no level on the empty chat, a chat with cards, the transcript list and a transcript', async () => {
    const s = await boot();
    const chat = await openChat(s);
    const empty = await headings(chat.page);
    expect(empty[0]).toBe('h1 Aisle');
    expect(skippedLevels(empty)).toEqual([]);

    const FIRST = 'Waterproof trail shoes under $120, size 44';
    await chat.ask(FIRST);
    await chat.waitForAnswerEnd();
    await chat.card('Ridgeback Waterproof Trail Shoe').first().waitFor();
    const answered = await headings(chat.page);
    expect(answered).toContain('h3 Ridgeback Waterproof Trail Shoe');
    expect(skippedLevels(answered)).toEqual([]);

    const transcript = await signedInTranscript(s, FIRST);
    await transcript.openTrace();
    const detail = await headings(transcript.page);
    expect(detail.filter((h) => h.startsWith('h3'))).not.toEqual([]);
    expect(skippedLevels(detail)).toEqual([]);
    await transcript.page.goBack();
    await transcript.page.getByRole('heading', { level: 1, name: 'Transcripts' }).waitFor();
    expect(skippedLevels(await headings(transcript.page))).toEqual([]);
  });
});

/** Whether two boxes overlap by more than a pixel. */
function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x + 1 < b.x + b.width && b.x + 1 < a.x + a.width && a.y + 1 < b.y + b.height && b.y + 1 < a.y + a.height;
}

/** The header's problems at this width: a button over the brand name or another button, or off the screen. */
async function headerProblems(chat: ChatPage): Promise<string[]> {
  const header = chat.page.locator('header.app-header');
  const brand = await header.locator('.brand-name').boundingBox();
  if (brand === null) return ['no brand name'];
  const width = chat.page.viewportSize()?.width ?? 0;
  const boxes: Array<{ name: string; box: NonNullable<typeof brand> }> = [];
  for (const button of await header.getByRole('button').all()) {
    const box = await button.boundingBox();
    if (box !== null) boxes.push({ name: ((await button.textContent()) ?? '').trim(), box });
  }
  const problems: string[] = [];
  if (boxes.length < 2) problems.push(`only ${boxes.length} header buttons`);
  for (const [i, { name, box }] of boxes.entries()) {
    if (overlaps(box, brand)) problems.push(`"${name}" covers the brand name`);
    if (box.x < 0 || box.x + box.width > width) problems.push(`"${name}" is off the screen`);
    for (const other of boxes.slice(i + 1)) if (overlaps(box, other.box)) problems.push(`"${name}" covers "${other.name}"`);
  }
  return problems;
}

const HEADER_BUTTONS = {
  en: ['Leave your email', 'History', 'New chat'],
  de: ['E-Mail hinterlassen', 'Verlauf', 'Neuer Chat'],
} as const;

describe('the header at 390 px', () => {
  for (const lang of ['en', 'de'] as const) {
    it(`keeps the real header's buttons (History among them) off the brand name and each other (${lang})`, async () => {
      const s = await boot();
      const chat = await openChat(s, { viewport: { width: 390, height: 844 }, isMobile: true }, lang === 'de' ? 'de' : undefined);
      // After a first answer the header offers "Leave your email" (nobody online), "History" and "New chat".
      await chat.page.getByRole('textbox').first().fill('Rain jacket?');
      await chat.page.getByRole('textbox').first().press('Enter');
      await chat.page.locator('.message-assistant.status-complete').waitFor();
      const header = chat.page.locator('header.app-header');
      for (const name of HEADER_BUTTONS[lang]) await header.getByRole('button', { name, exact: true }).waitFor();
      const names = (await header.getByRole('button').allTextContents()).map((name) => name.trim());
      expect(names).toEqual(expect.arrayContaining([...HEADER_BUTTONS[lang]]));
      expect(await headerProblems(chat)).toEqual([]);
      // The conversation keeps most of the screen.
      const box = await header.boundingBox();
      expect(box?.height ?? 999).toBeLessThan(160);
    });
  }
});

/** Elements wider than the page, or the page itself scrolling sideways (a phone's shopper would pan). */
async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const problems: string[] = [];
    if (root.scrollWidth > root.clientWidth) problems.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    if (document.body.scrollWidth > root.clientWidth) problems.push(`body ${document.body.scrollWidth} > ${root.clientWidth}`);
    // Scrolling rows (the cards) may hold wider content; what holds them must not stick out.
    for (const element of document.querySelectorAll<HTMLElement>('.message-assistant, .message-assistant *')) {
      if (element.closest('.product-grid') !== null && !element.matches('.product-grid')) continue;
      const box = element.getBoundingClientRect();
      if (box.width > 0 && (box.left < -1 || box.right > root.clientWidth + 1))
        problems.push(
          `${element.tagName.toLowerCase()}.${element.className} spans ${Math.round(box.left)}–${Math.round(box.right)}`,
        );
    }
    return problems;
  });
}

describe('an answer at 390 px', () => {
  for (const lang of ['en', 'de'] as const) {
    it(`shows cards, chips, actions and suggestions without anything sticking out sideways (${lang})`, async () => {
      const s = await boot();
      s.double.enqueueChat({
        chunks: text(
          'The [Ridgeback Waterproof Trail Shoe](product:TRL-100-44) and the [Summit Pro GTX Trail Shoe](product:TRL-200-44) both come in 44.',
        ),
      });
      const chat = await openChat(s, { viewport: { width: 390, height: 844 }, isMobile: true }, lang === 'de' ? 'de' : undefined);
      await chat.page.getByRole('textbox').first().fill('Trail shoes under $200 in size 44');
      await chat.page.getByRole('textbox').first().press('Enter');
      const answer = chat.page.locator('.message-assistant.status-complete');
      await answer.locator('.product-card').nth(1).waitFor();
      await answer.locator('.constraint-chips li').first().waitFor();
      await answer.locator('.suggestion-list li').first().waitFor();
      await answer.getByRole('button', { name: lang === 'de' ? 'Neu erzeugen' : 'Regenerate', exact: true }).waitFor();
      // Reading order under the answer: cards, chips, actions, suggestions.
      const order = await answer.evaluate((article) =>
        ['.product-grid', '.constraint-chips', '.answer-toolbar', '.suggestion-list'].map(
          (selector) => article.querySelector(selector)?.getBoundingClientRect().top ?? -1,
        ),
      );
      expect(order.every((top, i) => top >= 0 && (i === 0 || top > (order[i - 1] ?? 0)))).toBe(true);
      expect(await sidewaysOverflow(chat.page)).toEqual([]);

      // Not helpful opens the comment form inside the answer: still nothing sideways.
      await answer.getByRole('button', { name: lang === 'de' ? 'Nicht hilfreich' : 'Not helpful' }).click();
      await answer.locator('.feedback-form textarea').waitFor();
      expect(await sidewaysOverflow(chat.page)).toEqual([]);
    });
  }
});
