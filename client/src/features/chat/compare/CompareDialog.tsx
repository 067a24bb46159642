import type { Comparison } from '@aisle/shared';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getComparison } from './compareApi';
import { useCompareStore, compareStore } from './compareStore';
import { CompareTable } from './CompareTable';

type Loaded = { state: 'loading' } | { state: 'ready'; comparison: Comparison } | { state: 'failed'; message: string };

const LOADING: Loaded = { state: 'loading' };

/**
 * The comparison in a modal `<dialog>`: the browser keeps focus inside it and closes it on Escape;
 * focus moves to its heading on open and back to whatever opened it on close.
 */
export function CompareDialog() {
  const { t } = useTranslation();
  const openIds = useCompareStore((s) => s.openIds);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const openerRef = useRef<HTMLElement | null>(null);
  const headingId = useId();
  const key = openIds?.join(',') ?? null;
  // The reply of the comparison asked for last; another key's reply means this one is still loading.
  const [reply, setReply] = useState<{ key: string; loaded: Loaded } | null>(null);
  const loaded = reply !== null && reply.key === key ? reply.loaded : LOADING;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog === null) return;
    if (key === null) {
      if (dialog.open) dialog.close();
      return;
    }
    openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    headingRef.current?.focus();
    let isCurrent = true;
    void getComparison(key.split(',')).then((result) => {
      if (!isCurrent) return;
      // The server's refusals name the product in plain words ("… is no longer available"); others are generic.
      const isOwnWords = !result.ok && (result.error.code === 'not-found' || result.error.code === 'bad-request');
      setReply({
        key,
        loaded: result.ok
          ? { state: 'ready', comparison: result.data }
          : { state: 'failed', message: isOwnWords ? result.error.message : t('compare.failed') },
      });
    });
    return () => {
      isCurrent = false;
    };
  }, [key, t]);

  const handleClose = () => {
    compareStore.getState().close();
    openerRef.current?.focus();
    openerRef.current = null;
  };

  return (
    <dialog ref={dialogRef} className="compare-dialog" aria-labelledby={headingId} onClose={handleClose}>
      <div className="compare-dialog-header">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          {t('compare.dialogTitle')}
        </h2>
        <button type="button" className="button-secondary" onClick={() => dialogRef.current?.close()}>
          {t('compare.close')}
        </button>
      </div>
      {key !== null && loaded.state === 'loading' && (
        <p className="compare-status" role="status">
          {t('compare.loading')}
        </p>
      )}
      {loaded.state === 'failed' && (
        <p className="compare-error" role="alert">
          {loaded.message}
        </p>
      )}
      {loaded.state === 'ready' && <CompareTable comparison={loaded.comparison} />}
    </dialog>
  );
}
