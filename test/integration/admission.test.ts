import { BUSY_MESSAGE, type ChatStatusEvent, type ShopperServerEvents } from '@aisle/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OLLAMA_ERRORS, startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { loopback, shopperFrom } from '../helpers/addresses';
import { answerEnd, ask, clientMessageId, laterId, messageRow } from '../helpers/chatFlows';
import { startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

async function start(config: Parameters<typeof startTestServer>[0]['config'] = {}) {
  double = await startOllamaDouble();
  server = await startTestServer({
    ollamaUrl: double.url,
    config: { ...config, ollama: { maxParallel: 1, ...config.ollama } },
  });
}
afterEach(async () => {
  await server.close();
  await double.close();
});

/**
 * The first `event` for the answer whose id is known only once the send is acknowledged: events that
 * arrive before the acknowledgement (a queued status often does) are kept and matched afterwards.
 */
function firstFor<E extends 'chat:status' | 'chat:delta'>(
  shopper: Shopper,
  event: E,
  id: () => string | undefined,
  predicate: (e: Parameters<ShopperServerEvents[E]>[0]) => boolean,
): { promise: Promise<Parameters<ShopperServerEvents[E]>[0]>; check: () => void } {
  type Payload = Parameters<ShopperServerEvents[E]>[0];
  const seen: Payload[] = [];
  let resolve: (e: Payload) => void = () => undefined;
  const promise = new Promise<Payload>((r) => (resolve = r));
  const check = () => {
    const hit = seen.find((e) => e.messageId === id() && predicate(e));
    if (hit === undefined) return;
    shopper.socket.off(event, listener as never);
    resolve(hit);
  };
  const listener = (e: Payload) => {
    seen.push(e);
    check();
  };
  shopper.socket.on(event, listener as never);
  return { promise, check };
}

/**
 * An answer that holds its place at the model: the first word arrives, the rest would take minutes.
 * The test ends it (stop, disconnect, take-over) when it wants the place freed.
 */
async function holdTheModel(shopper: Shopper) {
  double.enqueueChat({ chunks: text('Let me think about that for a long while'), tokenDelayMs: 200_000 });
  const answerId = laterId();
  const firstWord = firstFor(shopper, 'chat:delta', answerId.get, () => true);
  const reply = await shopper.request('chat:send', { clientMessageId: clientMessageId(), text: 'Tell me everything' });
  if (!reply.ok) throw new Error(reply.error.code);
  answerId.set(reply.data.assistantMessageId);
  firstWord.check();
  await firstWord.promise;
  return { conversationId: reply.data.conversationId, messageId: reply.data.assistantMessageId };
}

/** The `chat:status` events a shopper's socket receives, in order. */
function statuses(shopper: Shopper): ChatStatusEvent[] {
  const seen: ChatStatusEvent[] = [];
  shopper.socket.on('chat:status', (e) => seen.push(e));
  return seen;
}

/** Sends a message and resolves once its answer is waiting in line, with its first place. */
async function sendQueued(shopper: Shopper, words: string, conversationId?: string) {
  const answerId = laterId();
  const queued = firstFor(shopper, 'chat:status', answerId.get, (e) => e.phase === 'queued');
  const ended = answerEnd(shopper.socket, answerId.get, 30_000);
  const reply = await shopper.request('chat:send', {
    clientMessageId: clientMessageId(),
    text: words,
    ...(conversationId ? { conversationId } : {}),
  });
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  answerId.set(reply.data.assistantMessageId);
  queued.check();
  return { conversationId: reply.data.conversationId, messageId: reply.data.assistantMessageId, queued: queued.promise, ended };
}

/** The shopper's words of every /api/chat call the model host received, in order. */
function askedOfModel(): string[] {
  return double.chatRequests().map((r) => r.messages?.filter((m) => m.role === 'user').at(-1)?.content ?? '');
}

describe('answers wait in a fair line when the model host is full', () => {
  it('shows a second shopper "next" (position 1) and streams their answer once the first one ends', async () => {
    await start();
    const first = await shopperFrom(server, loopback(2));
    const second = await shopperFrom(server, loopback(3));
    const held = await holdTheModel(first);
    const seen = statuses(second);

    const waiting = await sendQueued(second, 'Trail shoes under $150');

    expect(await waiting.queued).toMatchObject({ phase: 'queued', position: 1 });
    expect(double.stats.started).toBe(1);
    // A reload while waiting shows the place in line too.
    const snapshot = await second.request('chat:resume', { conversationId: waiting.conversationId });
    expect(snapshot.ok && snapshot.data.live).toMatchObject({ messageId: waiting.messageId, phase: 'queued', position: 1 });

    await first.request('chat:stop', { conversationId: held.conversationId });
    const { event, message } = await waiting.ended;

    expect(event).toBe('chat:completed');
    expect(message.content).not.toBe('');
    expect(askedOfModel()[1]).toBe('Trail shoes under $150');
    // Queued, then the ordinary phases once admitted.
    const phases = seen.filter((e) => e.messageId === waiting.messageId).map((e) => e.phase);
    expect(phases[0]).toBe('queued');
    expect(phases.slice(1)).not.toContain('queued');
  });

  it('admits another address next while one address floods the line with 30 messages from many sessions', async () => {
    await start({ capacity: { maxQueuedPerAddress: 50 } });
    const floodSessions = await Promise.all(Array.from({ length: 10 }, () => shopperFrom(server, loopback(2))));
    const [firstFlooder] = floodSessions;
    if (!firstFlooder) throw new Error('no flooder');
    const held = await holdTheModel(firstFlooder);
    const flood = [];
    for (const [i, flooder] of floodSessions.entries()) {
      for (let n = 0; n < (i === 0 ? 2 : 3); n += 1) flood.push(await sendQueued(flooder, `flood ${i}-${n}`));
    }
    await Promise.all(flood.map((f) => f.queued));
    expect(flood).toHaveLength(29);

    const other = await shopperFrom(server, loopback(3));
    const mine = await sendQueued(other, 'A coffee grinder');

    expect(await mine.queued).toMatchObject({ position: 1 });
    const stats = await server.app.admission.stats();
    expect(stats.queuedByAddress).toEqual({ [loopback(2)]: 29, [loopback(3)]: 1 });
    await firstFlooder.request('chat:stop', { conversationId: held.conversationId });
    expect((await mine.ended).event).toBe('chat:completed');
    // The host served the held answer, then the other shopper, before any more of the flood.
    const asked = askedOfModel();
    expect(asked.slice(0, 2)).toEqual(['Tell me everything', 'A coffee grinder']);
  });

  it('refuses the 11th waiting answer from one address with "busy", keeping the message, while other addresses still queue', async () => {
    await start();
    const holder = await shopperFrom(server, loopback(2));
    await holdTheModel(holder);
    const flooders = await Promise.all([shopperFrom(server, loopback(4)), shopperFrom(server, loopback(4))]);
    const waiting = [];
    for (let i = 0; i < 10; i += 1) waiting.push(await sendQueued(flooders[i % 2]!, `wait ${i}`));
    await Promise.all(waiting.map((w) => w.queued));

    const eleventh = await sendQueued(flooders[0]!, 'one too many');
    const { event, message } = await eleventh.ended;

    expect(event).toBe('chat:failed');
    expect(message.error).toMatchObject({ code: 'busy', message: BUSY_MESSAGE });
    expect(JSON.stringify(message)).not.toMatch(/address|127\.0\.0|queue/i);
    // Nothing is lost: the shopper's message is stored and shown after a reload, with a retryable error.
    const snapshot = await flooders[0]!.request('chat:resume', { conversationId: eleventh.conversationId });
    expect(snapshot.ok && snapshot.data.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'one too many', 'complete'],
      ['assistant', '', 'error'],
    ]);
    // Another address is not refused.
    const other = await shopperFrom(server, loopback(5));
    expect(await (await sendQueued(other, 'socks')).queued).toMatchObject({ phase: 'queued' });
  });

  it('lets a shopper stop while waiting: the answer ends stopped with no text, and those behind move up', async () => {
    await start();
    await holdTheModel(await shopperFrom(server, loopback(2)));
    const leaver = await shopperFrom(server, loopback(3));
    const stayer = await shopperFrom(server, loopback(4));
    const leaving = await sendQueued(leaver, 'never mind');
    expect(await leaving.queued).toMatchObject({ position: 1 });
    const staying = await sendQueued(stayer, 'rain jacket');
    expect(await staying.queued).toMatchObject({ position: 2 });
    const movedUp = new Promise<ChatStatusEvent>((resolve) =>
      stayer.socket.on('chat:status', (e) => e.messageId === staying.messageId && e.position === 1 && resolve(e)),
    );

    const ack = await leaver.request('chat:stop', { conversationId: leaving.conversationId });

    expect(ack).toEqual({ ok: true, data: { messageId: leaving.messageId } });
    const { event, message } = await leaving.ended;
    expect(event).toBe('chat:completed');
    expect(message).toMatchObject({ status: 'stopped', content: '' });
    expect((await messageRow(server, leaving.messageId)).status).toBe('stopped');
    expect(await movedUp).toMatchObject({ phase: 'queued', position: 1 });
    expect(askedOfModel()).not.toContain('never mind');
  });

  it('admits waiting answers at once when a hot reload raises maxParallel', async () => {
    await start();
    const holder = await shopperFrom(server, loopback(2));
    const held = await holdTheModel(holder);
    const b = await sendQueued(await shopperFrom(server, loopback(3)), 'boots');
    const c = await sendQueued(await shopperFrom(server, loopback(4)), 'hats');
    await Promise.all([b.queued, c.queued]);

    server.reconfigure({ ollama: { maxParallel: 3 } });

    const [bEnd, cEnd] = await Promise.all([b.ended, c.ended]);
    expect([bEnd.event, cEnd.event]).toEqual(['chat:completed', 'chat:completed']);
    // The held answer is still being written: the new places came from the reload, not from it ending.
    expect(server.app.chat.isGenerating(held.conversationId)).toBe(true);
  });

  it('frees the place however an answer ends: failed, disconnected past the grace period, taken over', async () => {
    await start();
    const shopper = await shopperFrom(server, loopback(2));
    double.enqueueChat({ status: 500, error: OLLAMA_ERRORS.runner });
    expect((await ask(shopper, 'first')).event).toBe('chat:failed');
    // Nobody waits behind a failed answer.
    const next = statuses(shopper);
    expect((await ask(shopper, 'second')).event).toBe('chat:completed');
    expect(next.some((e) => e.phase === 'queued')).toBe(false);

    // The holder's tab closes: once the grace period is over, the one waiting gets the place.
    const leaver = await shopperFrom(server, loopback(3));
    await holdTheModel(leaver);
    const waiter = await shopperFrom(server, loopback(4));
    const afterDisconnect = await sendQueued(waiter, 'after the disconnect');
    await afterDisconnect.queued;
    leaver.close();
    expect((await afterDisconnect.ended).event).toBe('chat:completed');

    // An agent takes the holder's conversation over: the answer stops and the place is freed.
    const taken = await holdTheModel(await shopperFrom(server, loopback(5)));
    const afterTakeOver = await sendQueued(waiter, 'after the take-over', afterDisconnect.conversationId);
    await afterTakeOver.queued;
    await server.app.chat.takeOver(taken.conversationId, { id: 'agent-1', name: 'Sam' });
    expect((await afterTakeOver.ended).event).toBe('chat:completed');
    await vi.waitFor(async () => {
      const stats = await server.app.admission.stats();
      expect(stats.queuedTotal).toBe(0);
      expect(Object.values(stats.running).reduce((a, b) => a + b, 0)).toBe(0);
    });
  });
});
