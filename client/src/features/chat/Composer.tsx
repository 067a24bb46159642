import { MAX_MESSAGE_CHARS } from '@aisle/shared';
import { useLayoutEffect, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../i18n/i18n';
import { useChatActions } from './chatActions';
import { selectCanSend, selectIsBusy, useChatStore } from './chatStore';
import { errorHint, errorText, isRetryableCode } from './errorCodes';

/** The counter appears once a message uses this share of the cap. */
const WARN_AT = Math.floor(MAX_MESSAGE_CHARS * 0.9);
const MAX_HEIGHT_PX = 220;

/** The textarea's id, so other parts of the page (New chat) can put the caret back in it. */
export const COMPOSER_INPUT_ID = 'composer-input';

const formatCount = (n: number) => n.toLocaleString(uiFormatLocale);

/**
 * Where the shopper writes. Enter sends, Shift+Enter adds a line, nothing is sent while an IME
 * composition is open. Text over the cap is refused here, before it reaches the server.
 */
export function Composer() {
  const { t } = useTranslation();
  const actions = useChatActions();
  const draft = useChatStore((s) => s.draft);
  const setDraft = useChatStore((s) => s.setDraft);
  const composerError = useChatStore((s) => s.composerError);
  const setComposerError = useChatStore((s) => s.setComposerError);
  const isGenerating = useChatStore((s) => s.live !== null);
  const isStopping = useChatStore((s) => s.isStopping);
  const isBusy = useChatStore(selectIsBusy);
  const canSend = useChatStore(selectCanSend);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  const length = draft.length;
  const overBy = length - MAX_MESSAGE_CHARS;
  const isNearCap = length >= WARN_AT;

  // Grow with the text up to a limit (CSSOM writes are allowed by the page's CSP).
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (input === null) return;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [draft]);

  const submit = () => {
    if (canSend) actions.send(draft);
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit();
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey) return;
    // keyCode 229 is what Safari reports for the Enter that confirms an IME composition.
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    submit();
  };

  // The Stop button goes away with the answer: the caret goes where the shopper writes next.
  const handleStop = () => {
    actions.stop();
    inputRef.current?.focus();
  };

  const hint = composerError === null ? undefined : errorHint(composerError);
  const describedBy = ['composer-help', isNearCap ? 'composer-counter' : '', composerError !== null ? 'composer-error' : '']
    .filter((id) => id !== '')
    .join(' ');

  return (
    <form className="composer" onSubmit={handleSubmit} aria-label={t('composer.formLabel')}>
      <div className="composer-inner">
        {composerError !== null && (
          <div className="composer-error" id="composer-error" role="alert">
            <p>
              {errorText(composerError)}
              {hint !== undefined && <span className="composer-error-hint"> {hint}</span>}
            </p>
            <div className="composer-error-actions">
              {/* A refused send gave its text back to the box, so Retry sends it again. */}
              {isRetryableCode(composerError.code) && canSend && (
                <button type="button" className="button-secondary" onClick={submit}>
                  {t('composer.retry')}
                </button>
              )}
              <button
                type="button"
                className="icon-button"
                onClick={() => setComposerError(null)}
                aria-label={t('composer.dismissError')}
              >
                <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                  <path d="M5 5l10 10M15 5L5 15" />
                </svg>
              </button>
            </div>
          </div>
        )}
        <div className={`composer-box${overBy > 0 ? ' is-over' : ''}`}>
          <label htmlFor={COMPOSER_INPUT_ID} className="sr-only">
            {t('composer.inputLabel')}
          </label>
          <textarea
            ref={inputRef}
            id={COMPOSER_INPUT_ID}
            className="composer-input"
            rows={1}
            value={draft}
            placeholder={t('composer.placeholder')}
            aria-describedby={describedBy}
            aria-invalid={overBy > 0}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={handleKeyDown}
            autoComplete="off"
            enterKeyHint="send"
          />
          <div className="composer-buttons">
            {isGenerating && (
              <button
                type="button"
                className="stop-button"
                onClick={handleStop}
                disabled={isStopping}
                aria-label={t('composer.stopLabel')}
              >
                <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                  <rect x="5" y="5" width="10" height="10" rx="2" />
                </svg>
                <span aria-hidden="true">{t('composer.stop')}</span>
              </button>
            )}
            <button type="submit" className="send-button" disabled={!canSend} aria-label={t('composer.send')}>
              <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                <path d="M10 16V4M4.5 9.5 10 4l5.5 5.5" />
              </svg>
            </button>
          </div>
        </div>
        <div className="composer-meta">
          <p id="composer-help" className="composer-help">
            {isBusy ? t('composer.busy') : t('composer.help')}
          </p>
          {isNearCap && (
            <p id="composer-counter" className={`composer-counter${overBy > 0 ? ' is-over' : ' is-near'}`}>
              {overBy > 0 ? (
                <span role="alert">{t('composer.over', { over: formatCount(overBy), max: formatCount(MAX_MESSAGE_CHARS) })}</span>
              ) : (
                t('composer.count', { length: formatCount(length), max: formatCount(MAX_MESSAGE_CHARS) })
              )}
            </p>
          )}
        </div>
      </div>
    </form>
  );
}
