import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../../ollama-double';
import {
  agentRequest,
  connectAgent,
  createAgentAccount,
  nextAgentEvent,
  signIn,
  type AgentSocket,
} from '../../helpers/agentClient';
import { answerEnd, ask, clientMessageId, deltasReceived, laterId, openTab } from '../../helpers/chatFlows';
import { HOW_TO_ENABLE, isRedisReachable, startCluster, type TestCluster } from '../../helpers/clusterNodes';
import { nextEvent } from '../../helpers/testServer';

const hasRedis = await isRedisReachable();
if (!hasRedis) console.warn(HOW_TO_ENABLE);

let double: OllamaDouble;
let cluster: TestCluster;
const agents: AgentSocket[] = [];

afterEach(async () => {
  for (const s of agents.splice(0)) s.close();
  await cluster?.close();
  await double?.close();
});

async function start(config: Parameters<typeof startCluster>[0]['config'] = {}) {
  double = await startOllamaDouble();
  cluster = await startCluster({ ollamaUrl: double.url, config });
  return { a: await cluster.node(), b: await cluster.node(), c: await cluster.node() };
}

const LONG_ANSWER = Array.from({ length: 160 }, (_, i) => `word${i}`).join(' ');

describe.skipIf(!hasRedis)('the agent console on another node', () => {
  it('an agent on node C sees the live list and the live answer of a shopper on node A, takes over, replies and hands back', async () => {
    const { a, c } = await start();
    const shopper = await a.shopper();
    // Presence: the shopper on node A is offered a person once an agent signs in on node C.
    const offered = nextEvent(shopper.socket, 'chat:presence', (e) => e.agentsOnline);
    const account = await createAgentAccount(c, { email: 'ann@shop.example', name: 'Ann' });
    const agent = await connectAgent(c, { cookie: await signIn(c, account) });
    agents.push(agent);
    expect(await offered).toEqual({ agentsOnline: true });

    // The live list: activity on node A reaches the console on node C.
    const listed = nextAgentEvent(agent, 'transcripts:updated');
    double.enqueueChat({ chunks: text('Happy to help.') });
    const first = await ask(shopper, 'Hello there');
    const { conversationId } = first;
    expect(await listed).toMatchObject({ conversationId });

    // The live view: node A's answer streams to the agent watching on node C.
    const watched = await agentRequest(agent, 'agent:watch', { conversationId });
    expect(watched.ok).toBe(true);
    const agentDeltas: string[] = [];
    agent.on('conversation:delta', (d) => agentDeltas.push(d.text));
    double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 25 });
    const answerId = laterId();
    const shopperSaw = deltasReceived(shopper.socket, answerId.get, 5);
    const agentSaw = nextAgentEvent(agent, 'conversation:delta', (d) => d.conversationId === conversationId);
    const sent = await shopper.request('chat:send', {
      clientMessageId: clientMessageId(),
      text: 'Tell me everything',
      conversationId,
    });
    if (!sent.ok) throw new Error(sent.error.code);
    answerId.set(sent.data.assistantMessageId);
    await shopperSaw;
    await agentSaw;
    expect(LONG_ANSWER.startsWith(agentDeltas.join(''))).toBe(true);

    // Take-over on node C stops the answer node A is writing and tells the shopper on node A.
    const stopped = answerEnd(shopper.socket, answerId.get);
    const joined = nextEvent(shopper.socket, 'chat:handoff', (e) => e.state === 'agent-joined');
    expect(await agentRequest(agent, 'agent:takeover', { conversationId })).toEqual({ ok: true, data: null });
    expect(await joined).toEqual({ conversationId, state: 'agent-joined', agentName: 'Ann' });
    expect((await stopped).message.status).toBe('stopped');
    await double.waitForAborted(1);

    // The agent's reply reaches the shopper on node A.
    const reply = nextEvent(shopper.socket, 'chat:message', (e) => e.message.role === 'agent');
    const agentSent = await agentRequest(agent, 'agent:send', { conversationId, text: 'Hi, Ann here. How can I help?' });
    expect(agentSent.ok).toBe(true);
    expect((await reply).message).toMatchObject({ role: 'agent', content: 'Hi, Ann here. How can I help?' });

    // While taken over, node A starts no answer; after the hand-back on C, the assistant answers again.
    const left = nextEvent(shopper.socket, 'chat:handoff', (e) => e.state === 'agent-left');
    expect(await agentRequest(agent, 'agent:handback', { conversationId })).toEqual({ ok: true, data: null });
    expect(await left).toEqual({ conversationId, state: 'agent-left', agentName: 'Ann' });
    double.enqueueChat({ chunks: text('The assistant is back.') });
    const again = await ask(shopper, 'Thanks!', conversationId);
    expect(again.message).toMatchObject({ status: 'complete', content: 'The assistant is back.' });
  });
});

describe.skipIf(!hasRedis)('rate limits across nodes', () => {
  it('spends one budget on every node: the third message in a minute is refused wherever it is sent', async () => {
    const { a, b, c } = await start({ chat: { messagesPerMinute: 2 } });
    const shopper = await a.shopper();
    double.enqueueChat({ chunks: text('One.') });
    const { conversationId } = await ask(shopper, 'First');
    const onB = await openTab(b, shopper.cookie);
    double.enqueueChat({ chunks: text('Two.') });
    await ask(onB, 'Second', conversationId);
    const onC = await openTab(c, shopper.cookie);

    const third = await onC.request('chat:send', { clientMessageId: clientMessageId(), text: 'Third', conversationId });

    expect(third).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
    // Another shopper has a budget of their own.
    const other = await c.shopper();
    double.enqueueChat({ chunks: text('Hello.') });
    expect((await ask(other, 'Hi')).message.status).toBe('complete');
  });
});

describe.skipIf(!hasRedis)('the line at a model host across nodes', () => {
  it('holds maxParallel for the whole cluster: an answer on node B waits while node A uses the only place', async () => {
    const { a, b } = await start({ ollama: { maxParallel: 1 } });
    const first = await a.shopper();
    double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 25 });
    const firstId = laterId();
    const firstText = deltasReceived(first.socket, firstId.get, 3);
    const sent = await first.request('chat:send', { clientMessageId: clientMessageId(), text: 'Tell me everything' });
    if (!sent.ok) throw new Error(sent.error.code);
    firstId.set(sent.data.assistantMessageId);
    await firstText;

    const second = await b.shopper();
    const queued = nextEvent(second.socket, 'chat:status', (e) => e.phase === 'queued');
    double.enqueueChat({ chunks: text('Your turn now.') });
    const secondId = laterId();
    const secondEnd = answerEnd(second.socket, secondId.get);
    const waiting = await second.request('chat:send', { clientMessageId: clientMessageId(), text: 'Me too' });
    if (!waiting.ok) throw new Error(waiting.error.code);
    secondId.set(waiting.data.assistantMessageId);

    expect(await queued).toMatchObject({ phase: 'queued', position: 1 });
    expect(double.stats.active).toBe(1);
    // The place is freed on node A; node B's answer takes it.
    expect(await first.request('chat:stop', { conversationId: sent.data.conversationId })).toMatchObject({ ok: true });
    expect((await secondEnd).message).toMatchObject({ status: 'complete', content: 'Your turn now.' });
  });
});
