import { formatMoney, neutraliseBidi, type TranscriptMessage } from '@aisle/shared';
import { memo, useCallback, useMemo, useState } from 'react';
import { Markdown } from '../../../components/Markdown';
import { revealMessage } from '../agentApi';
import { agentStore } from '../agentStore';
import { formatClock, formatDateTime } from '../format';
import { GroundingTrace } from './GroundingTrace';

const ROLE_NAMES: Record<TranscriptMessage['role'], string> = {
  user: 'Shopper',
  assistant: 'Assistant',
  agent: 'Agent',
  system: 'System',
};

interface TranscriptMessageItemProps {
  message: TranscriptMessage;
  /** True once this agent revealed the message's masked text. */
  isRevealed: boolean;
}

/** One message of a transcript with its time, author, trace (answers) and the shopper's feedback. */
export const TranscriptMessageItem = memo(function TranscriptMessageItem({ message, isRevealed }: TranscriptMessageItemProps) {
  const productIds = useMemo(() => message.products.map((p) => p.id), [message.products]);
  const author =
    message.role === 'agent' ? `Agent · ${message.agentName ?? message.authorName ?? 'unknown'}` : ROLE_NAMES[message.role];
  const headingId = `t-message-${message.id}`;

  const handleProductLink = useCallback(
    (productId: string) => document.getElementById(`t-product-${message.id}-${productId}`)?.focus(),
    [message.id],
  );

  return (
    <article className={`t-message t-${message.role} t-status-${message.status}`} aria-labelledby={headingId}>
      <header className="t-message-head">
        <h3 id={headingId} className="t-author">
          {author}
        </h3>
        <time dateTime={message.createdAt} title={formatDateTime(message.createdAt)}>
          {formatClock(message.createdAt)}
        </time>
        {message.status === 'streaming' && <span className="badge badge-live">Writing…</span>}
        {message.status === 'stopped' && <span className="badge">Stopped</span>}
        {message.status === 'error' && <span className="badge badge-error">Failed</span>}
        {message.hiddenBecause === 'regenerated' && <span className="badge">Earlier alternative (regenerated)</span>}
        {message.hiddenBecause === 'edited' && <span className="badge">Edited by shopper (hidden from them)</span>}
      </header>
      <div className="t-body">
        {message.role === 'user' || message.role === 'system' ? (
          <p className="t-text">{neutraliseBidi(message.content)}</p>
        ) : message.content === '' ? (
          <p className="agent-muted">{message.status === 'streaming' ? 'Waiting for the first words…' : '(no text)'}</p>
        ) : (
          <Markdown text={message.content} productIds={productIds} onProductLink={handleProductLink} />
        )}
        {message.isMasked && <RevealButton message={message} />}
        {isRevealed && (
          <p className="reveal-note" role="status">
            Revealed, access recorded.
          </p>
        )}
        {message.error !== null && message.status === 'error' && (
          <p className="t-error">
            {message.error.message} <code>{message.error.code}</code>
          </p>
        )}
      </div>
      {message.products.length > 0 && (
        <ul className="t-products" aria-label="Product cards shown">
          {message.products.map((product) => (
            <li key={product.id} id={`t-product-${message.id}-${product.id}`} tabIndex={-1}>
              <span className="t-product-title">{neutraliseBidi(product.title)}</span>{' '}
              <span className="agent-muted">
                {formatMoney(product.salePrice ?? product.price)} · <code>{product.id}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
      {message.feedback !== null && (
        <p className={`t-feedback is-${message.feedback.rating}`}>
          <span aria-hidden="true">{message.feedback.rating === 'up' ? '👍' : '👎'} </span>
          Shopper: {message.feedback.rating === 'up' ? 'thumbs up' : 'thumbs down'}
          {message.feedback.comment !== null && message.feedback.comment !== '' && (
            <q className="t-feedback-comment">{neutraliseBidi(message.feedback.comment)}</q>
          )}
        </p>
      )}
      {message.trace !== null && message.role === 'assistant' && <GroundingTrace message={message} trace={message.trace} />}
    </article>
  );
});

function RevealButton({ message }: { message: TranscriptMessage }) {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const handleReveal = async () => {
    setIsBusy(true);
    setError(null);
    const result = await revealMessage(message.id);
    setIsBusy(false);
    if (result.ok) agentStore.getState().messageRevealed(message.conversationId, message.id, result.data);
    else setError(result.error.message);
  };

  return (
    <p className="reveal">
      <span className="agent-muted">Personal details are masked.</span>{' '}
      <button type="button" className="button-secondary button-small" onClick={() => void handleReveal()} disabled={isBusy}>
        Reveal
      </button>
      {error !== null && (
        <span className="form-error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </p>
  );
}
