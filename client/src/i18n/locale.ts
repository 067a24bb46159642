import { SHOPPER_LOCALES, type ShopperLocale } from '@aisle/shared';

/** The languages the shopper UI ships, as BCP 47 tags (the value of `<html lang>`); the server validates the same list. */
export const SUPPORTED_LOCALES = SHOPPER_LOCALES;

export type Locale = ShopperLocale;

export const DEFAULT_LOCALE: Locale = 'en';

/**
 * The region used to format numbers, money and dates per UI language: English keeps `en-US`, which is
 * what prices read like before the UI was translated (and what the e2e tests expect).
 */
const FORMAT_LOCALES: Record<Locale, string> = { en: 'en-US', de: 'de-DE', es: 'es-ES', 'zh-CN': 'zh-CN' };

/** The `Intl` locale for prices, counts and dates shown in this UI language. */
export function formatLocale(locale: Locale): string {
  return FORMAT_LOCALES[locale];
}

/**
 * The supported language a tag asks for, or null: `de-AT` → `de`, `zh`/`zh-Hans`/`zh-SG` → `zh-CN`.
 * Traditional Chinese (`zh-Hant`, `zh-TW`, `zh-HK`) is not shipped, so it is not matched to Simplified.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (tag === null || tag === undefined) return null;
  const parts = tag.trim().replace(/_/g, '-').toLowerCase().split('-');
  const language = parts[0] ?? '';
  if (language === 'zh') {
    const rest = parts.slice(1);
    const isTraditional = rest.includes('hant') || rest.includes('tw') || rest.includes('hk') || rest.includes('mo');
    return isTraditional ? null : 'zh-CN';
  }
  return SUPPORTED_LOCALES.find((locale) => locale === language) ?? null;
}

/** Where the page's language may come from, most specific first. */
export interface LocaleSources {
  /** `?lang=` on the page's URL: an explicit choice (a link, a test, a shop's language switch). */
  lang?: string | null;
  /** The shop's `data-aisle-locale`, which the widget passes to `/embed` as `?locale=`. */
  shopLocale?: string | null;
  /** The browser's preferred languages (`navigator.languages`), best first. */
  browserLanguages?: readonly string[];
}

/** Picks the UI language: `?lang=` > the shop's `data-aisle-locale` > the browser's languages > English. */
export function resolveLocale({ lang, shopLocale, browserLanguages = [] }: LocaleSources): Locale {
  for (const candidate of [lang, shopLocale, ...browserLanguages]) {
    const match = matchLocale(candidate);
    if (match !== null) return match;
  }
  return DEFAULT_LOCALE;
}

/** Reads the locale sources from a page's URL query and navigator. */
export function localeSourcesOf(search: string, languages: readonly string[] | undefined): LocaleSources {
  const params = new URLSearchParams(search);
  return { lang: params.get('lang'), shopLocale: params.get('locale'), browserLanguages: languages ?? [] };
}
