import { neutraliseBidi } from '@aisle/shared';
import { useTranslation } from 'react-i18next';
import { compareStore, useCompareStore } from './compareStore';

/** The "Compare" checkbox on a card; its accessible name is "Compare <product name>". */
export function CompareToggle({ productId, title }: { productId: string; title: string }) {
  const { t } = useTranslation();
  const isPicked = useCompareStore((s) => s.picks.some((p) => p.id === productId));
  const name = neutraliseBidi(title);
  return (
    <label className="compare-toggle">
      <input
        type="checkbox"
        checked={isPicked}
        aria-label={t('compare.toggleName', { title: name })}
        onChange={() => compareStore.getState().toggle({ id: productId, title: name })}
      />
      <span aria-hidden="true">{t('compare.toggle')}</span>
    </label>
  );
}
