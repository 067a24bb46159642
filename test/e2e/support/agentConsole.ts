import type { AgentRole } from '@aisle/shared';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Shopper } from '../../helpers/testServer';
import type { E2eStack } from './stack';

/** The password every console account in the browser tests gets. */
export const AGENT_PASSWORD = 'correct horse battery staple';

/** A console account the browser signs in with. */
export interface AgentAccount {
  email: string;
  name: string;
  password: string;
}

/** Creates an account through the server's own auth service, as `pnpm agent create` does. */
export async function createAgent(
  stack: E2eStack,
  input: { email: string; name: string; role?: AgentRole; password?: string },
): Promise<AgentAccount> {
  const password = input.password ?? AGENT_PASSWORD;
  await stack.server.app.agentConsole.auth.createAccount({
    email: input.email,
    name: input.name,
    role: input.role ?? 'agent',
    password,
  });
  return { email: input.email, name: input.name, password };
}

/** The agent's own browser context: cookies apart from every shopper's. */
export function newAgentContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
}

let sent = 0;

/**
 * A shopper over a real socket (no browser: faster) sends a message and waits until its answer ended,
 * completed or failed. Returns the conversation id, for a follow-up.
 */
export async function shopperAsks(
  stack: E2eStack,
  text: string,
  options: { conversationId?: string; shopper?: Shopper } = {},
): Promise<{ conversationId: string; outcome: 'completed' | 'failed' }> {
  const shopper = options.shopper ?? (await stack.server.shopper());
  // Not `nextEvent` twice: the loser of a race would reject later, unhandled.
  const ended = new Promise<'completed' | 'failed'>((resolve) => {
    const onCompleted = () => finish('completed');
    const onFailed = () => finish('failed');
    const finish = (outcome: 'completed' | 'failed') => {
      shopper.socket.off('chat:completed', onCompleted);
      shopper.socket.off('chat:failed', onFailed);
      resolve(outcome);
    };
    shopper.socket.on('chat:completed', onCompleted);
    shopper.socket.on('chat:failed', onFailed);
  });
  sent += 1;
  const reply = await shopper.request('chat:send', {
    clientMessageId: `e2e-agent-${sent}-${Date.now()}`,
    text,
    ...(options.conversationId === undefined ? {} : { conversationId: options.conversationId }),
  });
  if (!reply.ok) throw new Error(`chat:send refused: ${reply.error.message}`);
  return { conversationId: reply.data.conversationId, outcome: await ended };
}

/**
 * What the model was asked to answer, one entry per chat request the Ollama double received: the
 * last shopper turn in it (a tool round repeats its turn).
 */
export function turnsSentToModel(stack: E2eStack): string[] {
  return stack.double.chatRequests().map((request) => request.messages?.findLast((m) => m.role === 'user')?.content ?? '');
}

/**
 * Presses Tab until `target` has the focus, as a keyboard user moves through a page; fails when it is
 * not reached within `maxTabs` presses (it is not in the tab order).
 */
export async function tabTo(page: Page, target: Locator, maxTabs = 40): Promise<void> {
  for (let presses = 0; presses <= maxTabs; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target.toString()} was not reached with ${maxTabs} presses of Tab`);
}
