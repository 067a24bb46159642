import type { TranscriptMessage } from '@aisle/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { GroundingTrace } from './GroundingTrace';

type Trace = NonNullable<TranscriptMessage['trace']>;

const trace: Trace = {
  model: 'qwen3:4b',
  configVersion: 'abc123',
  firstTokenMs: 120,
  totalMs: 900,
  promptTokens: 400,
  completionTokens: 60,
  doneReason: 'stop',
  mismatches: [],
  servedBy: null,
  toolCalls: [
    {
      name: 'get_policy',
      arguments: { topic: 'return policy' },
      origin: 'model',
      error: null,
      durationMs: 1,
      products: [],
      policy: { topic: 'returns', text: 'Unworn items can be returned within 30 days.' },
    },
  ],
};

const message: TranscriptMessage = {
  id: 'm1',
  conversationId: 'c1',
  role: 'assistant',
  content: 'You can return unworn items within 30 days.',
  status: 'complete',
  createdAt: '2026-11-27T08:00:00.000Z',
  products: [],
  error: null,
  authorName: null,
  isMasked: false,
  agentName: null,
  completedAt: null,
  trace,
  feedback: null,
};

describe('GroundingTrace', () => {
  it('names the policy an answer read, with its text, instead of an empty product list', () => {
    const html = renderToStaticMarkup(<GroundingTrace message={message} trace={trace} />);
    expect(html).toContain('Policy: returns');
    expect(html).toContain('Unworn items can be returned within 30 days.');
    expect(html).not.toContain('Returned no products');
  });

  it('names the topic asked for when the shop had no such policy', () => {
    const missing: Trace = {
      ...trace,
      toolCalls: [
        {
          ...trace.toolCalls[0]!,
          arguments: { topic: 'gift wrap' },
          policy: undefined,
          error: 'the shop has no policy on "gift wrap"',
        },
      ],
    };
    const html = renderToStaticMarkup(<GroundingTrace message={message} trace={missing} />);
    expect(html).toContain('Policy: gift wrap');
    expect(html).toContain('the shop has no policy on');
  });
});
