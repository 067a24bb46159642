import type { ChatPresenceEvent } from '@aisle/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { agentRequest, connectAgent, createAgentAccount, signIn } from '../helpers/agentClient';
import { ask } from '../helpers/chatFlows';
import { nextEvent, startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

afterEach(async () => {
  await server.close();
  await double.close();
});

async function start() {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
}

describe('presence: is anyone there?', () => {
  it('tells shoppers when the first agent comes online and when the last one leaves', async () => {
    await start();
    const shopper = await server.shopper();
    const account = await createAgentAccount(server, { email: 'sam@shop.example', name: 'Sam' });
    const cookie = await signIn(server, account);

    const online = nextEvent(shopper.socket, 'chat:presence');
    const agent = await connectAgent(server, { cookie });
    expect(await online).toEqual({ agentsOnline: true });

    // A shopper arriving now is told at once.
    const late = await server.shopper();
    const first = await new Promise<ChatPresenceEvent>((resolve) => {
      late.socket.once('chat:presence', resolve);
      late.socket.disconnect().connect();
    });
    expect(first).toEqual({ agentsOnline: true });

    const offline = nextEvent(shopper.socket, 'chat:presence');
    agent.close();
    expect(await offline).toEqual({ agentsOnline: false });
  });
});

describe('the email path when nobody is online', () => {
  it('stores the email, tells the shopper when to expect a reply, and shows it masked to agents', async () => {
    await start();
    double.enqueueChat({ chunks: text('Here are some jackets.') });
    const shopper = await server.shopper();
    const { conversationId } = await ask(shopper, 'Can a person help me with a return?');

    const refused = await shopper.request('chat:leave-email', { conversationId, email: 'not an email' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    const notice = nextEvent(shopper.socket, 'chat:message');
    const reply = await shopper.request('chat:leave-email', {
      conversationId,
      email: 'jane.doe@example.com',
      note: 'About order 1234',
    });
    expect(reply).toEqual({ ok: true, data: { replyText: "We'll reply by email within one working day." } });
    expect((await notice).message.content).toContain("We'll reply by email within one working day.");

    // Another shopper cannot leave an email on this conversation.
    const stranger = await server.shopper();
    expect(await stranger.request('chat:leave-email', { conversationId, email: 'x@example.com' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });

    const account = await createAgentAccount(server, { email: 'sam@shop.example', name: 'Sam' });
    const agent = await connectAgent(server, { cookie: await signIn(server, account) });
    const watched = await agentRequest(agent, 'agent:watch', { conversationId });
    if (!watched.ok) throw new Error(watched.error.message);
    expect(watched.data.contact).toMatchObject({ email: 'j***@example.com', note: 'About order 1234' });
    expect(JSON.stringify(watched.data)).not.toContain('jane.doe@example.com');
    agent.close();
  });
});
