import type { TranscriptDetail } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { agentRequest, connectAgent, createAgentAccount, nextAgentEvent, signIn, type AgentSocket } from '../helpers/agentClient';
import { nextEvent, startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;
const sockets: AgentSocket[] = [];

beforeEach(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await server.close();
  await double.close();
});

async function agentSocket(email: string, name: string): Promise<AgentSocket> {
  const account = await createAgentAccount(server, { email, name });
  const socket = await connectAgent(server, { cookie: await signIn(server, account) });
  sockets.push(socket);
  return socket;
}

let counter = 0;
/** The shopper sends a message and waits for the assistant's answer to be committed. */
async function askAndWait(
  shopper: Shopper,
  words: string,
  conversationId?: string,
): Promise<{ conversationId: string; assistantMessageId: string }> {
  const completed = nextEvent(shopper.socket, 'chat:completed');
  const sent = await shopper.request('chat:send', {
    clientMessageId: `client-msg-${++counter}-${Date.now()}`,
    text: words,
    ...(conversationId ? { conversationId } : {}),
  });
  if (!sent.ok) throw new Error(sent.error.message);
  await completed;
  return { conversationId: sent.data.conversationId, assistantMessageId: sent.data.assistantMessageId };
}

describe('live transcript list and watching', () => {
  it('tells every agent about new activity and streams a watched conversation, with shopper text masked', async () => {
    const agent = await agentSocket('ann@shop.example', 'Ann');
    const shopper = await server.shopper();

    const updated = nextAgentEvent(agent, 'transcripts:updated');
    double.enqueueChat({ chunks: text('Happy to help with trail shoes.') });
    const first = await askAndWait(shopper, 'hi, trail shoes please, I am jane.doe@example.com');
    const event = await updated;
    expect(event).toMatchObject({ conversationId: first.conversationId, status: 'active', lastActivity: expect.any(String) });

    const watched = await agentRequest(agent, 'agent:watch', { conversationId: first.conversationId });
    if (!watched.ok) throw new Error(watched.error.message);
    const detail: TranscriptDetail = watched.data;
    expect(detail.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(detail.messages[0]).toMatchObject({ content: 'hi, trail shoes please, I am j***@example.com', isMasked: true });

    const answer = 'The Ridgeback Waterproof Trail Shoe is a solid pick for wet trails and costs $109.99.';
    double.enqueueChat({ chunks: text(answer), tokenDelayMs: 15 });
    const deltas: string[] = [];
    agent.on('conversation:delta', (d) => deltas.push(d.text));
    const userMessage = nextAgentEvent(agent, 'conversation:message', (e) => e.message.role === 'user');
    const assistantMessage = nextAgentEvent(agent, 'conversation:message', (e) => e.message.role === 'assistant');
    await askAndWait(shopper, 'call me on +44 7700 900123 about size 44', first.conversationId);

    expect((await userMessage).message).toMatchObject({
      content: 'call me on +44 *** *** 0123 about size 44',
      isMasked: true,
      trace: null,
    });
    const stored = (await assistantMessage).message;
    expect(stored).toMatchObject({ content: answer, status: 'complete', isMasked: false });
    expect(stored.trace?.model).toBe(server.config.config.chat.model);
    expect(deltas.join('')).toBe(answer);

    // After unwatching, no more live text from that conversation.
    expect(await agentRequest(agent, 'agent:unwatch', { conversationId: first.conversationId })).toEqual({
      ok: true,
      data: null,
    });
    const afterUnwatch: string[] = [];
    agent.on('conversation:message', (e) => afterUnwatch.push(e.message.id));
    const listUpdate = nextAgentEvent(agent, 'transcripts:updated', (e) => e.conversationId === first.conversationId);
    await askAndWait(shopper, 'thanks', first.conversationId);
    await listUpdate;
    expect(afterUnwatch).toEqual([]);
  });

  it('answers bad payloads and unknown conversations with an error, not a crash', async () => {
    const agent = await agentSocket('ann@shop.example', 'Ann');
    expect(await agentRequest(agent, 'agent:watch', { conversationId: '' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await agentRequest(agent, 'agent:send', { conversationId: 'x', text: 'a'.repeat(4001) })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    expect(await agentRequest(agent, 'agent:takeover', 'nonsense')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await agentRequest(agent, 'agent:watch', { conversationId: missing })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await agentRequest(agent, 'agent:takeover', { conversationId: missing })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(agent.connected).toBe(true);
  });
});

describe('taking a conversation over', () => {
  it('the shopper sees the person join, gets their replies live, the assistant stays quiet, and hand-back restores it', async () => {
    const ann = await agentSocket('ann@shop.example', 'Ann');
    const shopper = await server.shopper();
    double.enqueueChat({ chunks: text('Let me look that up.') });
    const { conversationId } = await askAndWait(shopper, 'where is my order?');

    const asked = nextEvent(shopper.socket, 'chat:handoff', (e) => e.state === 'waiting');
    const waiting = nextAgentEvent(ann, 'transcripts:updated', (e) => e.status === 'waiting');
    expect(await shopper.request('chat:request-human', { conversationId })).toEqual({ ok: true, data: null });
    await asked;
    expect(await waiting).toMatchObject({ conversationId, status: 'waiting' });

    const joined = nextEvent(shopper.socket, 'chat:handoff', (e) => e.state === 'agent-joined');
    const takenOver = nextAgentEvent(ann, 'transcripts:updated', (e) => e.status === 'taken_over');
    expect(await agentRequest(ann, 'agent:takeover', { conversationId })).toEqual({ ok: true, data: null });
    expect(await joined).toEqual({ conversationId, state: 'agent-joined', agentName: 'Ann' });
    await takenOver;

    const reply = nextEvent(shopper.socket, 'chat:message');
    const sent = await agentRequest(ann, 'agent:send', {
      conversationId,
      text: 'Hi, I am Ann. Your parcel left the warehouse today.',
    });
    if (!sent.ok) throw new Error(sent.error.message);
    expect((await reply).message).toMatchObject({
      id: sent.data.messageId,
      role: 'agent',
      content: 'Hi, I am Ann. Your parcel left the warehouse today.',
      authorName: 'Ann',
      status: 'complete',
    });

    // The shopper writes back: stored and shown to Ann, but no model request is made.
    const chatRequestsBefore = double.chatRequests().length;
    const shopperLine = nextAgentEvent(ann, 'conversation:message', (e) => e.message.role === 'user');
    const during = await shopper.request('chat:send', {
      conversationId,
      clientMessageId: 'during-takeover-1',
      text: 'great, thanks! my card was 4242 4242 4242 4242',
    });
    if (!during.ok) throw new Error(during.error.message);
    expect(during.data.assistantMessageId).toBe('');
    expect((await shopperLine).message).toMatchObject({
      content: 'great, thanks! my card was **** **** **** 4242',
      isMasked: true,
    });
    expect(server.app.chat.isGenerating(conversationId)).toBe(false);
    expect(double.chatRequests().length).toBe(chatRequestsBefore);

    const watched = await agentRequest(ann, 'agent:watch', { conversationId });
    if (!watched.ok) throw new Error(watched.error.message);
    expect(watched.data).toMatchObject({ status: 'taken_over', takenOverBy: 'Ann' });
    expect(watched.data.messages.find((m) => m.role === 'agent')).toMatchObject({ agentName: 'Ann', authorName: 'Ann' });

    // The shopper wrote last: on hand-back the assistant answers that message by itself.
    double.enqueueChat({ chunks: text('Glad to help.') });
    const left = nextEvent(shopper.socket, 'chat:handoff', (e) => e.state === 'agent-left');
    const answered = nextEvent(shopper.socket, 'chat:completed');
    expect(await agentRequest(ann, 'agent:handback', { conversationId })).toEqual({ ok: true, data: null });
    expect(await left).toEqual({ conversationId, state: 'agent-left', agentName: 'Ann' });
    expect((await answered).message).toMatchObject({ role: 'assistant', content: 'Glad to help.' });
    expect(double.chatRequests().length).toBe(chatRequestsBefore + 1);

    double.enqueueChat({ chunks: text('The assistant is back.') });
    const back = await askAndWait(shopper, 'one more question about shoes', conversationId);
    expect(back.assistantMessageId).not.toBe('');
    expect(double.chatRequests().length).toBe(chatRequestsBefore + 2);
  });

  it('stops an answer being written when a person takes over', async () => {
    const ann = await agentSocket('ann@shop.example', 'Ann');
    const shopper = await server.shopper();
    double.enqueueChat({ chunks: text('word '.repeat(400)), tokenDelayMs: 20 });
    const firstDelta = nextEvent(shopper.socket, 'chat:delta');
    const completed = nextEvent(shopper.socket, 'chat:completed');
    const sent = await shopper.request('chat:send', { clientMessageId: 'long-answer-0001', text: 'tell me everything' });
    if (!sent.ok) throw new Error(sent.error.message);
    await firstDelta;

    expect(await agentRequest(ann, 'agent:takeover', { conversationId: sent.data.conversationId })).toEqual({
      ok: true,
      data: null,
    });
    expect((await completed).message).toMatchObject({ id: sent.data.assistantMessageId, status: 'stopped' });
    await double.waitForAborted(1);
  });

  it('only the agent who took a conversation over can reply in it or hand it back', async () => {
    const ann = await agentSocket('ann@shop.example', 'Ann');
    const bob = await agentSocket('bob@shop.example', 'Bob');
    const shopper = await server.shopper();
    double.enqueueChat({ chunks: text('Hello!') });
    const { conversationId } = await askAndWait(shopper, 'hello');

    expect(await agentRequest(bob, 'agent:send', { conversationId, text: 'before taking over' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await agentRequest(ann, 'agent:takeover', { conversationId })).toEqual({ ok: true, data: null });
    expect(await agentRequest(bob, 'agent:takeover', { conversationId })).toMatchObject({
      ok: false,
      error: { code: 'taken-over' },
    });
    expect(await agentRequest(bob, 'agent:send', { conversationId, text: 'sneaky' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await agentRequest(bob, 'agent:handback', { conversationId })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    const messages = await server.app.agentConsole.transcripts.detail(conversationId);
    expect(messages?.messages.some((m) => m.role === 'agent')).toBe(false);
  });
});
