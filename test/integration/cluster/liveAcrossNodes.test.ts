import type { ChatMessage } from '@aisle/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../../ollama-double';
import { answerEnd, ask, clientMessageId, deltasReceived, laterId, messageRow, openTab } from '../../helpers/chatFlows';
import { HOW_TO_ENABLE, isRedisReachable, startCluster, type TestCluster } from '../../helpers/clusterNodes';
import { collectDeltas, type Shopper } from '../../helpers/testServer';

const hasRedis = await isRedisReachable();
if (!hasRedis) console.warn(HOW_TO_ENABLE);

let double: OllamaDouble;
let cluster: TestCluster;

afterEach(async () => {
  await cluster?.close();
  await double?.close();
});

async function start(config: Parameters<typeof startCluster>[0]['config'] = {}) {
  double = await startOllamaDouble();
  cluster = await startCluster({ ollamaUrl: double.url, config });
  return { a: await cluster.node(), b: await cluster.node(), c: await cluster.node() };
}

/** A long answer, streamed slowly enough to move the shopper, stop it or kill its node half way. */
const LONG_ANSWER = Array.from({ length: 160 }, (_, i) => `word${i}`).join(' ');

/** Sends a message whose answer streams slowly; resolves once the shopper has seen a few deltas. */
async function startSlowAnswer(shopper: Shopper) {
  double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 25 });
  const deltas = collectDeltas(shopper.socket);
  const answerId = laterId();
  const someText = deltasReceived(shopper.socket, answerId.get, 5);
  const reply = await shopper.request('chat:send', { clientMessageId: clientMessageId(), text: 'Tell me everything' });
  if (!reply.ok) throw new Error(reply.error.code);
  answerId.set(reply.data.assistantMessageId);
  await someText;
  return { conversationId: reply.data.conversationId, messageId: reply.data.assistantMessageId, deltas };
}

/**
 * What a browser does with a resumed answer: starts from the snapshot's text, then lays each delta at
 * its offset. A delta past the end is a gap, one that disagrees with the text is corruption.
 */
function assemble(snapshot: string, deltas: Array<{ offset: number; text: string }>): string {
  let content = snapshot;
  for (const d of deltas) {
    if (d.offset > content.length) throw new Error(`gap: delta at ${d.offset}, text ends at ${content.length}`);
    const overlap = content.slice(d.offset, d.offset + d.text.length);
    if (!d.text.startsWith(overlap)) throw new Error(`delta at ${d.offset} disagrees with the text`);
    content = content.slice(0, d.offset) + d.text;
  }
  return content;
}

describe.skipIf(!hasRedis)('live answers across nodes', () => {
  it('resumes the answer node A is writing on node B, exactly from its offset, and keeps it going', async () => {
    // The grace period ends long before the answer: only a watcher on node B keeps node A writing.
    const { a, b } = await start({ chat: { disconnectGraceMs: 600 } });
    const shopper = await a.shopper();
    const { conversationId, messageId } = await startSlowAnswer(shopper);

    shopper.close();
    const tab = await openTab(b, shopper.cookie);
    const deltas = collectDeltas(tab.socket);
    const ended = answerEnd(tab.socket, () => messageId);
    const snapshot = await tab.request('chat:resume', { conversationId });
    if (!snapshot.ok) throw new Error(snapshot.error.code);
    const live = snapshot.data.live;
    expect(live?.messageId).toBe(messageId);
    const resumedAt = live?.content ?? '';
    expect(resumedAt.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(resumedAt)).toBe(true);
    expect(resumedAt.length).toBeLessThan(LONG_ANSWER.length);

    const { event, message } = await ended;
    expect(event).toBe('chat:completed');
    expect(message).toMatchObject({ status: 'complete', content: LONG_ANSWER });
    // Text the shopper's page shows: the snapshot, then the deltas from node A, with no gap and nothing twice.
    expect(assemble(resumedAt, deltas.events(messageId))).toBe(LONG_ANSWER);
    expect(deltas.events(messageId)[0]?.offset).toBeLessThanOrEqual(resumedAt.length);
    expect((await messageRow(b, messageId)).content).toBe(LONG_ANSWER);
  });

  it('stops on node B the answer node A is writing: the model request is aborted and the answer stored as stopped', async () => {
    const { a, b } = await start();
    const shopper = await a.shopper();
    const { conversationId, messageId } = await startSlowAnswer(shopper);
    const tab = await openTab(b, shopper.cookie);
    const ended = answerEnd(tab.socket, () => messageId);
    await tab.request('chat:resume', { conversationId });

    const ack = await tab.request('chat:stop', { conversationId });

    expect(ack).toEqual({ ok: true, data: { messageId } });
    await double.waitForAborted(1);
    expect(double.stats.completed).toBe(0);
    const { event, message } = await ended;
    expect(event).toBe('chat:completed');
    expect(message.status).toBe('stopped');
    expect(LONG_ANSWER.startsWith(message.content)).toBe(true);
    expect(message.content.length).toBeLessThan(LONG_ANSWER.length);
    expect((await messageRow(b, messageId)).status).toBe('stopped');
  });

  it('refuses a second message on node B while node A is still writing the answer', async () => {
    const { a, b } = await start();
    const shopper = await a.shopper();
    const { conversationId } = await startSlowAnswer(shopper);
    const tab = await openTab(b, shopper.cookie);

    const reply = await tab.request('chat:send', { clientMessageId: clientMessageId(), text: 'And more?', conversationId });

    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('answer-in-progress');
  });
});

describe.skipIf(!hasRedis)('one answer at a time across nodes', () => {
  it('accepts only one of two messages sent at the same moment on two nodes', async () => {
    const { a, b } = await start();
    const shopper = await a.shopper();
    double.enqueueChat({ chunks: text('Hello.') });
    const { conversationId } = await ask(shopper, 'Hi');
    const tab = await openTab(b, shopper.cookie);
    double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 25 });
    double.enqueueChat({ chunks: text(LONG_ANSWER), tokenDelayMs: 25 });

    const replies = await Promise.all(
      [shopper, tab].map((s) => s.request('chat:send', { clientMessageId: clientMessageId(), text: 'Now?', conversationId })),
    );

    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'answer-in-progress' } });
    expect(await tab.request('chat:stop', { conversationId })).toMatchObject({ ok: true });
  });
});

describe.skipIf(!hasRedis)('nodes starting and reloading', () => {
  it('a node that starts while another writes an answer leaves it alone; each answer names the config of its node', async () => {
    double = await startOllamaDouble();
    cluster = await startCluster({ ollamaUrl: double.url });
    const a = await cluster.node();
    const b = await cluster.node();
    // A hot reload on node B only: node A keeps serving the config it started with.
    const reloaded = b.reconfigure({ chat: { maxCards: 3 } });
    expect(reloaded.version).not.toBe(a.config.version);
    const shopper = await a.shopper();
    const { messageId } = await startSlowAnswer(shopper);
    const ended = answerEnd(shopper.socket, () => messageId);

    await cluster.node();

    // Still being written: a reopened page on any node shows it live, not failed.
    expect((await messageRow(a, messageId)).status).toBe('streaming');
    expect((await ended).message).toMatchObject({ status: 'complete', content: LONG_ANSWER });
    expect((await messageRow(a, messageId)).config_version).toBe(a.config.version);
    const other = await b.shopper();
    double.enqueueChat({ chunks: text('Served by B.') });
    const onB = await ask(other, 'Hello');
    expect((await messageRow(a, onB.message.id)).config_version).toBe(reloaded.version);
  });
});

describe.skipIf(!hasRedis)('a node dies mid-answer', () => {
  it('another node marks the answer interrupted within a few seconds; the shopper there sees it failed, with Retry', async () => {
    double = await startOllamaDouble();
    // One place at the model host for the whole cluster: the retry below gets it only once the dead
    // node's lease on it has run out.
    cluster = await startCluster({ ollamaUrl: double.url, config: { ollama: { maxParallel: 1 } } });
    const b = await cluster.node();
    const doomed = await cluster.processNode();
    const cookie = (await fetch(`${b.url}/api/session`)).headers.get('set-cookie')?.split(';')[0] ?? '';
    const onA = await openTab({ ...b, url: doomed.url }, cookie);
    const { conversationId, messageId } = await startSlowAnswer(onA);
    const onB = await openTab(b, cookie);
    const resumed = await onB.request('chat:resume', { conversationId });
    expect(resumed.ok && resumed.data.live?.messageId).toBe(messageId);
    const ended = answerEnd(onB.socket, () => messageId, 15_000);

    const killedAt = Date.now();
    await doomed.kill('SIGKILL');

    const { event, message } = await ended;
    expect(Date.now() - killedAt).toBeLessThan(5000);
    expect(event).toBe('chat:failed');
    expect(message).toMatchObject<Partial<ChatMessage>>({ id: messageId, status: 'error' });
    expect(message.error?.code).toBe('generation-interrupted');
    const row = await messageRow(b, messageId);
    expect(row).toMatchObject({ status: 'error', error_code: 'generation-interrupted' });
    // The text sent before the kill is kept.
    expect(row.content.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(row.content)).toBe(true);

    // Retry works on the surviving node: the dead node's place at the model host is free again.
    double.enqueueChat({ chunks: text('Here it is again.') });
    const retried = laterId();
    const again = answerEnd(onB.socket, retried.get);
    const retry = await onB.request('chat:retry', { conversationId, messageId });
    if (!retry.ok) throw new Error(retry.error.code);
    retried.set(retry.data.assistantMessageId);
    expect((await again).message).toMatchObject({ status: 'complete', content: 'Here it is again.' });
    await vi.waitFor(() => expect(double.stats.active).toBe(0));
  });
});
