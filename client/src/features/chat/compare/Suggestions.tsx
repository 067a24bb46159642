import {
  formatMoney,
  neutraliseBidi,
  type ChatMessage,
  type Money,
  type ShopperConstraints,
  type Suggestion,
} from '@aisle/shared';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../../i18n/i18n';
import { useChatActions } from '../chatActions';
import { selectIsBusy, useChatStore, type UiError } from '../chatStore';
import { errorText } from '../errorCodes';
import { compareStore } from './compareStore';
import { constraintsAfter, isComparingShownCards } from './suggestionEdits';

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
 * The next steps under the latest answer. A suggestion that is a constraint ("Under $100", "Only
 * Northpeak", "In size 44", "Waterproof only") edits the answer's chips directly through the same
 * `chat:refine` the chips use: the cards change at once, without a model call. "Compare these" opens
 * the comparison of the answer's cards. Without chips to edit (an answer stored before constraints,
 * or no live connection) a suggestion sends its words as the shopper's message.
 */
export function Suggestions({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const isBusy = useChatStore(selectIsBusy);
  const isLatest = useChatStore((s) => s.messages.at(-1)?.id === message.id);
  const [applied, setApplied] = useState<readonly string[]>([]);
  const [isApplying, setApplying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cardIds = message.products.map((p) => p.id);
  const suggestions = (message.suggestions ?? []).filter((s) => isComparingShownCards(s, cardIds));
  if (!isLatest || message.status === 'streaming' || (suggestions.length === 0 && error === null)) return null;

  async function applyToChips(key: string, next: ShopperConstraints) {
    if (actions.refine === undefined) return;
    setApplying(true);
    setError(null);
    const failed: UiError | null = await actions.refine(message.id, next);
    setApplying(false);
    if (failed !== null) setError(errorText(failed));
    else setApplied((keys) => [...keys, key]);
  }

  return (
    <>
      <ul className="suggestion-list" aria-label={t('compare.suggestions')} aria-busy={isApplying}>
        {suggestions.map((suggestion) => {
          const { label, message: text } = suggestionText(suggestion, t);
          const key = `${suggestion.kind}:${label}`;
          if (applied.includes(key)) return null;
          const edited =
            message.constraints !== undefined && actions.refine !== undefined
              ? constraintsAfter(suggestion, message.constraints)
              : null;
          const handleClick = () => {
            if (suggestion.kind === 'compare') compareStore.getState().openComparison(suggestion.productIds);
            else if (edited !== null) void applyToChips(key, edited);
            else actions.send(text);
          };
          return (
            <li key={key}>
              <button
                type="button"
                className="prompt-button suggestion-button"
                data-kind={suggestion.kind}
                disabled={(isBusy || isApplying) && suggestion.kind !== 'compare'}
                onClick={handleClick}
              >
                {label}
              </button>
            </li>
          );
        })}
      </ul>
      {error !== null && (
        <p className="chip-status" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
