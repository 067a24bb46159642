import { neutraliseBidi, type ChatMessage } from '@aisle/shared';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChatActions } from './chatActions';
import { useChatStore, type LiveStatus, type UiError } from './chatStore';
import { errorHint, errorText, isRetryableCode } from './errorCodes';
import { LogoMark } from '../../components/LogoMark';
import { AnswerFeedback } from './AnswerFeedback';
import { ConstraintChips } from './ConstraintChips';
import { Markdown } from '../../components/Markdown';
import { PhaseIndicator } from './PhaseIndicator';
import { ProductCard } from './ProductCard';
import { AnswerActions } from './AnswerActions';
import { UserMessage } from './UserMessage';
import { CompareTable } from './compare/CompareTable';
import { Suggestions } from './compare/Suggestions';

interface MessageItemProps {
  message: ChatMessage;
  /** The live phase, only for the answer being generated. */
  live: LiveStatus | null;
  /** Retry/Regenerate is offered on the last answer only, and only when nothing else is running. */
  canRetry: boolean;
  isRetrying: boolean;
  /** "Edit" is offered on the shopper's last message, while nothing is running (issue 11). */
  canEdit?: boolean;
}

/** One message of the conversation. Memoised: while streaming only the live answer re-renders. */
export const MessageItem = memo(function MessageItem({ message, live, canRetry, isRetrying, canEdit }: MessageItemProps) {
  const { t } = useTranslation();
  switch (message.role) {
    case 'user':
      return <UserMessage message={message} canEdit={canEdit ?? false} />;
    case 'assistant':
      return <AnswerMessage message={message} live={live} canRetry={canRetry} isRetrying={isRetrying} />;
    case 'agent':
      return (
        <article
          className="message message-agent"
          id={`message-${message.id}`}
          aria-label={t('message.from', { name: message.authorName ?? t('message.theShop') })}
        >
          <p className="message-author">{t('message.fromOurTeam', { name: message.authorName ?? t('message.shopAssistant') })}</p>
          <div className="bubble">
            <Markdown text={message.content} productIds={NO_IDS} onProductLink={ignoreProductLink} />
          </div>
        </article>
      );
    case 'system':
      return <p className="message-system">{neutraliseBidi(message.content)}</p>;
  }
});

const NO_IDS: readonly string[] = [];
const ignoreProductLink = () => {};

/** A message the shopper sent that the server has not confirmed yet. */
export function PendingMessage({ text }: { text: string }) {
  const { t } = useTranslation();
  return (
    <article className="message message-user is-pending" aria-label={t('message.yoursSending')} aria-busy="true">
      <div className="bubble">
        <p className="user-text">{text}</p>
      </div>
      <p className="pending-label">{t('message.sending')}</p>
    </article>
  );
}

function AnswerMessage({ message: latest, live, canRetry, isRetrying }: MessageItemProps) {
  const { t } = useTranslation();
  // Issue 11: earlier alternatives of a regenerated answer, paged through; the latest is shown first.
  const versions = useMemo(() => [...(latest.alternatives ?? []), latest], [latest]);
  // A choice made among fewer alternatives lapses when a new one arrives: the newest is shown.
  const [picked, setPicked] = useState<{ total: number; index: number } | null>(null);
  const shownIndex = picked !== null && picked.total === versions.length ? picked.index : versions.length - 1;
  const message = versions[shownIndex] ?? latest;
  const isLatestFinished = latest.status === 'complete' || latest.status === 'stopped';
  // While a person answers, the assistant does not: no Regenerate then.
  const isAssistantAnswering = useChatStore((s) => s.handoff.state === 'assistant');
  const actions = useChatActions();
  const articleRef = useRef<HTMLElement>(null);
  const [highlight, setHighlight] = useState<{ productId: string } | null>(null);
  const productIds = useMemo(() => message.products.map((p) => p.id), [message.products]);
  const isStreaming = message.status === 'streaming';
  const isFocusTarget = useChatStore((s) => s.focusAnswerId === message.id);
  const clearFocusAnswer = useChatStore((s) => s.clearFocusAnswer);

  // A retried answer takes the focus from the Retry button that went away with the old one; the
  // article is named "… answer" and busy while it streams, and its end is said by the live region.
  useEffect(() => {
    if (!isFocusTarget) return;
    articleRef.current?.focus({ preventScroll: true });
    clearFocusAnswer();
  }, [isFocusTarget, clearFocusAnswer]);

  const handleProductLink = useCallback((productId: string) => {
    setHighlight({ productId });
    const card = articleRef.current?.querySelector<HTMLElement>(`[data-product-id="${CSS.escape(productId)}"]`);
    if (card === null || card === undefined) return;
    const isReduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    card.scrollIntoView({ behavior: isReduced ? 'auto' : 'smooth', block: 'nearest', inline: 'nearest' });
    card.focus({ preventScroll: true });
  }, []);

  useEffect(() => {
    if (highlight === null) return;
    const timer = setTimeout(() => setHighlight(null), 2400);
    return () => clearTimeout(timer);
  }, [highlight]);

  const phase: LiveStatus | null =
    live ?? (isStreaming && message.content === '' ? { messageId: message.id, phase: 'waiting' } : null);
  const isPhaseShown =
    isStreaming && phase !== null && (message.content === '' || (phase.phase !== 'writing' && phase.phase !== 'waiting'));
  const error =
    message.status === 'error' ? (message.error ?? { code: 'generation-failed', message: t('message.unknownFailure') }) : null;
  // aria-disabled, not disabled, while the request is out: a disabled button drops the keyboard focus
  // to the page, and if the retry is refused the shopper would have to find their place again.
  const handleRetry = () => {
    if (!isRetrying) actions.retry(latest.id);
  };
  // Copy and Helpful belong to an answer that has words; the pager to any answer with alternatives.
  const isShownFeedback = (message.status === 'complete' || message.status === 'stopped') && message.content !== '';
  const hasActions = isLatestFinished || versions.length > 1;

  return (
    <article
      ref={articleRef}
      id={`message-${latest.id}`}
      className={`message message-assistant status-${message.status}`}
      aria-label={t('message.answer')}
      aria-busy={isStreaming}
      tabIndex={-1}
    >
      <LogoMark className="avatar" />
      <div className="message-main">
        {message.content !== '' && (
          <div className={isStreaming ? 'answer is-streaming' : 'answer'}>
            <Markdown text={message.content} productIds={productIds} onProductLink={handleProductLink} />
          </div>
        )}
        {isPhaseShown && phase !== null && (
          <PhaseIndicator
            phase={phase.phase}
            {...(phase.detail === undefined ? {} : { detail: phase.detail })}
            {...(phase.position === undefined ? {} : { position: phase.position })}
          />
        )}
        {message.corrections !== undefined && message.corrections.length > 0 && (
          <div className="answer-corrections" role="note" aria-label={t('message.corrections')}>
            {message.corrections.map((text) => (
              <p key={text}>{text}</p>
            ))}
          </div>
        )}
        {message.status === 'stopped' && <p className="stopped-marker">{t('message.stopped')}</p>}
        {error !== null && <AnswerError error={error} />}
        {canRetry && error !== null && isRetryableCode(error.code) && (
          <div className="message-actions">
            <button type="button" className="button-secondary" onClick={handleRetry} aria-disabled={isRetrying}>
              {isRetrying ? t('message.retrying') : t('message.retry')}
            </button>
          </div>
        )}
        {/* Under an answer, in reading order: what it found (cards, comparison), what it searched
            with (chips, editable), what the shopper can do with this answer (one row: pager, Copy,
            Regenerate, Helpful), then where to go next (suggestions, which send a new message). */}
        {message.products.length > 0 && (
          <section className="product-grid" aria-label={t('landmarks.recommendedProducts')}>
            {message.products.map((product) => (
              <ProductCard
                key={product.id}
                product={product}
                isHighlighted={highlight?.productId === product.id}
                onFollow={(kind) => actions.recordCardClick?.(message.id, product.id, kind)}
              />
            ))}
          </section>
        )}
        {message.comparison !== undefined && (
          <section className="answer-comparison" aria-label={t('compare.dialogTitle')}>
            <CompareTable comparison={message.comparison} />
          </section>
        )}
        {message.constraints !== undefined && message.status !== 'streaming' && message.status !== 'error' && (
          <ConstraintChips message={{ ...message, constraints: message.constraints }} />
        )}
        {(isShownFeedback || hasActions) && (
          <div className="answer-toolbar">
            {hasActions && (
              <AnswerActions
                text={message.content}
                canCopy={isShownFeedback}
                position={shownIndex + 1}
                total={versions.length}
                onPage={(step) =>
                  setPicked({ total: versions.length, index: Math.max(0, Math.min(versions.length - 1, shownIndex + step)) })
                }
                canRegenerate={canRetry && isLatestFinished && isAssistantAnswering}
                isRegenerating={isRetrying}
                onRegenerate={handleRetry}
              />
            )}
            {isShownFeedback && <AnswerFeedback message={message} />}
          </div>
        )}
        <Suggestions message={message} />
      </div>
    </article>
  );
}

/** Besides Retry: a person when one is online, else the email form (in the header). */
function WayForward() {
  const { t } = useTranslation();
  const actions = useChatActions();
  const agentsOnline = useChatStore((s) => s.agentsOnline);
  const canAsk = useChatStore((s) => s.handoff.state === 'assistant');
  if (!canAsk) return null;
  return agentsOnline ? (
    <p className="error-way-forward">
      <button type="button" className="button-link" onClick={() => actions.requestHuman()}>
        {t('message.talkToPerson')}
      </button>
    </p>
  ) : (
    <p className="error-way-forward">{t('message.leaveEmailHint')}</p>
  );
}

function AnswerError({ error }: { error: UiError }) {
  const { t } = useTranslation();
  const hint = errorHint(error);
  return (
    <div className="answer-error">
      <p className="error-message">
        <span className="error-icon" aria-hidden="true">
          !
        </span>
        {errorText(error)}
      </p>
      {hint !== undefined && <p className="error-hint">{hint}</p>}
      {error.developer !== undefined && error.developer !== '' && (
        <p className="error-developer">
          <strong>{t('message.forDeveloper')}</strong> {error.developer}
        </p>
      )}
      <WayForward />
    </div>
  );
}
