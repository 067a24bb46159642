import { describe, expect, it } from 'vitest';
import { localeSourcesOf, matchLocale, resolveLocale, type LocaleSources, type Locale } from './locale';

describe('resolveLocale', () => {
  const table: Array<[string, LocaleSources, Locale]> = [
    ['nothing known', {}, 'en'],
    ['German browser', { browserLanguages: ['de-DE', 'en'] }, 'de'],
    ['first supported browser language wins', { browserLanguages: ['fr-FR', 'es-MX', 'de'] }, 'es'],
    ['unsupported browser languages only', { browserLanguages: ['fr', 'ja'] }, 'en'],
    ['shop locale over browser', { shopLocale: 'de-CH', browserLanguages: ['es'] }, 'de'],
    ['?lang= over shop locale and browser', { lang: 'es', shopLocale: 'de', browserLanguages: ['zh-CN'] }, 'es'],
    ['unsupported ?lang= falls through', { lang: 'xx', shopLocale: 'de' }, 'de'],
    ['empty ?lang= falls through', { lang: '', browserLanguages: ['es-ES'] }, 'es'],
    ['zh is Simplified Chinese', { lang: 'zh' }, 'zh-CN'],
    ['zh-Hans is Simplified Chinese', { browserLanguages: ['zh-Hans'] }, 'zh-CN'],
    ['zh-Hans-CN is Simplified Chinese', { browserLanguages: ['zh-Hans-CN'] }, 'zh-CN'],
    ['zh_CN with an underscore', { shopLocale: 'zh_CN' }, 'zh-CN'],
    ['zh-TW is not shown Simplified', { browserLanguages: ['zh-TW', 'de'] }, 'de'],
    ['zh-Hant is not shown Simplified', { browserLanguages: ['zh-Hant'] }, 'en'],
    ['case does not matter', { lang: 'DE' }, 'de'],
  ];
  it.each(table)('%s', (_name, sources, expected) => {
    expect(resolveLocale(sources)).toBe(expected);
  });
});

describe('matchLocale', () => {
  it('returns null for nothing', () => {
    expect(matchLocale(null)).toBeNull();
    expect(matchLocale(undefined)).toBeNull();
    expect(matchLocale('pt-BR')).toBeNull();
  });
});

describe('localeSourcesOf', () => {
  it('reads ?lang= and the widget’s ?locale= (data-aisle-locale) from the query', () => {
    expect(resolveLocale(localeSourcesOf('?lang=de&locale=es', ['zh-CN']))).toBe('de');
    expect(resolveLocale(localeSourcesOf('?shop=x&locale=es', ['zh-CN']))).toBe('es');
    expect(resolveLocale(localeSourcesOf('', ['zh-CN']))).toBe('zh-CN');
    expect(resolveLocale(localeSourcesOf('', undefined))).toBe('en');
  });
});
