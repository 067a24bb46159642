import { formatMoney, neutraliseBidi, type ChatMessage, type Money, type Suggestion } from '@aisle/shared';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../../i18n/i18n';
import { useChatActions } from '../chatActions';
import { selectIsBusy, useChatStore } from '../chatStore';
import { compareStore } from './compareStore';

/** A price bucket as said in a suggestion: "$180", not "$180.00", when the amount is whole. */
function formatBucket(money: Money): string {
  if (money.amountMinor % 100 !== 0) return formatMoney(money, uiFormatLocale);
  return new Intl.NumberFormat(uiFormatLocale, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: 0,
    maximumFractionDigits: 0,
  }).format(money.amountMinor / 100);
}

/** A suggestion in the shopper's language: the button's label and the message it sends. */
export function suggestionText(suggestion: Suggestion, t: TFunction): { label: string; message: string } {
  switch (suggestion.kind) {
    case 'price-under': {
      const price = formatBucket(suggestion.amount);
      return { label: t('compare.priceUnder', { price }), message: t('compare.priceUnderAsk', { price }) };
    }
    case 'feature':
      return { label: t(`compare.feature_${suggestion.feature}`), message: t(`compare.featureAsk_${suggestion.feature}`) };
    case 'brand': {
      const brand = neutraliseBidi(suggestion.brand);
      return { label: t('compare.brandOnly', { brand }), message: t('compare.brandOnlyAsk', { brand }) };
    }
    case 'size': {
      const size = neutraliseBidi(suggestion.size);
      return { label: t('compare.inSize', { size }), message: t('compare.inSizeAsk', { size }) };
    }
    case 'compare':
      return { label: t('compare.compareThese'), message: t('compare.compareThese') };
  }
}

/**
 * The next steps under the latest answer. Clicking one sends its words as the shopper's message;
 * "Compare these" opens the comparison of the answer's cards instead.
 */
export function Suggestions({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const isBusy = useChatStore(selectIsBusy);
  const isLatest = useChatStore((s) => s.messages.at(-1)?.id === message.id);
  const suggestions = message.suggestions ?? [];
  if (!isLatest || suggestions.length === 0 || message.status === 'streaming') return null;
  return (
    <ul className="suggestion-list" aria-label={t('compare.suggestions')}>
      {suggestions.map((suggestion) => {
        const { label, message: text } = suggestionText(suggestion, t);
        const handleClick = () =>
          suggestion.kind === 'compare' ? compareStore.getState().openComparison(suggestion.productIds) : actions.send(text);
        return (
          <li key={`${suggestion.kind}:${label}`}>
            <button
              type="button"
              className="prompt-button suggestion-button"
              data-kind={suggestion.kind}
              disabled={isBusy && suggestion.kind !== 'compare'}
              onClick={handleClick}
            >
              {label}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
