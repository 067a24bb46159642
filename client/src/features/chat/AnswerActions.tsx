import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import './history.css';

/**
 * Puts text on the clipboard: the Clipboard API where the page may use it, else a hidden text area
 * and the browser's copy command (older browsers, pages that are not a secure context).
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    try {
      // The one way left when the Clipboard API is missing or refused; deprecated but still supported.
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}

/**
 * Set by Regenerate: the answer it replaces (and its buttons) leaves the page, so the new answer's
 * "Previous answer" takes focus when it appears, next to what the shopper just pressed.
 */
let isFocusOwedToNewAnswer = false;

interface AnswerActionsProps {
  /** The answer shown, as Markdown: what Copy puts on the clipboard. */
  text: string;
  canCopy: boolean;
  /** 1-based place of the answer shown among the alternatives, and how many there are. */
  position: number;
  total: number;
  onPage: (step: -1 | 1) => void;
  canRegenerate: boolean;
  isRegenerating: boolean;
  onRegenerate: () => void;
}

/**
 * Under an answer (issue 11): page through its alternatives ("2 / 2", Previous/Next answer), copy it,
 * and regenerate it. The paging buttons stay focusable at either end (`aria-disabled`), so focus is not
 * lost when the shopper reaches the first or the last alternative.
 */
export function AnswerActions(props: AnswerActionsProps) {
  const { t } = useTranslation();
  const { position, total, onPage } = props;
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const previousRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!isFocusOwedToNewAnswer || previousRef.current === null) return;
    isFocusOwedToNewAnswer = false;
    // Only if focus was lost with the old answer: never take it from where the shopper moved it.
    if (document.activeElement === null || document.activeElement === document.body) previousRef.current.focus();
  }, [total]);

  useEffect(() => {
    if (copyState !== 'copied') return;
    const timer = setTimeout(() => setCopyState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [copyState]);

  const handleCopy = async () => {
    setCopyState((await copyText(props.text)) ? 'copied' : 'failed');
  };
  const isFirst = position <= 1;
  const isLast = position >= total;

  return (
    <div className="message-actions answer-actions">
      {total > 1 && (
        <div className="answer-pager" role="group" aria-label={t('history.answerPosition', { index: position, total })}>
          <button
            ref={previousRef}
            type="button"
            className="button-secondary"
            aria-label={t('history.previousAnswer')}
            aria-disabled={isFirst}
            onClick={() => !isFirst && onPage(-1)}
          >
            ‹
          </button>
          <span className="answer-position">{`${position} / ${total}`}</span>
          <button
            type="button"
            className="button-secondary"
            aria-label={t('history.nextAnswer')}
            aria-disabled={isLast}
            onClick={() => !isLast && onPage(1)}
          >
            ›
          </button>
        </div>
      )}
      {props.canCopy && (
        <button
          type="button"
          className="button-secondary answer-copy"
          aria-label={t('history.copyLabel')}
          onClick={() => void handleCopy()}
        >
          {copyState === 'copied' ? t('history.copied') : t('history.copy')}
        </button>
      )}
      {props.canRegenerate && (
        <button
          type="button"
          className="button-secondary"
          onClick={() => {
            isFocusOwedToNewAnswer = true;
            props.onRegenerate();
          }}
          disabled={props.isRegenerating}
        >
          {props.isRegenerating ? t('message.regenerating') : t('message.regenerate')}
        </button>
      )}
      <span className="sr-only" role="status">
        {copyState === 'copied' ? t('history.copied') : copyState === 'failed' ? t('history.copyFailed') : ''}
      </span>
      {copyState === 'failed' && <span className="user-edit-error">{t('history.copyFailed')}</span>}
    </div>
  );
}
