import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { agentRequest, connectAgent, createAgentAccount, signIn, type AgentSocket } from '../helpers/agentClient';
import { conversationRows } from '../helpers/chatFlows';
import { nextEvent, startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;
let agent: AgentSocket;

beforeEach(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
  const account = await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' });
  agent = await connectAgent(server, { cookie: await signIn(server, account) });
});
afterEach(async () => {
  agent.close();
  await server.close();
  await double.close();
});

/** The shopper asks something, gets an answer, asks for a person, and Ann takes the conversation over. */
async function takenOverConversation(shopper: Shopper): Promise<string> {
  double.enqueueChat({ chunks: text('This jacket comes in red.') });
  const completed = nextEvent(shopper.socket, 'chat:completed');
  const sent = await shopper.request('chat:send', { clientMessageId: 'first-question-01', text: 'Tell me about the jacket' });
  if (!sent.ok) throw new Error(sent.error.message);
  await completed;
  const { conversationId } = sent.data;
  expect(await shopper.request('chat:request-human', { conversationId })).toEqual({ ok: true, data: null });
  expect(await agentRequest(agent, 'agent:takeover', { conversationId })).toEqual({ ok: true, data: null });
  return conversationId;
}

describe('hand-back answers the question the shopper left', () => {
  it('streams and stores an assistant answer to the shopper message nobody replied to', async () => {
    const shopper = await server.shopper();
    const conversationId = await takenOverConversation(shopper);
    const during = await shopper.request('chat:send', {
      conversationId,
      clientMessageId: 'during-takeover-01',
      text: 'do you have it in blue?',
    });
    if (!during.ok) throw new Error(during.error.message);
    expect(during.data.assistantMessageId).toBe('');

    double.enqueueChat({ chunks: text('Yes, it also comes in navy blue.') });
    const delta = nextEvent(shopper.socket, 'chat:delta');
    const completed = nextEvent(shopper.socket, 'chat:completed');
    expect(await agentRequest(agent, 'agent:handback', { conversationId })).toEqual({ ok: true, data: null });

    // The shopper sees it stream, then the stored answer.
    expect((await delta).conversationId).toBe(conversationId);
    const answer = (await completed).message;
    expect(answer).toMatchObject({ role: 'assistant', status: 'complete', content: 'Yes, it also comes in navy blue.' });
    // The model was asked the shopper's pending question.
    const lastRequest = double.chatRequests().at(-1);
    expect(JSON.stringify(lastRequest)).toContain('do you have it in blue?');

    const rows = await conversationRows(server, conversationId);
    const question = rows.find((r) => r.content === 'do you have it in blue?');
    const stored = rows.find((r) => r.id === answer.id);
    expect(stored).toMatchObject({ role: 'assistant', status: 'complete' });
    expect(stored!.seq).toBeGreaterThan(question!.seq);
  });

  it('starts nothing when the agent replied last', async () => {
    const shopper = await server.shopper();
    const conversationId = await takenOverConversation(shopper);
    await shopper.request('chat:send', {
      conversationId,
      clientMessageId: 'during-takeover-02',
      text: 'do you have it in blue?',
    });
    const replied = await agentRequest(agent, 'agent:send', { conversationId, text: 'Yes, navy blue is in stock.' });
    expect(replied.ok).toBe(true);
    const requestsBefore = double.chatRequests().length;

    expect(await agentRequest(agent, 'agent:handback', { conversationId })).toEqual({ ok: true, data: null });
    expect(server.app.chat.isGenerating(conversationId)).toBe(false);
    expect(double.chatRequests().length).toBe(requestsBefore);
    const rows = await conversationRows(server, conversationId);
    expect(rows.at(-1)).toMatchObject({ role: 'system' });
    expect(rows.filter((r) => r.role === 'assistant')).toHaveLength(1);
  });
});
