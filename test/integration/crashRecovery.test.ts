import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AisleConfigInput } from '@aisle/server/config/configSchema';
import type { ChatDeltaEvent } from '@aisle/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import {
  connectShopper,
  openDataDirDatabase,
  seedCatalogue,
  startServerProcess,
  type ServerProcess,
} from '../helpers/serverProcess';
import { nextEvent, type Shopper } from '../helpers/testServer';

let double: OllamaDouble;
let dataDir: string;
const processes: ServerProcess[] = [];
const shoppers: Shopper[] = [];

const config = {
  catalogue: { loadDemoWhenEmpty: false },
  // Every token goes out as it arrives; a dropped socket does not stop the answer during the test.
  chat: { coalesceMs: 0, disconnectGraceMs: 60_000 },
} satisfies AisleConfigInput;

const SLOW_ANSWER =
  'Both trail shoes here are waterproof. The Ridgeback Waterproof Trail Shoe has a lugged outsole for mud and rock, ' +
  'and the Summit Pro GTX Trail Shoe adds a carbon plate for long mountain runs, though it costs more. ' +
  'If you mostly run on muddy forest trails, I would start with the Ridgeback in your usual size.';

beforeEach(async () => {
  double = await startOllamaDouble();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-crash-'));
  await seedCatalogue(dataDir);
});
afterEach(async () => {
  for (const s of shoppers.splice(0)) s.close();
  for (const p of processes.splice(0)) await p.kill('SIGKILL');
  await double.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ServerProcess> {
  const proc = await startServerProcess({ dataDir, ollamaUrl: double.url, config });
  processes.push(proc);
  return proc;
}

async function shopperOf(proc: ServerProcess, cookie?: string): Promise<Shopper> {
  const shopper = await connectShopper(proc.url, cookie);
  shoppers.push(shopper);
  return shopper;
}

/** Records deltas and lets a test wait until an answer has streamed at least `count` of them. */
function deltaLog(shopper: Shopper) {
  const events: ChatDeltaEvent[] = [];
  const waiters: Array<() => void> = [];
  shopper.socket.on('chat:delta', (d) => {
    events.push(d);
    for (const w of waiters.splice(0)) w();
  });
  const forMessage = (id: string) => events.filter((e) => e.messageId === id);
  return {
    text: (id: string) =>
      forMessage(id)
        .map((e) => e.text)
        .join(''),
    async atLeast(id: string, count: number): Promise<void> {
      while (forMessage(id).length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

async function send(shopper: Shopper, clientMessageId: string, words: string, conversationId?: string) {
  const reply = await shopper.request('chat:send', {
    clientMessageId,
    text: words,
    ...(conversationId ? { conversationId } : {}),
  });
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.data;
}

async function resume(shopper: Shopper, conversationId: string) {
  const reply = await shopper.request('chat:resume', { conversationId });
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.data;
}

describe('crash recovery with the real server process', () => {
  it(
    'keeps every acknowledged message through kill -9 and shows the cut-off answers as interrupted after restart',
    { timeout: 180_000 },
    async () => {
      const first = await start();
      const shopper = await shopperOf(first);
      const deltas = deltaLog(shopper);

      // A finished turn, then a second question whose answer is cut off by the crash.
      double.enqueueChat({ chunks: text('The [Stormline 2.5L Rain Jacket](product:JKT-300) is on sale.') });
      const completed = nextEvent(shopper.socket, 'chat:completed');
      const turn1 = await send(shopper, 'crash-msg-0001', 'rain jacket');
      expect((await completed).message.status).toBe('complete');

      double.enqueueChat({ chunks: text(SLOW_ANSWER), tokenDelayMs: 100 }, { chunks: text(SLOW_ANSWER), tokenDelayMs: 100 });
      const turn2 = await send(shopper, 'crash-msg-0002', 'and waterproof trail shoes?', turn1.conversationId);
      const other = await send(shopper, 'crash-msg-0003', 'trail shoes for mud');
      await deltas.atLeast(turn2.assistantMessageId, 2);
      await deltas.atLeast(other.assistantMessageId, 2);

      const exit = await first.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      // Ollama saw both connections close: the model stopped generating for nobody.
      await double.waitForAborted(2);

      // The file as the crash left it: intact, with every acknowledged message.
      const acknowledged = [turn1.userMessage, turn2.userMessage, other.userMessage];
      const db = await openDataDirDatabase(dataDir);
      try {
        expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = await db.kysely.selectFrom('messages').selectAll().where('role', '=', 'user').execute();
        for (const m of acknowledged) expect(rows.find((r) => r.id === m.id)?.content, m.content).toBe(m.content);
        const cut = await db.kysely
          .selectFrom('messages')
          .select(['id', 'status'])
          .where('id', 'in', [turn2.assistantMessageId, other.assistantMessageId])
          .execute();
        expect(cut.map((r) => r.status)).toEqual(['streaming', 'streaming']);
      } finally {
        await db.close();
      }

      // After a restart the same shopper (same cookie) finds both chats, and the answers that were cut
      // off say so instead of spinning forever.
      const second = await start();
      const back = await shopperOf(second, shopper.cookie);
      const conversation = await resume(back, turn1.conversationId);
      expect(conversation.live).toBeNull();
      expect(conversation.messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'complete'],
        ['assistant', 'complete'],
        ['user', 'complete'],
        ['assistant', 'error'],
      ]);
      expect(conversation.messages[1]?.products.map((p) => p.id)).toEqual(['JKT-300']);
      const interrupted = conversation.messages[3];
      expect(interrupted?.id).toBe(turn2.assistantMessageId);
      // The shopper reads a plain sentence; the operator's reason goes to the developer on this machine.
      expect(interrupted?.error).toMatchObject({
        code: 'generation-interrupted',
        message: expect.stringMatching(/try again/i),
        developer: expect.stringMatching(/restarted/),
      });
      // Whatever text survived is the start of what the shopper saw streaming, never anything else.
      expect(deltas.text(turn2.assistantMessageId).startsWith(interrupted?.content ?? '?')).toBe(true);

      const otherConversation = await resume(back, other.conversationId);
      expect(otherConversation.messages.map((m) => [m.role, m.status, m.error?.code ?? null])).toEqual([
        ['user', 'complete', null],
        ['assistant', 'error', 'generation-interrupted'],
      ]);

      // The shopper can retry the interrupted answer and gets a whole one.
      double.enqueueChat({ chunks: text(SLOW_ANSWER) });
      const retried = nextEvent(back.socket, 'chat:completed');
      const retry = await back.request('chat:retry', {
        conversationId: turn1.conversationId,
        messageId: turn2.assistantMessageId,
      });
      expect(retry.ok).toBe(true);
      const { message } = await retried;
      expect(message.status).toBe('complete');
      expect(message.content).toBe(SLOW_ANSWER);

      const list = await fetch(`${second.url}/api/session`, { headers: { cookie: shopper.cookie } });
      const body = (await list.json()) as { data: { conversations: Array<{ id: string }> } };
      expect(body.data.conversations.map((c) => c.id).sort()).toEqual([turn1.conversationId, other.conversationId].sort());

      await second.kill('SIGTERM');
      const after = await openDataDirDatabase(dataDir);
      try {
        expect(after.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        await after.close();
      }
    },
  );

  it(
    'commits the partial answer as stopped on SIGTERM, and the shopper finds it after restart',
    { timeout: 180_000 },
    async () => {
      const first = await start();
      const shopper = await shopperOf(first);
      const deltas = deltaLog(shopper);
      double.enqueueChat({ chunks: text(SLOW_ANSWER), tokenDelayMs: 100 });
      const sent = await send(shopper, 'term-msg-0001', 'waterproof trail shoes');
      await deltas.atLeast(sent.assistantMessageId, 3);

      const exit = await first.kill('SIGTERM');
      expect(exit, first.output()).toEqual({ code: 0, signal: null });
      await double.waitForAborted(1);
      const seen = deltas.text(sent.assistantMessageId);

      const db = await openDataDirDatabase(dataDir);
      let stored: { status: string; content: string } | undefined;
      try {
        expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
        stored = await db.kysely
          .selectFrom('messages')
          .select(['status', 'content'])
          .where('id', '=', sent.assistantMessageId)
          .executeTakeFirst();
      } finally {
        await db.close();
      }
      expect(stored?.status).toBe('stopped');
      // Everything the shopper saw was kept (and perhaps a token more that was still on its way).
      expect(stored?.content.startsWith(seen)).toBe(true);
      expect(SLOW_ANSWER.startsWith(stored?.content ?? '?')).toBe(true);
      expect(stored?.content.length).toBeLessThan(SLOW_ANSWER.length);

      const second = await start();
      const back = await shopperOf(second, shopper.cookie);
      const conversation = await resume(back, sent.conversationId);
      expect(conversation.live).toBeNull();
      expect(conversation.messages.map((m) => [m.role, m.status, m.content])).toEqual([
        ['user', 'complete', 'waterproof trail shoes'],
        ['assistant', 'stopped', stored?.content],
      ]);
      expect(conversation.messages[1]?.error).toBeNull();
    },
  );
});
