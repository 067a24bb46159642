import type { ChatMessage, ConversationSnapshot, HistoryPage, TranscriptDetail } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { answerEnd, ask, clientMessageId, laterId } from '../helpers/chatFlows';
import { startTestServer, type Shopper, type TestServer } from '../helpers/testServer';

/**
 * Issue 11: the shopper's History (list, reopen, delete, only their own), regenerating any answer kept
 * as an alternative, and editing and resending the last message. Real server, SQLite, Ollama double.
 */

let double: OllamaDouble;
let server: TestServer;

beforeEach(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
});

afterEach(async () => {
  await server.close();
  await double.close();
});

/** Sends a message the double answers with `answer`; resolves once the answer is committed. */
async function askScripted(shopper: Shopper, question: string, answer: string, conversationId?: string) {
  double.enqueueChat({ chunks: text(answer) });
  const result = await ask(shopper, question, conversationId);
  expect(result.event).toBe('chat:completed');
  return result;
}

function history(shopper: Shopper, query = '') {
  return api<HistoryPage>(server, 'GET', `/api/conversations${query}`, { cookie: shopper.cookie });
}

async function snapshot(shopper: Shopper, conversationId: string): Promise<ConversationSnapshot> {
  const resumed = await shopper.request('chat:resume', { conversationId });
  if (!resumed.ok) throw new Error(resumed.error.message);
  return resumed.data;
}

async function transcript(conversationId: string): Promise<TranscriptDetail> {
  const cookie = await signIn(server, await createAgentAccount(server, { email: 'ann@shop.example', name: 'Ann' }));
  const res = await api<TranscriptDetail>(server, 'GET', `/api/agent/transcripts/${conversationId}`, { cookie });
  if (!res.body.ok) throw new Error(res.body.error.message);
  return res.body.data;
}

/** What the model was sent in its latest request: every message's text, in order. */
function lastModelHistory(): string[] {
  const request = double.chatRequests().at(-1);
  return (request?.messages ?? []).map((m) => `${m.role}: ${m.content}`);
}

describe('History', () => {
  it('lists this browser’s conversations newest first with title, count and pages; others see none of them', async () => {
    const shopper = await server.shopper();
    const first = await askScripted(shopper, '  Waterproof   hiking boots\nfor winter? ', 'Try the Ridge boots.');
    await askScripted(shopper, 'And socks?', 'Wool socks.', first.conversationId);
    const second = await askScripted(shopper, 'A rain jacket', 'The Drizzle jacket.');

    const page = await history(shopper);
    expect(page.status).toBe(200);
    if (!page.body.ok) throw new Error(page.body.error.message);
    expect(page.body.data.conversations).toEqual([
      { id: second.conversationId, title: 'A rain jacket', updatedAt: expect.any(String), messageCount: 2 },
      { id: first.conversationId, title: 'Waterproof hiking boots for winter?', updatedAt: expect.any(String), messageCount: 4 },
    ]);
    expect(page.body.data.nextCursor).toBeNull();

    const one = await history(shopper, '?limit=1');
    if (!one.body.ok) throw new Error(one.body.error.message);
    expect(one.body.data.conversations.map((c) => c.id)).toEqual([second.conversationId]);
    expect(one.body.data.nextCursor).not.toBeNull();
    const next = await history(shopper, `?limit=1&before=${one.body.data.nextCursor ?? ''}`);
    if (!next.body.ok) throw new Error(next.body.error.message);
    expect(next.body.data.conversations.map((c) => c.id)).toEqual([first.conversationId]);
    expect(next.body.data.nextCursor).toBeNull();

    const bad = await history(shopper, '?before=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'bad-request' } });

    const stranger = await server.shopper();
    const theirs = await history(stranger);
    expect(theirs.body).toEqual({ ok: true, data: { conversations: [], nextCursor: null } });
  });

  it('reopens a conversation and continues it: the next message goes to it', async () => {
    const shopper = await server.shopper();
    const old = await askScripted(shopper, 'Boots for snow?', 'The Ridge boots.');
    await askScripted(shopper, 'Something else', 'Sure.'); // "New chat" keeps the old one in History

    const reopened = await snapshot(shopper, old.conversationId);
    expect(reopened.messages.map((m) => m.content)).toEqual(['Boots for snow?', 'The Ridge boots.']);
    const more = await askScripted(shopper, 'In size 44?', 'Yes, in 44.', old.conversationId);
    expect(more.conversationId).toBe(old.conversationId);
    expect(lastModelHistory()).toContain('assistant: The Ridge boots.');
  });

  it('deletes a conversation from the shopper’s view only; another session’s is refused; agents see it marked', async () => {
    const owner = await server.shopper();
    const chat = await askScripted(owner, 'Boots for snow?', 'The Ridge boots.');
    const stranger = await server.shopper();

    const refused = await api(server, 'DELETE', `/api/conversations/${chat.conversationId}`, { cookie: stranger.cookie });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const strangerResume = await stranger.request('chat:resume', { conversationId: chat.conversationId });
    expect(strangerResume).toMatchObject({ ok: false, error: { code: 'not-found' } });

    const badId = await api(server, 'DELETE', `/api/conversations/${'x'.repeat(65)}`, { cookie: owner.cookie });
    expect(badId.status).toBe(400);

    const deleted = await api(server, 'DELETE', `/api/conversations/${chat.conversationId}`, { cookie: owner.cookie });
    expect(deleted.status).toBe(200);
    const list = await history(owner);
    expect(list.body).toMatchObject({ ok: true, data: { conversations: [] } });
    expect(await owner.request('chat:resume', { conversationId: chat.conversationId })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    const sendInto = await owner.request('chat:send', {
      conversationId: chat.conversationId,
      clientMessageId: clientMessageId(),
      text: 'Still there?',
    });
    expect(sendInto).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const again = await api(server, 'DELETE', `/api/conversations/${chat.conversationId}`, { cookie: owner.cookie });
    expect(again.status).toBe(404);

    const seen = await transcript(chat.conversationId);
    expect(seen.hiddenByShopperAt).toEqual(expect.any(String));
    expect(seen.messages.map((m) => m.content)).toEqual(['Boots for snow?', 'The Ridge boots.']);
  });
});

describe('History over HTTP', () => {
  it('works for the widget’s token session, refuses an unknown token, and refuses a delete from another site', async () => {
    const issued = await fetch(`${server.url}/api/session/token`, { method: 'POST' });
    const { data } = (await issued.json()) as { data: { token: string } };
    const authorization = `Bearer ${data.token}`;
    const empty = await api<HistoryPage>(server, 'GET', '/api/conversations', { headers: { authorization } });
    expect(empty.body).toEqual({ ok: true, data: { conversations: [], nextCursor: null } });
    const unknown = await api(server, 'GET', '/api/conversations', { headers: { authorization: `Bearer ${'B'.repeat(43)}` } });
    expect(unknown.status).toBe(401);

    const shopper = await server.shopper();
    const chat = await askScripted(shopper, 'Boots for snow?', 'The Ridge boots.');
    const crossSite = await api(server, 'DELETE', `/api/conversations/${chat.conversationId}`, {
      cookie: shopper.cookie,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    const still = await history(shopper);
    expect(still.body).toMatchObject({ ok: true, data: { conversations: [{ id: chat.conversationId }] } });
  });

  it('refuses a bad page size with a clear error', async () => {
    const shopper = await server.shopper();
    const res = await history(shopper, '?limit=500');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('limit') } });
  });
});

describe('regenerating any answer', () => {
  it('keeps the earlier answer as an alternative, and the model later sees only the shown one', async () => {
    const shopper = await server.shopper();
    const first = await askScripted(shopper, 'Boots for snow?', 'First answer: the Ridge boots.');

    double.enqueueChat({ chunks: text('Second answer: the Summit boots.') });
    const id = laterId();
    const ended = answerEnd(shopper.socket, id.get);
    const regenerated = await shopper.request('chat:retry', {
      conversationId: first.conversationId,
      messageId: first.message.id,
    });
    if (!regenerated.ok) throw new Error(regenerated.error.message);
    id.set(regenerated.data.assistantMessageId);
    expect((await ended).message.content).toBe('Second answer: the Summit boots.');
    // The regenerate asked the model the same question, without the answer it replaces.
    expect(lastModelHistory().some((m) => m.includes('First answer'))).toBe(false);

    const shown = await snapshot(shopper, first.conversationId);
    const answers = shown.messages.filter((m) => m.role === 'assistant');
    expect(answers).toHaveLength(1);
    const [answer] = answers as [ChatMessage];
    expect(answer.content).toBe('Second answer: the Summit boots.');
    expect(answer.alternatives?.map((a) => a.content)).toEqual(['First answer: the Ridge boots.']);

    // Regenerating again adds a third alternative, oldest first.
    double.enqueueChat({ chunks: text('Third answer: the Glacier boots.') });
    const id3 = laterId();
    const ended3 = answerEnd(shopper.socket, id3.get);
    const third = await shopper.request('chat:retry', { conversationId: first.conversationId, messageId: answer.id });
    if (!third.ok) throw new Error(third.error.message);
    id3.set(third.data.assistantMessageId);
    await ended3;
    const after = (await snapshot(shopper, first.conversationId)).messages.filter((m) => m.role === 'assistant');
    expect(after.map((m) => m.content)).toEqual(['Third answer: the Glacier boots.']);
    expect(after[0]?.alternatives?.map((a) => a.content)).toEqual([
      'First answer: the Ridge boots.',
      'Second answer: the Summit boots.',
    ]);

    await askScripted(shopper, 'In size 44?', 'Yes.', first.conversationId);
    const sent = lastModelHistory();
    expect(sent).toContain('assistant: Third answer: the Glacier boots.');
    expect(sent.some((m) => m.includes('First answer') || m.includes('Second answer'))).toBe(false);

    // Feedback on an earlier alternative still works (it is one of this conversation's answers).
    const feedback = await shopper.request('chat:feedback', {
      conversationId: first.conversationId,
      messageId: first.message.id,
      rating: 'up',
    });
    expect(feedback.ok).toBe(true);

    const seen = await transcript(first.conversationId);
    const agentAnswers = seen.messages.filter((m) => m.role === 'assistant');
    expect(agentAnswers.map((m) => [m.content, m.hiddenBecause])).toEqual([
      ['First answer: the Ridge boots.', 'regenerated'],
      ['Second answer: the Summit boots.', 'regenerated'],
      ['Third answer: the Glacier boots.', null],
      ['Yes.', null],
    ]);
  });

  it('only the latest answer can be regenerated', async () => {
    const shopper = await server.shopper();
    const first = await askScripted(shopper, 'Boots?', 'Ridge boots.');
    await askScripted(shopper, 'Socks?', 'Wool socks.', first.conversationId);
    const refused = await shopper.request('chat:retry', { conversationId: first.conversationId, messageId: first.message.id });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: 'Only the latest answer can be retried.' },
    });
  });
});

describe('editing and resending the last message', () => {
  it('replaces the last exchange for the shopper and the model; agents still see what was sent first', async () => {
    const shopper = await server.shopper();
    const chat = await askScripted(shopper, 'Boots for snow?', 'The Ridge boots.');
    const second = await askScripted(shopper, 'Red running shoes?', 'The Sprint shoes in red.', chat.conversationId);

    double.enqueueChat({ chunks: text('The Sprint shoes in blue.') });
    const id = laterId();
    const ended = answerEnd(shopper.socket, id.get);
    const edited = await shopper.request('chat:edit', {
      conversationId: chat.conversationId,
      messageId: second.userMessage.id,
      clientMessageId: clientMessageId(),
      text: '  Blue running shoes?  ',
    });
    if (!edited.ok) throw new Error(edited.error.message);
    expect(edited.data.userMessage.content).toBe('Blue running shoes?');
    id.set(edited.data.assistantMessageId);
    expect((await ended).message.content).toBe('The Sprint shoes in blue.');
    const sent = lastModelHistory();
    expect(sent).toContain('user: Blue running shoes?');
    expect(sent.some((m) => m.includes('Red running shoes') || m.includes('in red'))).toBe(false);

    const shown = await snapshot(shopper, chat.conversationId);
    expect(shown.messages.map((m) => m.content)).toEqual([
      'Boots for snow?',
      'The Ridge boots.',
      'Blue running shoes?',
      'The Sprint shoes in blue.',
    ]);
    const page = await history(shopper);
    expect(page.body).toMatchObject({ ok: true, data: { conversations: [{ messageCount: 4 }] } });

    const seen = await transcript(chat.conversationId);
    expect(seen.messages.map((m) => [m.content, m.hiddenBecause])).toEqual([
      ['Boots for snow?', null],
      ['The Ridge boots.', null],
      ['Red running shoes?', 'edited'],
      ['The Sprint shoes in red.', 'edited'],
      ['Blue running shoes?', null],
      ['The Sprint shoes in blue.', null],
    ]);
  });

  it('refuses an edit of an earlier message, of another session’s conversation, or of nothing', async () => {
    const shopper = await server.shopper();
    const chat = await askScripted(shopper, 'Boots?', 'Ridge boots.');
    await askScripted(shopper, 'Socks?', 'Wool socks.', chat.conversationId);
    const payload = { conversationId: chat.conversationId, messageId: chat.userMessage.id, clientMessageId: clientMessageId() };

    expect(await shopper.request('chat:edit', { ...payload, text: 'Shoes?' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: 'Only your last message can be edited.' },
    });
    expect(await shopper.request('chat:edit', { ...payload, text: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: 'Type a message first.' },
    });
    expect(await shopper.request('chat:edit', { conversationId: chat.conversationId, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
    const stranger = await server.shopper();
    expect(await stranger.request('chat:edit', { ...payload, text: 'Shoes?' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });
});
