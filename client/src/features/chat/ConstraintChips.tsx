import { formatMoney, hasNoConstraints, type ChatMessage, type ShopperConstraints } from '@aisle/shared';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../i18n/i18n';
import { useChatActions } from './chatActions';
import type { UiError } from './chatStore';
import { errorText } from './errorCodes';

interface Chip {
  key: string;
  label: string;
  /** The constraints without this chip. */
  without: ShopperConstraints;
}

function money(amount: number, currency: string): string {
  try {
    return formatMoney({ amountMinor: Math.round(amount * 100), currency }, uiFormatLocale);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** A typed price field: empty means no limit; anything else must be a number of zero or more. */
function readPrice(value: string): number | undefined | null {
  const text = value.trim().replace(',', '.');
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** The keys of the chips {@link ConstraintChips} shows, one a line (a string, so effects can compare it). */
function chipKeysOf(c: ShopperConstraints): string {
  const keys: string[] = [];
  if (c.category !== undefined) keys.push('category');
  if (c.priceMin !== undefined || c.priceMax !== undefined) keys.push('price');
  if (c.size !== undefined) keys.push('size');
  if (c.colour !== undefined) keys.push('colour');
  if (c.brand !== undefined) keys.push('brand');
  if (c.inStockOnly === true) keys.push('inStockOnly');
  for (const feature of c.features) keys.push(`feature-${feature}`);
  return keys.join('\n');
}

/**
 * The constraints an answer used, as chips under it: each can be removed, and the price edited. A
 * change is sent to the server, which searches the catalogue again and replaces the answer's cards;
 * the next answer starts from the edited constraints.
 */
export function ConstraintChips({ message }: { message: ChatMessage & { constraints: ShopperConstraints } }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const c = message.constraints;
  const [isSaving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [isEditingPrice, setEditingPrice] = useState(false);
  const formId = useId();
  const sectionRef = useRef<HTMLElement>(null);
  // A removed chip takes its focused × with it (and the buttons are disabled while the search runs):
  // once the chips are back, focus goes to the × now in its place, or to the chips, never the page.
  const refocus = useRef<{ key: string; index: number } | null>(null);
  const chipKeys = chipKeysOf(c);
  useEffect(() => {
    const pending = refocus.current;
    if (pending === null || isSaving) return;
    // The answer with the chip removed may arrive just after the acknowledgement.
    if (error === null && chipKeys.split('\n').includes(pending.key)) return;
    refocus.current = null;
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    const removes = [...(sectionRef.current?.querySelectorAll<HTMLElement>('.chip-remove') ?? [])];
    (removes[Math.min(pending.index, removes.length - 1)] ?? sectionRef.current)?.focus();
  }, [isSaving, chipKeys, error]);
  if (hasNoConstraints(c) || actions.refine === undefined) return null;
  const currency = c.currency ?? message.products[0]?.price.currency ?? 'USD';

  const omit = (key: keyof ShopperConstraints): ShopperConstraints => {
    const next = { ...c, features: [...c.features] };
    delete next[key];
    return next;
  };
  const chips: Chip[] = [];
  if (c.category !== undefined) chips.push({ key: 'category', label: c.category, without: omit('category') });
  if (c.priceMin !== undefined || c.priceMax !== undefined) {
    const { priceMin: _min, priceMax: _max, ...rest } = c;
    const label =
      c.priceMin !== undefined && c.priceMax !== undefined
        ? t('constraints.priceRange', { min: money(c.priceMin, currency), max: money(c.priceMax, currency) })
        : c.priceMax !== undefined
          ? t('constraints.priceUpTo', { max: money(c.priceMax, currency) })
          : t('constraints.priceFrom', { min: money(c.priceMin ?? 0, currency) });
    chips.push({ key: 'price', label, without: rest });
  }
  if (c.size !== undefined) chips.push({ key: 'size', label: t('constraints.size', { size: c.size }), without: omit('size') });
  if (c.colour !== undefined) chips.push({ key: 'colour', label: c.colour, without: omit('colour') });
  if (c.brand !== undefined) chips.push({ key: 'brand', label: c.brand, without: omit('brand') });
  if (c.inStockOnly === true)
    chips.push({ key: 'inStockOnly', label: t('constraints.inStockOnly'), without: omit('inStockOnly') });
  for (const feature of c.features)
    chips.push({
      key: `feature-${feature}`,
      label: feature,
      without: { ...c, features: c.features.filter((f) => f !== feature) },
    });

  async function apply(next: ShopperConstraints): Promise<boolean> {
    if (actions.refine === undefined) return false;
    setSaving(true);
    setError(null);
    const failed: UiError | null = await actions.refine(message.id, next);
    setSaving(false);
    if (failed !== null) setError(errorText(failed));
    return failed === null;
  }

  async function handlePriceSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const min = readPrice(String(data.get('priceMin') ?? ''));
    const max = readPrice(String(data.get('priceMax') ?? ''));
    if (min === null || max === null) return setError(t('constraints.badPrice'));
    if (min !== undefined && max !== undefined && min > max) return setError(t('constraints.badRange'));
    const { priceMin: _min, priceMax: _max, ...rest } = c;
    const next: ShopperConstraints = {
      ...rest,
      ...(min === undefined ? {} : { priceMin: min }),
      ...(max === undefined ? {} : { priceMax: max }),
    };
    if (await apply(next)) setEditingPrice(false);
  }

  return (
    <section ref={sectionRef} className="constraint-chips" aria-label={t('constraints.label')} aria-busy={isSaving} tabIndex={-1}>
      <ul className="chip-list">
        {chips.map((chip, index) => (
          <li key={chip.key} className="chip" data-constraint={chip.key}>
            <span className="chip-label">{chip.label}</span>
            {chip.key === 'price' && (
              <button
                type="button"
                className="chip-button"
                aria-expanded={isEditingPrice}
                aria-controls={formId}
                onClick={() => setEditingPrice((open) => !open)}
                disabled={isSaving}
              >
                {t('constraints.editPrice')}
              </button>
            )}
            <button
              type="button"
              className="chip-button chip-remove"
              aria-label={t('constraints.remove', { label: chip.label })}
              onClick={() => {
                refocus.current = { key: chip.key, index };
                void apply(chip.without);
              }}
              disabled={isSaving}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
        {c.priceMin === undefined && c.priceMax === undefined && (
          <li className="chip chip-add">
            <button
              type="button"
              className="chip-button"
              aria-expanded={isEditingPrice}
              aria-controls={formId}
              onClick={() => setEditingPrice((open) => !open)}
              disabled={isSaving}
            >
              {t('constraints.addPrice')}
            </button>
          </li>
        )}
      </ul>
      {isEditingPrice && (
        <form id={formId} className="price-form" onSubmit={(e) => void handlePriceSubmit(e)}>
          <label>
            {t('constraints.lowest')}
            <input name="priceMin" type="number" inputMode="decimal" min="0" step="any" defaultValue={c.priceMin ?? ''} />
          </label>
          <label>
            {t('constraints.highest')}
            <input name="priceMax" type="number" inputMode="decimal" min="0" step="any" defaultValue={c.priceMax ?? ''} />
          </label>
          <button type="submit" className="button-secondary" disabled={isSaving}>
            {t('constraints.apply')}
          </button>
          <button type="button" className="button-link" onClick={() => setEditingPrice(false)}>
            {t('constraints.cancel')}
          </button>
        </form>
      )}
      <p className="chip-status" role="status">
        {isSaving ? t('constraints.updating') : (error ?? '')}
      </p>
    </section>
  );
}
