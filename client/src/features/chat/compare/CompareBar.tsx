import { MAX_COMPARED, MIN_COMPARED, neutraliseBidi } from '@aisle/shared';
import { useTranslation } from 'react-i18next';
import { compareStore, useCompareStore } from './compareStore';

/**
 * Shown while cards are ticked for comparison: what is ticked, "Compare (n)" (from 2 on) and "Clear".
 * A refused fifth tick is said here, in a live region, so a screen reader hears it too.
 */
export function CompareBar() {
  const { t } = useTranslation();
  const picks = useCompareStore((s) => s.picks);
  const isFullNotice = useCompareStore((s) => s.isFullNotice);
  const canCompare = picks.length >= MIN_COMPARED;
  return (
    <div className="compare-bar-region">
      <p className="compare-notice" role="status">
        {isFullNotice ? t('compare.tooMany', { max: MAX_COMPARED }) : ''}
      </p>
      {picks.length > 0 && (
        <section className="compare-bar" aria-label={t('compare.dialogTitle')}>
          <p className="compare-picks">
            {canCompare
              ? t('compare.chosen', { titles: picks.map((p) => neutraliseBidi(p.title)).join(', ') })
              : t('compare.needTwo')}
          </p>
          <button
            type="button"
            className="button-primary compare-open"
            disabled={!canCompare}
            onClick={() => compareStore.getState().openComparison(picks.map((p) => p.id))}
          >
            {t('compare.open', { count: picks.length })}
          </button>
          <button type="button" className="button-secondary" onClick={() => compareStore.getState().clear()}>
            {t('compare.clear')}
          </button>
        </section>
      )}
    </div>
  );
}
