import type { TranscriptMessage } from '@aisle/shared';
import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { useAgentActions } from '../agentActions';
import { agentStore, useAgentStore } from '../agentStore';
import { formatClock, formatDateTime, plural } from '../format';
import { StatusBadge } from '../StatusBadge';
import { TakeoverPanel } from './TakeoverPanel';
import { TranscriptMessageItem } from './TranscriptMessageItem';
import { TranscriptSidePanel } from './TranscriptSidePanel';

function listSearchOf(state: unknown): string {
  if (typeof state !== 'object' || state === null || !('listSearch' in state)) return '';
  return typeof state.listSearch === 'string' ? state.listSearch : '';
}

/** `/agent/transcripts/:id`: one conversation, live, with its traces, notes, labels and take-over. */
export function TranscriptDetailPage() {
  const { id = '' } = useParams();
  const location = useLocation();
  const backTo = `/agent${listSearchOf(location.state)}`;
  const actions = useAgentActions();
  const watched = useAgentStore((s) => (s.watched?.conversationId === id ? s.watched : null));
  const detail = watched?.detail ?? null;
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Watching is store state: the live connection joins and leaves the conversation's room.
  useEffect(() => {
    agentStore.getState().beginWatch(id);
    return () => agentStore.getState().endWatch(id);
  }, [id]);

  const hasDetail = detail !== null;
  useEffect(() => {
    if (hasDetail) headingRef.current?.focus();
  }, [hasDetail]);

  return (
    <div className="agent-page transcript-page">
      <title>Transcript · Aisle agent console</title>
      <p className="back-link">
        <Link to={backTo}>
          <span aria-hidden="true">← </span>All transcripts
        </Link>
      </p>
      {watched?.error != null && (
        <div className="agent-error" role="alert">
          <p>{watched.error.message}</p>
          <button type="button" className="button-secondary" onClick={() => actions.rewatch()}>
            Try again
          </button>
        </div>
      )}
      {detail === null ? (
        watched?.error == null && (
          <p className="agent-muted" role="status">
            Loading the transcript…
          </p>
        )
      ) : (
        <>
          <header className="transcript-head">
            <h1 ref={headingRef} tabIndex={-1}>
              Conversation from {formatDateTime(detail.createdAt)}
            </h1>
            <div className="transcript-facts">
              <StatusBadge status={detail.status} />
              {detail.flagged && <span className="badge badge-flag">Flagged</span>}
              {detail.hiddenByShopperAt != null && (
                <span className="badge" title={`Deleted on ${formatDateTime(detail.hiddenByShopperAt)}; retention still applies`}>
                  Deleted by shopper
                </span>
              )}
              <span>{plural(detail.messages.length, 'message')}</span>
              <span>
                Model <code>{detail.model}</code>
              </span>
              <span>
                Last activity <time dateTime={detail.lastActivity}>{formatDateTime(detail.lastActivity)}</time>
              </span>
            </div>
          </header>
          <div className="transcript-layout">
            <div className="transcript-main">
              <TakeoverPanel detail={detail} />
              <section className="t-messages" aria-label="Conversation">
                {/* Each message's author is an h3: this keeps the outline from skipping a level. */}
                <h2 className="sr-only">Conversation</h2>
                {detail.messages.length === 0 ? (
                  <p className="agent-muted">No messages yet.</p>
                ) : (
                  detail.messages.map((message) => (
                    <TranscriptMessageItem
                      key={message.id}
                      message={message}
                      isRevealed={watched?.revealed[message.id] !== undefined}
                    />
                  ))
                )}
              </section>
            </div>
            <TranscriptSidePanel detail={detail} />
          </div>
          <NewMessageAnnouncer messages={detail.messages} />
        </>
      )}
    </div>
  );
}

const AUTHORS: Record<TranscriptMessage['role'], string> = {
  user: 'Shopper',
  assistant: 'Assistant',
  agent: 'Agent',
  system: 'System',
};

/**
 * Announces messages committed while the page is open (not the history, not every streamed word). It
 * names the author only: repeating the text would read it twice.
 */
function NewMessageAnnouncer({ messages }: { messages: readonly TranscriptMessage[] }) {
  const [openedAt] = useState(() => new Date().toISOString());
  const last = messages.findLast((m) => m.status !== 'streaming');
  const isNew = last !== undefined && last.createdAt > openedAt;
  return (
    <p className="sr-only" role="status">
      {isNew
        ? `New message from ${last.role === 'agent' ? (last.agentName ?? 'an agent') : AUTHORS[last.role]} at ${formatClock(last.createdAt)}.`
        : ''}
    </p>
  );
}
