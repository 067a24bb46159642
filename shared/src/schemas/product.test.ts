import { describe, expect, it } from 'vitest';
import { formatMoney } from './product';

describe('formatMoney', () => {
  it('formats each currency and locale with its own formatter, also after another was used', () => {
    expect(formatMoney({ amountMinor: 11999, currency: 'USD' })).toBe('$119.99');
    expect(formatMoney({ amountMinor: 11999, currency: 'EUR' })).toBe('€119.99');
    expect(formatMoney({ amountMinor: 11999, currency: 'EUR' }, 'de-DE')).toBe('119,99\u00a0€');
    expect(formatMoney({ amountMinor: 500, currency: 'USD' })).toBe('$5.00');
    expect(formatMoney({ amountMinor: 11999, currency: 'JPY' }, 'en-US')).toBe('¥120');
  });
});
