import { Rng } from '@aisle/server/catalogue/demo/demoEngine';
import type { ExperimentArm, Experiments } from '@aisle/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { nextEvent, startTestServer, type ShopperSocket, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

beforeAll(async () => {
  double = await startOllamaDouble();
  // Seeded, so the split (and whether each arm gets a conversation) is the same on every run.
  const rng = new Rng(20240611);
  server = await startTestServer({
    ollamaUrl: double.url,
    random: () => rng.next(),
    // One shopper starts all 200 answers at once: room for them all, so the split is what is measured.
    config: {
      chat: { messagesPerMinute: 1000 },
      capacity: { maxQueuedPerAddress: 1000, maxQueuedTotal: 1000 },
      experiment: { name: 'try-8b', candidate: 'qwen3:8b', share: 0.3 },
    },
  });
});
afterAll(async () => {
  await server.close();
  await double.close();
});

/**
 * Resolves once `count` conversations have each reported their answer ended. The sender joins a
 * conversation's room before its answer starts, and a row is committed before the event is sent.
 */
function answersEnded(socket: ShopperSocket, count: number): Promise<void> {
  const ended = new Set<string>();
  return new Promise((resolve) => {
    const onEnd = (e: { conversationId: string }) => {
      ended.add(e.conversationId);
      if (ended.size < count) return;
      socket.off('chat:completed', onEnd);
      socket.off('chat:failed', onEnd);
      resolve();
    };
    socket.on('chat:completed', onEnd);
    socket.on('chat:failed', onEnd);
  });
}

describe('experiments: a share of new conversations goes to a candidate model', () => {
  const N = 200;

  it('routes about the configured share, records the arm, and keeps each conversation on its arm', async () => {
    const shopper = await server.shopper();
    const ended = answersEnded(shopper.socket, N);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const reply = await shopper.request('chat:send', {
        clientMessageId: `exp-msg-${String(i).padStart(4, '0')}`,
        text: 'trail shoes',
      });
      if (!reply.ok) throw new Error(reply.error.message);
      ids.push(reply.data.conversationId);
    }
    await ended;
    const streaming = await server.app.db.kysely.selectFrom('messages').select('id').where('status', '=', 'streaming').execute();
    expect(streaming).toEqual([]);

    const rows = await server.app.db.kysely.selectFrom('conversations').select(['id', 'arm', 'experiment', 'model']).execute();
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => r.experiment))).toEqual(new Set(['try-8b']));
    const candidates = rows.filter((r) => r.arm === 'candidate');
    // The split is seeded, so this count is the same on every run. The bounds are still those of
    // Binomial(200, 0.3) (mean 60, sd 6.5, 4 sd either side): they say "about the share", not one seed's count.
    expect(candidates.length).toBeGreaterThanOrEqual(34);
    expect(candidates.length).toBeLessThanOrEqual(86);
    expect(new Set(candidates.map((r) => r.model))).toEqual(new Set(['qwen3:8b']));

    // Sticky: a second message in each arm is answered by the same model as the first.
    for (const arm of ['candidate', 'control'] as const) {
      const conversation = rows.find((r) => r.arm === arm);
      if (!conversation) throw new Error(`no ${arm} conversation`);
      const completed = nextEvent(shopper.socket, 'chat:completed', (e) => e.conversationId === conversation.id);
      await shopper.request('chat:send', {
        conversationId: conversation.id,
        clientMessageId: `exp-second-${arm}`,
        text: 'in size 44?',
      });
      await completed;
      const models = await server.app.db.kysely
        .selectFrom('messages')
        .select('model')
        .where('conversation_id', '=', conversation.id)
        .where('role', '=', 'assistant')
        .execute();
      expect(models.map((m) => m.model)).toEqual(arm === 'candidate' ? ['qwen3:8b', 'qwen3:8b'] : ['qwen3:4b', 'qwen3:4b']);
    }

    // The comparison per arm counts every conversation and answer once.
    // Agents get it over HTTP (and in the dashboard); shoppers and anonymous clients do not.
    expect((await api(server, 'GET', '/api/agent/experiments')).status).toBe(401);
    const cookie = await signIn(server, await createAgentAccount(server, { email: 'lee@shop.example' }));
    const all = await api<Experiments>(server, 'GET', '/api/agent/experiments', { cookie });
    if (!all.body.ok) throw new Error(all.body.error.message);
    expect(all.body.data.current).toEqual({ name: 'try-8b', candidate: 'qwen3:8b', share: 0.3 });
    const one = await api<{ name: string; arms: ExperimentArm[] }>(server, 'GET', '/api/agent/experiments/try-8b', { cookie });
    if (!one.body.ok) throw new Error(one.body.error.message);
    const stats = one.body.data.arms;
    expect(stats.map((s) => s.arm)).toEqual(['candidate', 'control']);
    expect(stats.reduce((n, s) => n + s.conversations, 0)).toBe(N);
    expect(stats.reduce((n, s) => n + s.answers, 0)).toBe(N + 2);
    for (const s of stats) {
      expect(s.errorRate).toBe(0);
      expect(s.tokensPerSecond).toBeGreaterThan(0);
      expect(s.firstTokenMsP50).not.toBeNull();
    }
  }, 90_000);
});
