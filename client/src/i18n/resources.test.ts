import { ERROR_CODES } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import { createI18n, RESOURCES } from './i18n';
import { SUPPORTED_LOCALES } from './locale';

const PLURAL_SUFFIX = /_(ordinal_)?(zero|one|two|few|many|other)$/;

/** Every key as `section.key`, plural forms reduced to their base key. */
function baseKeys(strings: Record<string, Record<string, string>>): string[] {
  const keys = Object.entries(strings).flatMap(([section, entries]) =>
    Object.keys(entries).map((key) => `${section}.${key.replace(PLURAL_SUFFIX, '')}`),
  );
  return [...new Set(keys)].sort();
}

/** The plural forms a language has for a base key, e.g. `queue.position` → `ordinal_one`, `ordinal_other`. */
function pluralForms(strings: Record<string, Record<string, string>>, base: string, isOrdinal: boolean): string[] {
  const [section = '', key = ''] = base.split('.');
  const prefix = isOrdinal ? `${key}_ordinal_` : `${key}_`;
  return Object.keys(strings[section] ?? {})
    .filter((k) => k.startsWith(prefix) && (isOrdinal || !k.startsWith(`${key}_ordinal_`)))
    .map((k) => k.slice(prefix.length))
    .sort();
}

describe('translations', () => {
  const english = baseKeys(RESOURCES.en);

  it.each(SUPPORTED_LOCALES)('%s has every string English has, and no others', (locale) => {
    expect(baseKeys(RESOURCES[locale])).toEqual(english);
  });

  it.each(SUPPORTED_LOCALES)('%s has exactly the plural forms its language uses', (locale) => {
    const strings = RESOURCES[locale];
    const intlLocale = locale;
    const cardinal = [...new Intl.PluralRules(intlLocale).resolvedOptions().pluralCategories].sort();
    const ordinal = [...new Intl.PluralRules(intlLocale, { type: 'ordinal' }).resolvedOptions().pluralCategories].sort();
    expect(pluralForms(strings, 'queue.position', true)).toEqual(ordinal);
    expect(pluralForms(strings, 'announce.products', false)).toEqual(cardinal);
    expect(pluralForms(strings, 'card.reviews', false)).toEqual(cardinal);
  });

  it.each(SUPPORTED_LOCALES)('%s has no empty strings', (locale) => {
    const empty = Object.entries(RESOURCES[locale]).flatMap(([section, entries]) =>
      Object.entries(entries as Record<string, string>)
        .filter(([, text]) => text.trim() === '')
        .map(([key]) => `${section}.${key}`),
    );
    expect(empty).toEqual([]);
  });

  it('has a shopper sentence for every error code', () => {
    expect(Object.keys(RESOURCES.en.errors).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('shows German to a German page, not the key or English', () => {
    const { t } = createI18n('de');
    expect(t('composer.placeholder')).toBe('Wonach suchst du?');
    expect(t('composer.send')).toBe('Senden');
    expect(t('announce.products', { count: 2 })).toBe('2 Produkte angezeigt.');
  });
});
