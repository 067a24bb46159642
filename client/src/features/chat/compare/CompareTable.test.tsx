import type { Comparison } from '@aisle/shared';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CompareTable } from './CompareTable';

const usd = (amountMinor: number) => ({ type: 'money', money: { amountMinor, currency: 'USD' } }) as const;

const comparison: Comparison = {
  products: [
    { id: 'a', title: 'Ridgeback Trail Shoe', brand: 'Northpeak' },
    { id: 'b', title: 'Summit Pro \u202Eeohs', brand: null },
  ],
  rows: [
    { field: 'price', values: [usd(10999), usd(18900)], differs: true },
    { field: 'material', values: [{ type: 'text', text: 'Mesh' }, { type: 'none' }], differs: true },
    {
      field: 'availability',
      values: [
        { type: 'availability', availability: 'in_stock' },
        { type: 'availability', availability: 'in_stock' },
      ],
      differs: false,
    },
    {
      field: 'attribute',
      name: 'Width',
      values: [
        { type: 'text', text: 'Wide' },
        { type: 'text', text: 'Wide' },
      ],
      differs: false,
    },
  ],
};

describe('the comparison table', () => {
  const html = renderToStaticMarkup(<CompareTable comparison={comparison} />);

  it('is a real table: a caption naming the products, a column header per product, a row header per attribute', () => {
    expect(html).toContain('<caption>Comparison of Ridgeback Trail Shoe, Summit Pro eohs</caption>');
    expect(html.match(/<th scope="col">/g)).toHaveLength(2);
    expect(html.match(/<th scope="row">/g)).toHaveLength(4);
  });

  it('says "Differs" in words on the rows that differ, and only there', () => {
    const rows = html.split('<tr').slice(2);
    expect(rows.map((r) => r.includes('Differs'))).toEqual([true, true, false, false]);
    expect(rows[0]).toContain('class="is-different"');
    expect(rows[0]).toContain('$109.99');
    expect(rows[0]).toContain('$189.00');
  });

  it('names a missing value for screen readers, uses the feed’s own attribute names, and drops bidi overrides', () => {
    expect(html).toContain('<span class="sr-only">Not given</span>');
    expect(html).toContain('<th scope="row">Width</th>');
    expect(html).not.toContain('\u202E');
  });
});
