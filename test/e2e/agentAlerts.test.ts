import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { text } from '../ollama-double';
import { AgentSignInPage } from './pages/agent-sign-in-page';
import { AgentTranscriptsPage } from './pages/agent-transcripts-page';
import { ChatPage } from './pages/chat-page';
import { createAgent, newAgentContext, type AgentAccount } from './support/agentConsole';
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
