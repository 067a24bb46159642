import type { Locator, Page } from 'playwright-core';
import { UI_TIMEOUT_MS } from '../support/wait';

/**
 * One transcript in the console (`/agent/transcripts/:id`): the conversation with each answer's
 * grounding trace, the review panel (flag, labels, notes) and the live-chat controls.
 */
export class AgentTranscriptPage {
  /** "Conversation from <date>", focused once the transcript has loaded. */
  readonly heading: Locator;
  readonly conversation: Locator;
  readonly shopperMessages: Locator;
  readonly assistantMessages: Locator;
  readonly review: Locator;
  readonly flagButton: Locator;
  readonly labelBox: Locator;
  readonly addLabelButton: Locator;
  /** One "Remove label …" button per label shown. */
  readonly removeLabelButtons: Locator;
  readonly noteBox: Locator;
  readonly addNoteButton: Locator;
  readonly notes: Locator;
  readonly liveChat: Locator;
  readonly takeOverButton: Locator;
  readonly replyBox: Locator;
  readonly sendReplyButton: Locator;
  readonly handBackButton: Locator;

  constructor(readonly page: Page) {
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    this.heading = page.getByRole('heading', { level: 1, name: /^Conversation from / });
    this.conversation = page.getByRole('region', { name: 'Conversation', exact: true });
    this.shopperMessages = this.conversation.getByRole('article', { name: 'Shopper', exact: true });
    this.assistantMessages = this.conversation.getByRole('article', { name: 'Assistant', exact: true });
    this.review = page.getByRole('complementary', { name: 'Review', exact: true });
    this.flagButton = this.review.getByRole('button', { name: 'Flag for review' });
    this.labelBox = this.review.getByRole('combobox', { name: 'Label', exact: true });
    this.addLabelButton = this.review.getByRole('button', { name: 'Add label', exact: true });
    this.removeLabelButtons = this.review.getByRole('button', { name: /^Remove label / });
    this.noteBox = this.review.getByRole('textbox', { name: 'Note', exact: true });
    this.addNoteButton = this.review.getByRole('button', { name: 'Add note', exact: true });
    this.notes = this.review.getByRole('listitem').filter({ has: page.locator('.note-body') });
    this.liveChat = page.getByRole('region', { name: 'Live chat', exact: true });
    this.takeOverButton = this.liveChat.getByRole('button', { name: 'Take over', exact: true });
    this.replyBox = this.liveChat.getByRole('textbox', { name: 'Reply to shopper', exact: true });
    this.sendReplyButton = this.liveChat.getByRole('button', { name: 'Send reply', exact: true });
    this.handBackButton = this.liveChat.getByRole('button', { name: 'Hand back to assistant', exact: true });
  }

  /** Waits until the transcript has loaded. */
  async waitForLoad(): Promise<void> {
    await this.heading.waitFor();
  }

  /** Reloads the page and waits for the transcript again. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForLoad();
  }

  /** Messages an agent wrote, named "Agent · <name>". */
  agentMessages(name: string): Locator {
    return this.conversation.getByRole('article', { name: `Agent · ${name}`, exact: true });
  }

  /** The `<details>` grounding trace of an answer (closed until `openTrace`). */
  trace(answer: Locator = this.assistantMessages.last()): Locator {
    return answer.locator('details').filter({ has: this.page.locator('summary', { hasText: /^Grounding trace:/ }) });
  }

  /** Opens an answer's grounding trace by its summary, as an agent clicks it. */
  async openTrace(answer: Locator = this.assistantMessages.last()): Promise<Locator> {
    const trace = this.trace(answer);
    if ((await trace.getAttribute('open')) === null) await trace.locator('summary').click();
    await trace.and(this.page.locator('details[open]')).waitFor();
    return trace;
  }

  /** A trace's tool calls (one list item each). */
  toolCalls(trace: Locator): Locator {
    return trace.getByRole('region', { name: 'Tool calls' }).getByRole('listitem');
  }

  /** The arguments a tool call was made with, parsed from the JSON the trace shows. */
  async toolArguments(call: Locator): Promise<unknown> {
    const shown = await call.getByLabel(/^Arguments of /).textContent();
    return JSON.parse(shown ?? 'null');
  }

  /** The products table of a tool call: one row per product as it was then (ID, name, price, stock). */
  async toolProducts(call: Locator): Promise<Array<{ id: string; name: string; price: string; stock: string }>> {
    const rows = call.getByRole('table').locator('tbody').getByRole('row');
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
    );
    return cells.map(([id = '', name = '', price = '', stock = '']) => ({ id, name, price, stock }));
  }

  /** The labels shown, read from their "Remove label …" buttons (the chip's × is decoration). */
  async labelNames(): Promise<string[]> {
    const names = await this.removeLabelButtons.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''));
    return names.map((name) => name.replace(/^Remove label /, ''));
  }

  /** Whether "Flag for review" is pressed. */
  async isFlagged(): Promise<boolean> {
    return (await this.flagButton.getAttribute('aria-pressed')) === 'true';
  }

  /** Types a note and clicks "Add note". */
  async addNote(text: string): Promise<void> {
    await this.noteBox.fill(text);
    await this.addNoteButton.click();
  }

  /** Types a label and clicks "Add label". */
  async addLabel(label: string): Promise<void> {
    await this.labelBox.fill(label);
    await this.addLabelButton.click();
  }

  /** Types a reply to the shopper and clicks "Send reply". */
  async reply(text: string): Promise<void> {
    await this.replyBox.fill(text);
    await this.sendReplyButton.click();
  }
}
