import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { AgentSignInPage } from './pages/agent-sign-in-page';
import { AgentTranscriptsPage } from './pages/agent-transcripts-page';
import { ChatPage } from './pages/chat-page';
import { createAgent, newAgentContext, shopperAsks, type AgentAccount } from './support/agentConsole';
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

describe('a shopper waiting for a person', () => {
  it('shows in the agent console tab title, live, until the agent takes the conversation over', async () => {
    // The agent is online first: only then is the shopper offered "Talk to a person".
    const agentContext = await newAgentContext(browser);
    contexts.push(agentContext);
    const signIn = new AgentSignInPage(await agentContext.newPage());
    await signIn.signIn(stack.url, ann);
    const list = new AgentTranscriptsPage(signIn.page);
    await list.results.waitFor();
    const title = () => signIn.page.evaluate(() => document.title);
    await eventually(title).not.toMatch(/^\(\d+\) /);

    const shopperContext = await newShopperContext(browser);
    contexts.push(shopperContext);
    const chat = new ChatPage(await shopperContext.newPage());
    await chat.open(stack.url);
    stack.double.enqueueChat({ chunks: text('Here are some rain jackets.') });
    await chat.ask('I need a rain jacket');
    await chat.waitForAnswerEnd();
    await chat.page.getByRole('button', { name: 'Talk to a person' }).click();

    await eventually(title).toMatch(/^\(1\) /);
    // The Notify me button is offered, and nothing asked for permission on load.
    await signIn.page.getByRole('button', { name: 'Notify me' }).waitFor();
    await expect(signIn.page.getByRole('checkbox', { name: 'Sound' }).isChecked()).resolves.toBe(false);

    // Another agent takes the conversation over: nobody waits any more, the count leaves the title.
    const waiting = await stack.server.app.db.kysely
      .selectFrom('conversations')
      .select('id')
      .where('status', '=', 'waiting')
      .executeTakeFirstOrThrow();
    const taken = await stack.server.app.chat.takeOver(waiting.id, { id: 'agent-bo', name: 'Bo' });
    expect(taken.ok).toBe(true);
    await eventually(title).not.toMatch(/^\(\d+\) /);
  });
});

describe('a shopper who left an email', () => {
  it('is found with the email-reply filter; the address shows masked until the agent reveals it', async () => {
    stack.double.enqueueChat({ chunks: text('Returns are free within 30 days.') }, { chunks: text('Here are some boots.') });
    const jane = await stack.server.shopper();
    const { conversationId } = await shopperAsks(stack, 'Can a person help with my return?', { shopper: jane });
    const left = await jane.request('chat:leave-email', { conversationId, email: 'jane.doe@example.com', note: 'Order 1234' });
    expect(left.ok).toBe(true);
    await shopperAsks(stack, 'Show me boots');

    const agentContext = await newAgentContext(browser);
    contexts.push(agentContext);
    const signIn = new AgentSignInPage(await agentContext.newPage());
    await signIn.signIn(stack.url, ann);
    const list = new AgentTranscriptsPage(signIn.page);
    await list.results.waitFor();
    await signIn.page.getByRole('combobox', { name: 'Email reply' }).selectOption({ label: 'Waiting for a reply by email' });
    await eventually(() => list.titles()).toEqual(['Can a person help with my return?']);

    await list.rowLinks.first().click();
    const panel = signIn.page.getByRole('region', { name: 'Reply by email' });
    await panel.getByText('j***@example.com').waitFor();
    await expect(panel.getByText('jane.doe@example.com').count()).resolves.toBe(0);
    await panel.getByRole('button', { name: 'Reveal' }).click();
    await panel.getByRole('link', { name: 'jane.doe@example.com' }).waitFor();
    await panel.getByText('Revealed, access recorded.').waitFor();
  });
});

describe('display names', () => {
  it('an admin renames themselves on the admin page and the console header follows', async () => {
    const boss = await createAgent(stack, { email: 'boss@shop.example', name: 'Boss', role: 'admin' });
    const agentContext = await newAgentContext(browser);
    contexts.push(agentContext);
    const signIn = new AgentSignInPage(await agentContext.newPage());
    await signIn.signIn(stack.url, boss);
    await signIn.page.getByText('Signed in as Boss').waitFor();
    await signIn.page.getByRole('link', { name: 'Admin' }).click();

    await signIn.page.getByRole('button', { name: 'Edit display name of Ann' }).click();
    await signIn.page.getByRole('textbox', { name: 'Display name of Ann' }).fill('Ann from Support');
    await signIn.page.getByRole('button', { name: 'Save' }).click();
    await signIn.page.getByRole('button', { name: 'Edit display name of Ann from Support' }).waitFor();

    await signIn.page.getByRole('button', { name: 'Edit display name of Boss' }).click();
    await signIn.page.getByRole('textbox', { name: 'Display name of Boss' }).fill('Bo');
    await signIn.page.getByRole('button', { name: 'Save' }).click();
    // The header reads "Signed in as Bo" followed by the Admin chip.
    await signIn.page.getByText(/^Signed in as Bo\s*Admin$/).waitFor();
  });
});
