import type { HistoryEntry, HistoryPage, Result } from '@aisle/shared';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../i18n/i18n';
import { useChatActions } from './chatActions';
import { useChatStore, type UiError } from './chatStore';
import './history.css';
import { COMPOSER_INPUT_ID } from './Composer';
import { errorText } from './errorCodes';
import { deleteConversation, listHistory } from './historyApi';

/** "5 Nov, 14:03" in the page's language: enough to tell conversations apart. */
function formatWhen(iso: string): string {
  return new Intl.DateTimeFormat(uiFormatLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/**
 * The header's "History" button and the dialog it opens: this browser's conversations, newest first,
 * to reopen (the next message goes to it) or delete (after a confirmation). A modal `<dialog>`: the
 * page behind it is inert, Escape closes it, and focus goes back to the button.
 */
export function HistoryButton() {
  const { t } = useTranslation();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const [isOpen, setIsOpen] = useState(false);
  const titleId = useId();
  /** Where focus goes once the dialog has closed: back to this button, or to the composer after a reopen. */
  const returnToComposer = useRef(false);

  const handleOpen = () => {
    returnToComposer.current = false;
    setIsOpen(true);
    dialogRef.current?.showModal();
  };
  const handleClosed = () => {
    setIsOpen(false);
    // The shopper reopened a conversation to continue it: they carry on by typing.
    if (returnToComposer.current) document.getElementById(COMPOSER_INPUT_ID)?.focus();
    else buttonRef.current?.focus();
  };
  const close = useCallback(() => dialogRef.current?.close(), []);
  const closeToComposer = useCallback(() => {
    returnToComposer.current = true;
    dialogRef.current?.close();
  }, []);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="button-secondary history-button"
        aria-haspopup="dialog"
        aria-expanded={isOpen}
        onClick={handleOpen}
      >
        {t('history.open')}
      </button>
      <dialog ref={dialogRef} className="history-dialog" aria-labelledby={titleId} onClose={handleClosed}>
        <div className="history-head">
          <h2 id={titleId}>{t('history.title')}</h2>
          <button type="button" className="button-secondary history-close" aria-label={t('history.close')} onClick={close}>
            ×
          </button>
        </div>
        <p className="history-intro">{t('history.intro')}</p>
        {isOpen && <HistoryList onReopened={closeToComposer} />}
      </dialog>
    </>
  );
}

/** The list itself, loaded each time the dialog opens (another tab may have changed it). */
function HistoryList({ onReopened }: { onReopened: () => void }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const currentId = useChatStore((s) => s.conversationId);
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const listRef = useRef<HTMLUListElement>(null);

  const apply = useCallback((result: Result<HistoryPage>, isMore: boolean) => {
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setEntries((current) => [...(isMore ? (current ?? []) : []), ...result.data.conversations]);
    setNextCursor(result.data.nextCursor);
  }, []);

  useEffect(() => {
    let isCurrent = true;
    void listHistory().then((result) => {
      if (isCurrent) apply(result, false);
    });
    return () => {
      isCurrent = false;
    };
  }, [apply]);

  const loadMore = async (before: string) => apply(await listHistory(before), true);

  const handleReopen = (id: string) => {
    actions.openConversation(id);
    onReopened();
  };

  const handleCancel = (id: string) => {
    setConfirmingId(null);
    requestAnimationFrame(() =>
      listRef.current?.querySelector<HTMLButtonElement>(`[data-entry-id="${CSS.escape(id)}"] .history-delete`)?.focus(),
    );
  };

  const handleDelete = async (entry: HistoryEntry, index: number) => {
    const result = await deleteConversation(entry.id);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    actions.forgetConversation(entry.id);
    setConfirmingId(null);
    setEntries((current) => (current ?? []).filter((e) => e.id !== entry.id));
    setStatus(t('history.deleted'));
    // Focus moves to the entry that took its place (or the one before), else to the dialog's title area.
    requestAnimationFrame(() => {
      const buttons = listRef.current?.querySelectorAll<HTMLButtonElement>('.history-open');
      const next = buttons?.[Math.min(index, buttons.length - 1)];
      if (next) next.focus();
      else listRef.current?.closest('dialog')?.querySelector<HTMLButtonElement>('.history-close')?.focus();
    });
  };

  return (
    <div className="history-body">
      <p className="sr-only" role="status">
        {status}
      </p>
      {error !== null && (
        <p className="history-error" role="alert">
          {errorText(error)}
        </p>
      )}
      {entries === null && error === null && <p className="history-loading">{t('history.loading')}</p>}
      {entries !== null && entries.length === 0 && <p className="history-empty">{t('history.empty')}</p>}
      {entries !== null && entries.length > 0 && (
        <ul className="history-list" ref={listRef}>
          {entries.map((entry, index) => (
            <li key={entry.id} className="history-entry" data-entry-id={entry.id}>
              {confirmingId === entry.id ? (
                <ConfirmDelete
                  title={entry.title}
                  onConfirm={() => void handleDelete(entry, index)}
                  onCancel={() => handleCancel(entry.id)}
                />
              ) : (
                <>
                  <button
                    type="button"
                    className="history-open"
                    aria-current={entry.id === currentId ? 'true' : undefined}
                    onClick={() => handleReopen(entry.id)}
                  >
                    <span className="history-title">{entry.title}</span>
                    <span className="history-meta">
                      {entry.id === currentId && <span className="history-current">{t('history.current')} · </span>}
                      {t('history.lastActive', { when: formatWhen(entry.updatedAt) })} ·{' '}
                      {t('history.messageCount', { count: entry.messageCount })}
                    </span>
                  </button>
                  <button
                    type="button"
                    className="button-secondary history-delete"
                    aria-label={t('history.deleteLabel', { title: entry.title })}
                    onClick={() => setConfirmingId(entry.id)}
                  >
                    {t('history.delete')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {nextCursor !== null && (
        <button type="button" className="button-secondary history-more" onClick={() => void loadMore(nextCursor)}>
          {t('history.loadMore')}
        </button>
      )}
    </div>
  );
}

/** "Delete … from your history?" in place of the entry; Cancel has focus first, as the safe choice. */
function ConfirmDelete({ title, onConfirm, onCancel }: { title: string; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  return (
    <div className="history-confirm" role="group" aria-label={t('history.confirmDelete', { title })}>
      <p>{t('history.confirmDelete', { title })}</p>
      <button type="button" className="button-danger history-confirm-delete" onClick={onConfirm}>
        {t('history.confirm')}
      </button>
      <button
        ref={cancelRef}
        type="button"
        className="button-secondary"
        onClick={onCancel}
        onKeyDown={(event) => {
          // Escape here cancels the confirmation rather than closing the whole dialog.
          if (event.key === 'Escape') {
            event.preventDefault();
            onCancel();
          }
        }}
      >
        {t('history.cancel')}
      </button>
    </div>
  );
}
