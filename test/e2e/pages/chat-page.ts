import type { Locator, Page, Response } from 'playwright-core';
import { UI_TIMEOUT_MS } from '../support/wait';

/**
 * The shopper's chat page (`/`), as a shopper finds things on it: by role and accessible name. Only
 * the answer's text container (`.answer`) and the announcer test id are reached by other means.
 */
export class ChatPage {
  readonly textbox: Locator;
  readonly sendButton: Locator;
  readonly stopButton: Locator;
  readonly conversation: Locator;
  readonly userMessages: Locator;
  readonly answers: Locator;
  readonly lastAnswer: Locator;
  readonly serviceStatus: Locator;
  readonly checkAgainButton: Locator;
  readonly newChatButton: Locator;
  readonly announcer: Locator;

  constructor(readonly page: Page) {
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    this.textbox = page.getByRole('textbox', { name: 'Message', exact: true });
    this.sendButton = page.getByRole('button', { name: 'Send', exact: true });
    this.stopButton = page.getByRole('button', { name: 'Stop generating', exact: true });
    this.conversation = page.getByRole('log', { name: 'Conversation' });
    this.userMessages = this.conversation.getByRole('article', { name: 'Your message', exact: true });
    this.answers = this.conversation.getByRole('article', { name: "Aisle's answer", exact: true });
    this.lastAnswer = this.answers.last();
    this.serviceStatus = page.getByRole('region', { name: 'Service status' });
    this.checkAgainButton = page.getByRole('button', { name: 'Check again', exact: true });
    this.newChatButton = page.getByRole('button', { name: 'New chat', exact: true });
    this.announcer = page.getByTestId('announcer');
  }

  /** Opens the chat and waits until the composer is there. Returns the document's response (for headers). */
  async open(url: string): Promise<Response | null> {
    const response = await this.page.goto(url);
    await this.textbox.waitFor();
    return response;
  }

  /** Reloads the page and waits until the composer is back. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.textbox.waitFor();
  }

  /**
   * Clicks "Check again" and waits until that check's answer is shown (the button no longer says
   * "Checking…"), so what the banner shows next is the result of this click, not of a later poll.
   */
  async checkAgain(): Promise<void> {
    const reply = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/api/health');
    await this.checkAgainButton.click();
    await reply;
    await this.page.getByRole('button', { name: 'Checking…', exact: true }).waitFor({ state: 'detached' });
  }

  /** Types a question and presses Enter, as a shopper does. */
  async ask(question: string): Promise<void> {
    await this.textbox.fill(question);
    await this.textbox.press('Enter');
  }

  /** The visible text of an answer (its Markdown body), '' while none has arrived. */
  async answerText(answer: Locator = this.lastAnswer): Promise<string> {
    const body = answer.locator('.answer');
    return (await body.count()) === 0 ? '' : ((await body.first().textContent()) ?? '');
  }

  /** Whether the answer is still being written (`aria-busy`). */
  async isStreaming(answer: Locator = this.lastAnswer): Promise<boolean> {
    return (await answer.getAttribute('aria-busy')) === 'true';
  }

  /**
   * Records what the last answer shows after every DOM change (its text and whether it is still
   * streaming), from the next page load on, so a test can check what the shopper saw along the way
   * however busy the machine is. Call before `open()` or `reload()`.
   */
  async recordAnswerProgress(): Promise<void> {
    await this.page.addInitScript(() => {
      const frames: Array<{ isStreaming: boolean; text: string }> = [];
      Reflect.set(window, '__answerFrames', frames);
      const record = () => {
        const answers = document.querySelectorAll('[role="log"] article[aria-label="Aisle\'s answer"]');
        const last = answers[answers.length - 1];
        if (last === undefined) return;
        const frame = {
          isStreaming: last.getAttribute('aria-busy') === 'true',
          text: last.querySelector('.answer')?.textContent ?? '',
        };
        const previous = frames[frames.length - 1];
        if (previous?.isStreaming !== frame.isStreaming || previous.text !== frame.text) frames.push(frame);
      };
      new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
  }

  /** What the last answer showed since this page loaded (see `recordAnswerProgress()`), one entry per change. */
  async answerProgress(): Promise<Array<{ isStreaming: boolean; text: string }>> {
    const frames: unknown = await this.page.evaluate(() => Reflect.get(window, '__answerFrames'));
    if (!Array.isArray(frames)) throw new Error('recordAnswerProgress() was not called on this page');
    return frames.flatMap((frame: unknown) =>
      typeof frame === 'object' && frame !== null && 'text' in frame && 'isStreaming' in frame && typeof frame.text === 'string'
        ? [{ isStreaming: frame.isStreaming === true, text: frame.text }]
        : [],
    );
  }

  /** Waits until the last answer, still streaming, shows some text; returns that text. */
  async waitForPartialText(): Promise<string> {
    await this.lastAnswer.and(this.page.locator('[aria-busy="true"]')).locator('.answer').waitFor();
    return this.answerText();
  }

  /** Waits until the last answer is no longer streaming (complete, stopped or failed). */
  async waitForAnswerEnd(answer: Locator = this.lastAnswer): Promise<void> {
    await answer.waitFor();
    await answer.and(this.page.locator('[aria-busy="false"]')).waitFor();
  }

  /** The product cards of an answer: articles inside its "Recommended products" region. */
  cards(answer: Locator = this.lastAnswer): Locator {
    return answer.getByRole('region', { name: 'Recommended products' }).getByRole('article');
  }

  /** Cards by product name: the article's accessible name, which its heading gives it. */
  card(name: string, answer: Locator = this.lastAnswer): Locator {
    return this.cards(answer).and(this.page.getByRole('article', { name, exact: true }));
  }

  /** The "Stopped" marker under a stopped answer. */
  stoppedMarker(answer: Locator = this.lastAnswer): Locator {
    return answer.getByText('Stopped', { exact: true });
  }

  /** "Retry" (failed answer) or "Regenerate" (stopped answer). */
  retryButton(answer: Locator = this.lastAnswer): Locator {
    return answer.getByRole('button', { name: 'Retry', exact: true });
  }

  /** The in-answer link to a product's card (`product:ID` in the model's Markdown). */
  productLink(productId: string, answer: Locator = this.lastAnswer): Locator {
    return answer
      .locator('.answer')
      .getByRole('link')
      .and(this.page.locator(`a[href="#product-${productId}"]`));
  }

  /** What the live region says right now. */
  async announcement(): Promise<string> {
    return ((await this.announcer.textContent()) ?? '').trim();
  }
}
