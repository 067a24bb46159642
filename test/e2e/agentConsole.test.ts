import type { Browser, BrowserContext, Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OLLAMA_ERRORS, text } from '../ollama-double';
import { AgentSignInPage } from './pages/agent-sign-in-page';
import { AgentTranscriptPage } from './pages/agent-transcript-page';
import { AgentTranscriptsPage } from './pages/agent-transcripts-page';
import { ChatPage } from './pages/chat-page';
import { createAgent, newAgentContext, shopperAsks, tabTo, turnsSentToModel, type AgentAccount } from './support/agentConsole';
import { launchBrowser, newShopperContext } from './support/browser';
import { startStack, type E2eStack } from './support/stack';
import { eventually } from './support/wait';

let browser: Browser;
let stack: E2eStack;
let ann: AgentAccount;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startStack();
  ann = await createAgent(stack, { email: 'ann@shop.example', name: 'Ann' });
});
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await stack?.close();
});

async function agentBrowser(): Promise<AgentSignInPage> {
  const context = await newAgentContext(browser);
  contexts.push(context);
  return new AgentSignInPage(await context.newPage());
}

/** A signed-in console on the transcript list. */
async function signedInConsole(): Promise<AgentTranscriptsPage> {
  const signIn = await agentBrowser();
  await signIn.signIn(stack.url, ann);
  const list = new AgentTranscriptsPage(signIn.page);
  await list.results.waitFor();
  return list;
}

async function shopperBrowser(): Promise<ChatPage> {
  const context = await newShopperContext(browser);
  contexts.push(context);
  const chat = new ChatPage(await context.newPage());
  await chat.open(stack.url);
  return chat;
}

const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

describe('signing in', () => {
  it('refuses a wrong password with an error, then lands on the transcript list with the right one', async () => {
    const signIn = await agentBrowser();
    await signIn.open(stack.url);

    expect(await signIn.submitAndWait(ann.email, 'not the password')).toBe(401);
    await expect(signIn.error.textContent()).resolves.toBe('Wrong email or password.');
    await expect(signIn.transcriptsHeading.count()).resolves.toBe(0);
    // An unknown account gets the very same answer.
    expect(await signIn.submitAndWait('nobody@shop.example', 'not the password')).toBe(401);
    await expect(signIn.error.textContent()).resolves.toBe('Wrong email or password.');

    await signIn.submit(ann.email, ann.password);
    await signIn.transcriptsHeading.waitFor();
    await signIn.page.getByText('Signed in as Ann').waitFor();
    await expect(signIn.error.count()).resolves.toBe(0);
    expect(new URL(signIn.page.url()).pathname).toBe('/agent');

    // The session is a cookie: a reload keeps the agent signed in.
    await signIn.page.reload();
    await signIn.transcriptsHeading.waitFor();
    await expect(signIn.email.count()).resolves.toBe(0);
  });

  it('can be completed and submitted with the keyboard alone', async () => {
    const signIn = await agentBrowser();
    await signIn.open(stack.url);
    const { keyboard } = signIn.page;

    await keyboard.press('Tab');
    expect(await isFocused(signIn.email)).toBe(true);
    await keyboard.type(ann.email);
    await keyboard.press('Tab');
    expect(await isFocused(signIn.password)).toBe(true);
    await keyboard.type('wrong password');
    await keyboard.press('Enter');
    await eventually(() => signIn.error.textContent()).toBe('Wrong email or password.');

    // Focus stays in the password field: select what was typed, type the right one, Tab to the button.
    expect(await isFocused(signIn.password)).toBe(true);
    await keyboard.press('ControlOrMeta+A');
    await keyboard.type(ann.password);
    await keyboard.press('Tab');
    expect(await isFocused(signIn.signInButton)).toBe(true);
    await keyboard.press('Space');
    await signIn.transcriptsHeading.waitFor();
  });
});

describe('signing out', () => {
  it('returns the console to the sign-in form, and a reload does not bring the session back', async () => {
    const list = await signedInConsole();
    await list.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    const signIn = new AgentSignInPage(list.page);
    await signIn.email.waitFor();
    await list.page.getByRole('status').filter({ hasText: 'You signed out.' }).waitFor();
    await expect(list.heading.count()).resolves.toBe(0);

    await list.page.reload();
    await signIn.email.waitFor();
    await expect(list.heading.count()).resolves.toBe(0);
  });
});

describe('the transcript list', () => {
  const SHOES = 'Waterproof trail shoes under $120, size 44';
  const JACKET = 'A rain jacket for cycling in storms';
  const GRINDER = 'Which grinder makes the finest espresso?';
  const PERSON = 'Can a coffee grinder be returned after use?';

  /** Four conversations, oldest first: two answered, one that failed, one waiting for a person. */
  async function fourConversations(): Promise<void> {
    await shopperAsks(stack, SHOES);
    await shopperAsks(stack, JACKET);
    stack.double.enqueueChat({ chunks: text('We have'), end: { error: OLLAMA_ERRORS.runner } });
    expect((await shopperAsks(stack, GRINDER)).outcome).toBe('failed');
    const chat = await shopperBrowser();
    await chat.ask(PERSON);
    await chat.waitForAnswerEnd();
    await chat.page.getByRole('button', { name: 'Talk to a person', exact: true }).click();
    await chat.page.getByRole('status').filter({ hasText: 'We have asked a member of our team to join.' }).waitFor();
  }

  it('shows every conversation newest first, and filters narrow it by status and by error', async () => {
    // The console is open first: "Talk to a person" is offered only while an agent is online.
    const list = await signedInConsole();
    await fourConversations();

    await eventually(() => list.titles()).toEqual([PERSON, GRINDER, JACKET, SHOES]);
    await expect(list.row(PERSON).textContent()).resolves.toContain('Waiting for a person');
    await expect(list.row(GRINDER).textContent()).resolves.toContain('Had an error');
    await expect(list.row(SHOES).textContent()).resolves.toContain('2 messages');

    await list.status.selectOption({ label: 'Waiting for a person' });
    await eventually(() => list.titles()).toEqual([PERSON]);
    expect(new URL(list.page.url()).searchParams.get('status')).toBe('waiting');

    await list.status.selectOption({ label: 'Any status' });
    await list.errors.selectOption({ label: 'Had an error' });
    await eventually(() => list.titles()).toEqual([GRINDER]);
    await list.errors.selectOption({ label: 'No errors' });
    await eventually(() => list.titles()).toEqual([PERSON, JACKET, SHOES]);

    await list.clearFilters.click();
    await eventually(() => list.titles()).toEqual([PERSON, GRINDER, JACKET, SHOES]);
  });

  it('finds conversations by the words in them and highlights the hit', async () => {
    // The console is open first: "Talk to a person" is offered only while an agent is online.
    const list = await signedInConsole();
    await fourConversations();
    await eventually(() => list.titles()).toHaveLength(4);

    await list.searchFor('espresso');
    await eventually(() => list.titles()).toEqual([GRINDER]);
    await expect(list.hits.allTextContents()).resolves.toEqual(['espresso']);
    await expect(list.row(GRINDER).locator('mark').textContent()).resolves.toBe('espresso');

    // A word only the assistant used (its answer named the shoe) finds that conversation too.
    await list.searchFor('Ridgeback');
    await eventually(() => list.titles()).toEqual([SHOES]);
    await eventually(() => list.hits.allTextContents()).toContain('Ridgeback');

    await list.searchFor('snowboard');
    await eventually(() => list.titles()).toEqual([]);
    await list.page.getByText('No conversation matches these filters.').waitFor();
  });
  it('follows conversations live: a new one appears on top, then shows the shopper waiting and their feedback', async () => {
    await shopperAsks(stack, SHOES);
    const list = await signedInConsole();
    await eventually(() => list.titles()).toEqual([SHOES]);

    const chat = await shopperBrowser();
    await chat.ask(JACKET);
    await chat.waitForAnswerEnd();
    await eventually(() => list.titles()).toEqual([JACKET, SHOES]);

    await chat.page.getByRole('button', { name: 'Talk to a person', exact: true }).click();
    await eventually(() => list.row(JACKET).textContent()).toContain('Waiting for a person');

    await chat.lastAnswer.getByRole('button', { name: 'Not helpful', exact: true }).click();
    await chat.lastAnswer.getByRole('textbox', { name: 'What went wrong? (optional)' }).fill('It ignored my budget');
    await chat.lastAnswer.getByRole('button', { name: 'Send feedback', exact: true }).click();
    await eventually(() => list.row(JACKET).textContent()).toContain('1 thumbs down');
    await expect(list.row(SHOES).textContent()).resolves.toContain('No feedback');

    await list.page.getByRole('combobox', { name: 'Shopper feedback', exact: true }).selectOption({ label: 'Thumbs down' });
    await eventually(() => list.titles()).toEqual([JACKET]);
    await list.openTranscript(JACKET);
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();
    await expect(transcript.assistantMessages.first().textContent()).resolves.toContain('Shopper: thumbs down');
    await expect(transcript.assistantMessages.first().textContent()).resolves.toContain('It ignored my budget');
  });
});

describe('a transcript', () => {
  const SHOES = 'Waterproof trail shoes under $120, size 44';

  it('shows the conversation and, for the answer, the search it ran with its arguments and the products it got', async () => {
    await shopperAsks(stack, SHOES);
    const list = await signedInConsole();
    await list.openTranscript(SHOES);
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();

    await expect(transcript.shopperMessages.allTextContents()).resolves.toEqual([expect.stringContaining(SHOES)]);
    await expect(transcript.assistantMessages.count()).resolves.toBe(1);
    const answer = transcript.assistantMessages.first();
    await expect(answer.textContent()).resolves.toContain('Ridgeback Waterproof Trail Shoe');

    const trace = await transcript.openTrace(answer);
    await expect(trace.locator('summary').textContent()).resolves.toMatch(/^Grounding trace: completed, \d+ tool calls?/);
    const facts = (await trace.textContent()) ?? '';
    expect(facts).toContain(stack.server.config.config.chat.model);

    const calls = transcript.toolCalls(trace);
    const search = calls.filter({ has: list.page.getByText('search_products', { exact: true }) }).first();
    await search.waitFor();
    expect(await transcript.toolArguments(search)).toMatchObject({
      query: expect.stringContaining('trail shoes'),
      max_price: 120,
    });
    const products = await transcript.toolProducts(search);
    expect(products).toContainEqual({
      id: 'TRL-100-44',
      name: 'Ridgeback Waterproof Trail Shoe',
      price: '$109.99',
      stock: 'In stock (10)',
    });
    // The $189 shoe is over the budget the search carried: it never came back.
    expect(products.map((p) => p.name)).not.toContain('Summit Pro GTX Trail Shoe');
  });

  it('keeps the notes, labels and review flag an agent adds, after a reload and in the list', async () => {
    await shopperAsks(stack, SHOES);
    const list = await signedInConsole();
    await list.openTranscript(SHOES);
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();
    await list.page.getByText('No notes yet.', { exact: false }).waitFor();

    await transcript.addNote('Recommended the right size; check the stock wording.');
    await eventually(() => transcript.notes.allTextContents()).toEqual([
      expect.stringContaining('Recommended the right size; check the stock wording.'),
    ]);
    await expect(transcript.notes.first().textContent()).resolves.toContain('Ann');
    await expect(transcript.noteBox.inputValue()).resolves.toBe('');

    await transcript.addLabel('good answer');
    await eventually(() => transcript.labelNames()).toEqual(['good answer']);
    await expect(transcript.labelBox.inputValue()).resolves.toBe('');

    expect(await transcript.isFlagged()).toBe(false);
    await transcript.flagButton.click();
    await eventually(() => transcript.isFlagged()).toBe(true);

    await transcript.reload();
    await eventually(() => transcript.notes.allTextContents()).toEqual([
      expect.stringContaining('Recommended the right size; check the stock wording.'),
    ]);
    await expect(transcript.labelNames()).resolves.toEqual(['good answer']);
    expect(await transcript.isFlagged()).toBe(true);

    await list.open(stack.url);
    await eventually(() => list.rowLabels(SHOES).allTextContents()).toEqual(['good answer']);
    await expect(list.row(SHOES).textContent()).resolves.toContain('Flagged');
  });
  it('masks an email the shopper typed, in the list and the transcript, until the agent reveals it', async () => {
    const MASKED = 'Trail shoes in size 44, please write to j***@example.com';
    await shopperAsks(stack, 'Trail shoes in size 44, please write to jane.doe@example.com');
    const list = await signedInConsole();
    await eventually(() => list.titles()).toEqual([MASKED]);
    await expect(list.results.textContent()).resolves.not.toContain('jane.doe');

    await list.openTranscript(MASKED);
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();
    const message = transcript.shopperMessages.first();
    await expect(message.textContent()).resolves.toContain(MASKED);
    await expect(message.textContent()).resolves.toContain('Personal details are masked.');

    await message.getByRole('button', { name: 'Reveal', exact: true }).click();
    await eventually(() => message.textContent()).toContain('jane.doe@example.com');
    await expect(message.getByRole('status').textContent()).resolves.toBe('Revealed, access recorded.');
  });
  it('can be worked from the keyboard: open a transcript from the list, read its trace, label and flag it', async () => {
    await shopperAsks(stack, SHOES);
    const list = await signedInConsole();
    const { keyboard } = list.page;
    await eventually(() => list.titles()).toEqual([SHOES]);

    await tabTo(list.page, list.results.getByRole('link', { name: SHOES, exact: true }));
    await keyboard.press('Enter');
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();
    // The page puts the focus on its heading, so the keyboard carries on from the transcript.
    await eventually(() => isFocused(transcript.heading)).toBe(true);

    const trace = transcript.trace();
    await tabTo(list.page, trace.locator('summary'));
    await keyboard.press('Enter');
    await trace.and(list.page.locator('details[open]')).waitFor();
    await expect(transcript.toolCalls(trace).first().textContent()).resolves.toContain('search_products');

    await tabTo(list.page, transcript.flagButton);
    await keyboard.press('Space');
    await eventually(() => transcript.isFlagged()).toBe(true);

    await tabTo(list.page, transcript.labelBox);
    await keyboard.type('ignored budget');
    await keyboard.press('Enter');
    await eventually(() => transcript.labelNames()).toEqual(['ignored budget']);

    await tabTo(list.page, transcript.noteBox);
    await keyboard.type('Fine answer, but it should ask about width.');
    await tabTo(list.page, transcript.addNoteButton);
    await keyboard.press('Enter');
    await eventually(() => transcript.notes.allTextContents()).toEqual([
      expect.stringContaining('Fine answer, but it should ask about width.'),
    ]);
  });
});

describe('taking over a live chat', () => {
  it("puts the agent's replies in the shopper's browser, silences the assistant, and hands back", async () => {
    const chat = await shopperBrowser();
    const FIRST = 'Waterproof trail shoes under $120, size 44';
    await chat.ask(FIRST);
    await chat.waitForAnswerEnd();

    const list = await signedInConsole();
    await list.openTranscript(FIRST);
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();
    await transcript.takeOverButton.click();
    await transcript.liveChat.getByText('You have taken this conversation over').waitFor();

    // The shopper is told a person joined.
    const joinedBanner = chat.page.getByRole('status').filter({ hasText: 'Ann from our team is chatting with you.' });
    await joinedBanner.waitFor();
    await eventually(() => chat.announcement()).toBe('Ann joined the chat.');

    // The agent's reply arrives live, under the agent's name.
    const REPLY = 'Hi, I am Ann from the shop. The size 44 Ridgeback is in stock and ships today.';
    await transcript.reply(REPLY);
    const fromAnn = chat.conversation.getByRole('article', { name: 'Message from Ann', exact: true });
    await eventually(() => fromAnn.textContent()).toContain(REPLY);
    await expect(transcript.replyBox.inputValue()).resolves.toBe('');
    await eventually(() => transcript.agentMessages('Ann').textContent()).toContain(REPLY);

    // A reload does not lose who is answering, nor the reply.
    await chat.reload();
    await joinedBanner.waitFor();
    await eventually(() => fromAnn.textContent()).toContain(REPLY);
    await expect(chat.page.getByRole('button', { name: 'Talk to a person', exact: true }).count()).resolves.toBe(0);

    // The shopper's next message reaches the agent, and the assistant does not answer it.
    const QUESTION = 'Great, can I pay on delivery?';
    const answersBefore = await chat.answers.count();
    const requestsBefore = turnsSentToModel(stack).length;
    await chat.ask(QUESTION);
    await eventually(() => transcript.shopperMessages.allTextContents()).toContainEqual(expect.stringContaining(QUESTION));
    await eventually(() => chat.userMessages.allTextContents()).toContainEqual(expect.stringContaining(QUESTION));
    expect(turnsSentToModel(stack)).not.toContain(QUESTION);

    // Handed back: the shopper sees the person left, and the assistant answers the question Ann left open.
    await transcript.handBackButton.click();
    await transcript.takeOverButton.waitFor();
    await joinedBanner.waitFor({ state: 'detached' });
    await chat.conversation.getByText('Ann left the chat. The assistant is back.').waitFor();
    await eventually(() => chat.answers.count()).toBe(answersBefore + 1);
    await chat.waitForAnswerEnd();
    expect(new Set(turnsSentToModel(stack).slice(requestsBefore))).toEqual(new Set([QUESTION]));

    const AFTER = 'Do you also have a rain jacket?';
    await chat.ask(AFTER);
    await eventually(() => chat.userMessages.count()).toBe(3);
    await eventually(() => chat.answers.count()).toBe(answersBefore + 2);
    await chat.waitForAnswerEnd();
    await expect(chat.answerText()).resolves.toContain('Stormline 2.5L Rain Jacket');
    const asked = turnsSentToModel(stack).slice(requestsBefore);
    expect(new Set(asked)).toEqual(new Set([QUESTION, AFTER]));

    // Everything, the agent's reply included, is in the transcript.
    await eventually(() => transcript.assistantMessages.last().textContent()).toContain('Stormline 2.5L Rain Jacket');
    await expect(transcript.assistantMessages.count()).resolves.toBe(3);
    await expect(transcript.agentMessages('Ann').count()).resolves.toBe(1);
    await expect(transcript.shopperMessages.count()).resolves.toBe(3);
  });
  it("shows the assistant's first answer after hand-back below the message it answers", async () => {
    const chat = await shopperBrowser();
    const FIRST = 'Waterproof trail shoes under $120, size 44';
    await chat.ask(FIRST);
    await chat.waitForAnswerEnd();
    const list = await signedInConsole();
    await list.openTranscript(FIRST);
    const transcript = new AgentTranscriptPage(list.page);
    await transcript.waitForLoad();
    await transcript.takeOverButton.click();
    await transcript.handBackButton.click();
    await transcript.takeOverButton.waitFor();
    await eventually(() => chat.announcement()).toBe('Ann left the chat. The assistant is back.');

    const AFTER = 'Do you also have a rain jacket?';
    await chat.ask(AFTER);
    await eventually(() => chat.answers.count()).toBe(2);
    await chat.waitForAnswerEnd();
    // Read top to bottom, the shopper's question comes before its answer, as it does after a reload.
    const order = async () =>
      chat.conversation
        .getByRole('article')
        .and(chat.page.locator('[aria-label="Your message"], [aria-label="Aisle\'s answer"]'))
        .evaluateAll((articles) =>
          articles.map((a) => `${a.getAttribute('aria-label') ?? ''}: ${(a.textContent ?? '').slice(0, 20)}`),
        );
    const expected = [
      `Your message: ${FIRST.slice(0, 20)}`,
      "Aisle's answer: Here are a few optio",
      `Your message: ${AFTER.slice(0, 20)}`,
      "Aisle's answer: Here are a few optio",
    ];
    expect(await order()).toEqual(expected);
    await chat.reload();
    await eventually(order).toEqual(expected);
  });
});
