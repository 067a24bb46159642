import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { ChatPage } from './pages/chat-page';
import { answerControls, HistoryDialog } from './pages/history-dialog';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

/** Issue 11 in Chromium: History (reopen, delete), regenerate with alternatives, copy, edit and resend. */

let browser: Browser;
let stack: E2eStack;
let context: BrowserContext;
let chat: ChatPage;
let history: HistoryDialog;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startStack();
  context = await newShopperContext(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  chat = new ChatPage(page);
  history = new HistoryDialog(page);
});
afterEach(async () => {
  await context?.close();
  await stack?.close();
});

/** Asks a question the double answers with `answer` (shown as `shown`), and waits until the answer is complete. */
async function askAndWait(question: string, answer: string, shown = answer): Promise<void> {
  stack.double.enqueueChat({ chunks: text(answer) });
  await chat.ask(question);
  await eventually(() => chat.answerText().then((t) => t.trim())).toBe(shown);
  await chat.waitForAnswerEnd();
}

const focusedName = () =>
  chat.page.evaluate(() => {
    const active = document.activeElement;
    return active === null ? '' : (active.getAttribute('aria-label') ?? active.textContent ?? '').trim();
  });

describe('History', () => {
  it('keeps the old chat after "New chat", reopens it to continue, and deletes conversations', async () => {
    await chat.open(stack.url);
    await askAndWait('Waterproof trail shoes', 'The Ridgeback trail shoe.');
    await chat.newChatButton.click();
    await askAndWait('A quiet coffee grinder', 'The Quietburr grinder.');

    await history.open();
    expect(await history.titles()).toEqual(['A quiet coffee grinder', 'Waterproof trail shoes']);
    // Escape closes the dialog and focus goes back to the History button.
    await chat.page.keyboard.press('Escape');
    await history.dialog.waitFor({ state: 'hidden' });
    await eventually(focusedName).toBe('History');

    await history.open();
    await history.entry('Waterproof trail shoes').click();
    await history.dialog.waitFor({ state: 'hidden' });
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('The Ridgeback trail shoe.');
    await expect(chat.userMessages.allTextContents()).resolves.toEqual(['Waterproof trail shoes']);
    await eventually(() => chat.textbox.evaluate((el) => el === document.activeElement)).toBe(true);

    // The next message goes to the reopened conversation: the model sees its earlier turn.
    await askAndWait('In size 44?', 'Yes, in 44.');
    const sent = stack.double.chatRequests().at(-1)?.messages ?? [];
    expect(sent.map((m) => m.content)).toContain('The Ridgeback trail shoe.');
    await expect(chat.userMessages.count()).resolves.toBe(2);

    // Delete the other conversation: gone from the list, after a reload too.
    await history.open();
    expect(await history.titles()).toEqual(['Waterproof trail shoes', 'A quiet coffee grinder']);
    await history.delete('A quiet coffee grinder');
    await eventually(() => history.titles()).toEqual(['Waterproof trail shoes']);
    await history.closeButton.click();
    await chat.reload();
    await history.open();
    expect(await history.titles()).toEqual(['Waterproof trail shoes']);

    // Deleting the open conversation leaves an empty chat.
    await history.delete('Waterproof trail shoes');
    await history.dialog.getByText('No conversations yet.').waitFor();
    await chat.page.keyboard.press('Escape');
    await expect(chat.answers.count()).resolves.toBe(0);
    await expect(chat.userMessages.count()).resolves.toBe(0);
  });
});

describe('regenerate, copy, edit', () => {
  it('regenerates a complete answer, shows 2 / 2 and pages through the alternatives, after a reload too', async () => {
    await chat.open(stack.url);
    await askAndWait('Waterproof trail shoes', 'First: the Ridgeback.');
    const controls = answerControls(chat.lastAnswer);

    stack.double.enqueueChat({ chunks: text('Second: the Summit.') });
    await controls.regenerate.click();
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('Second: the Summit.');
    await chat.waitForAnswerEnd();
    await expect(chat.answers.count()).resolves.toBe(1);
    await eventually(() => controls.position.textContent()).toBe('2 / 2');
    // The pressed Regenerate left with the old answer: focus is on the new answer (the accessibility
    // fix of issue 11), so a screen reader reads it and Tab reaches its "Previous answer" next.
    await eventually(focusedName).toBe("Aisle's answer");

    await controls.previous.click();
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('First: the Ridgeback.');
    expect(await controls.position.textContent()).toBe('1 / 2');
    await eventually(focusedName).toBe('Previous answer');
    await controls.next.click();
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('Second: the Summit.');

    await chat.reload();
    await eventually(() => controls.position.textContent()).toBe('2 / 2');
    await controls.previous.click();
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('First: the Ridgeback.');
  });

  it('copies the answer’s Markdown to the clipboard and says "Copied"', async () => {
    await chat.open(stack.url);
    await askAndWait('Waterproof trail shoes', 'The **Ridgeback** is waterproof.', 'The Ridgeback is waterproof.');
    const controls = answerControls(chat.lastAnswer);
    await controls.copy.click();
    await eventually(() => controls.status.textContent()).toBe('Copied');
    const copied = await chat.page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe('The **Ridgeback** is waterproof.');
  });

  it('edits and resends the last message: the old exchange gives way to the new one', async () => {
    await chat.open(stack.url);
    await askAndWait('Red running shoes', 'The Sprint in red.');
    const edit = chat.conversation.getByRole('button', { name: 'Edit your message', exact: true });

    // Escape leaves the editor and gives focus back to Edit.
    await edit.click();
    const editor = chat.conversation.getByRole('form', { name: 'Edit your message' });
    const input = editor.getByRole('textbox', { name: 'Your message', exact: true });
    expect(await input.inputValue()).toBe('Red running shoes');
    await chat.page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await eventually(focusedName).toBe('Edit your message');

    await edit.click();
    await input.fill('Blue running shoes');
    stack.double.enqueueChat({ chunks: text('The Sprint in blue.') });
    await editor.getByRole('button', { name: 'Send', exact: true }).click();
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('The Sprint in blue.');
    await chat.waitForAnswerEnd();
    await expect(chat.userMessages.allTextContents()).resolves.toEqual(['Blue running shoes']);
    await expect(chat.answers.count()).resolves.toBe(1);
    const sent = (stack.double.chatRequests().at(-1)?.messages ?? []).map((m) => m.content).join('\n');
    expect(sent).toContain('Blue running shoes');
    expect(sent).not.toContain('Red running shoes');

    await chat.reload();
    // The composer is back before the conversation is: wait for it rather than read at once.
    await eventually(() => chat.userMessages.allTextContents()).toEqual(['Blue running shoes']);
    await eventually(() => chat.answerText().then((t) => t.trim())).toBe('The Sprint in blue.');
  });
});
