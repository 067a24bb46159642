import type { TranscriptDetail, TranscriptRow } from '@aisle/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { nextEvent, startTestServer, type TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let server: TestServer;

beforeAll(async () => {
  double = await startOllamaDouble();
  server = await startTestServer({ ollamaUrl: double.url });
});
afterAll(async () => {
  await server.close();
  await double.close();
});

async function ask(answer: string, clientMessageId: string): Promise<string> {
  double.enqueueChat({ chunks: text(answer) });
  const shopper = await server.shopper();
  const completed = nextEvent(shopper.socket, 'chat:completed');
  const reply = await shopper.request('chat:send', { clientMessageId, text: 'trail shoes' });
  if (!reply.ok) throw new Error(reply.error.message);
  await completed;
  return reply.data.conversationId;
}

describe('grounding mismatches in the agent console', () => {
  it('lets agents filter on answers the grounding check flagged and shows the finding and host in the trace', async () => {
    const misquoted = await ask('The [Ridgeback Waterproof Trail Shoe](product:TRL-100-44) is only $59.', 'grounding-a-0001');
    const honest = await ask('The [Ridgeback Waterproof Trail Shoe](product:TRL-100-44) is $109.99.', 'grounding-b-0001');
    const cookie = await signIn(server, await createAgentAccount(server, { email: 'kim@shop.example' }));

    type Page = { transcripts: TranscriptRow[] };
    const flagged = await api<Page>(server, 'GET', '/api/agent/transcripts?hadMismatch=true', { cookie });
    const clean = await api<Page>(server, 'GET', '/api/agent/transcripts?hadMismatch=false', { cookie });
    if (!flagged.body.ok || !clean.body.ok) throw new Error('transcript list failed');
    expect(flagged.body.data.transcripts.map((t) => t.id)).toEqual([misquoted]);
    expect(clean.body.data.transcripts.map((t) => t.id)).toEqual([honest]);

    const detail = await api<TranscriptDetail>(server, 'GET', `/api/agent/transcripts/${misquoted}`, { cookie });
    if (!detail.body.ok) throw new Error(detail.body.error.message);
    const answer = detail.body.data.messages.find((m) => m.role === 'assistant');
    expect(answer?.trace?.mismatches.map((m) => m.kind)).toContain('wrong-price');
    expect(answer?.trace?.servedBy).toMatchObject({ hostName: 'default', url: double.url, isFallback: false });
  });
});
