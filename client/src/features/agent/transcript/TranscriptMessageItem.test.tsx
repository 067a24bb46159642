import type { TranscriptMessage } from '@aisle/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TranscriptMessageItem } from './TranscriptMessageItem';

const base: TranscriptMessage = {
  id: 'm1',
  conversationId: 'c1',
  role: 'user',
  content: 'Is invoice\u202Egnp.exe safe?',
  status: 'complete',
  createdAt: '2026-11-27T08:00:00.000Z',
  products: [],
  error: null,
  authorName: null,
  isMasked: false,
  agentName: null,
  completedAt: null,
  trace: null,
  feedback: { rating: 'down', comment: 'see \u202Egnp.exe' },
};

describe('TranscriptMessageItem', () => {
  it('shows the transcript without bidirectional overrides, so agents read what was stored', () => {
    const shopper = renderToStaticMarkup(<TranscriptMessageItem message={base} isRevealed={false} />);
    const answer = renderToStaticMarkup(
      <TranscriptMessageItem message={{ ...base, role: 'assistant', content: 'Open invoice\u202Egnp.exe' }} isRevealed={false} />,
    );
    for (const html of [shopper, answer]) {
      expect(html).toContain('invoicegnp.exe');
      expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    }
  });
});
