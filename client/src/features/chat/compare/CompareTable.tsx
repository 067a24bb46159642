import { formatMoney, neutraliseBidi, type Comparison, type ComparisonRow, type ComparisonValue } from '@aisle/shared';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../../i18n/i18n';

const AVAILABILITY_LABELS = {
  in_stock: 'card.inStock',
  out_of_stock: 'card.outOfStock',
  preorder: 'card.preorder',
  backorder: 'card.backorder',
} as const;

/**
 * Products side by side as a real table: a caption, a column header per product and a row header per
 * attribute. Rows where the products differ are highlighted and say "Differs" in words, so the mark
 * does not rest on colour alone. Every value comes from the server's comparison (the database).
 */
export function CompareTable({ comparison, headingId }: { comparison: Comparison; headingId?: string }) {
  const { t } = useTranslation();
  const titles = comparison.products.map((p) => neutraliseBidi(p.title));
  return (
    <div className="compare-scroll">
      <table className="compare-table">
        <caption id={headingId}>{t('compare.caption', { titles: titles.join(', ') })}</caption>
        <thead>
          <tr>
            <td className="compare-corner">
              <span className="sr-only">{t('compare.attribute')}</span>
            </td>
            {comparison.products.map((product, i) => (
              <th key={product.id} scope="col">
                {product.brand !== null && <span className="compare-brand">{neutraliseBidi(product.brand)}</span>}
                {titles[i]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {comparison.rows.map((row) => (
            <tr
              key={row.field === 'attribute' ? `attribute:${row.name ?? ''}` : row.field}
              className={row.differs ? 'is-different' : undefined}
            >
              <th scope="row">
                <RowLabel row={row} />
                {row.differs && <span className="compare-differs">{t('compare.differs')}</span>}
              </th>
              {row.values.map((value, i) => (
                <td key={comparison.products[i]?.id ?? i}>
                  <Value value={value} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RowLabel({ row }: { row: ComparisonRow }) {
  const { t } = useTranslation();
  if (row.field === 'attribute') return <>{neutraliseBidi(row.name ?? '')}</>;
  return <>{t(`compare.field_${row.field}`)}</>;
}

function Value({ value }: { value: ComparisonValue }) {
  const { t } = useTranslation();
  switch (value.type) {
    case 'money':
      return <>{formatMoney(value.money, uiFormatLocale)}</>;
    case 'rating':
      return (
        <>{t('compare.ratingValue', { rating: value.rating.toLocaleString(uiFormatLocale, { maximumFractionDigits: 1 }) })}</>
      );
    case 'count':
      return <>{value.count.toLocaleString(uiFormatLocale)}</>;
    case 'availability':
      return <>{t(AVAILABILITY_LABELS[value.availability])}</>;
    case 'text':
      return <>{neutraliseBidi(value.text)}</>;
    case 'list':
      return <>{value.items.map(neutraliseBidi).join(', ')}</>;
    case 'none':
      return (
        <>
          <span aria-hidden="true">—</span>
          <span className="sr-only">{t('compare.notGiven')}</span>
        </>
      );
  }
}
