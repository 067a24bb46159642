import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LOCALE, formatLocale, localeSourcesOf, resolveLocale, SUPPORTED_LOCALES, type Locale } from './locale';
import { de } from './resources/de';
import { en } from './resources/en';
import { es } from './resources/es';
import { zhCN } from './resources/zhCN';

/** Every language's strings, bundled into the app: no request for a translation file before the first paint. */
export const RESOURCES = { en, de, es, 'zh-CN': zhCN } as const satisfies Record<Locale, unknown>;

/**
 * Makes an initialised i18next instance for one language (tests make their own). Only the app's
 * instance is handed to react-i18next, so a test's German instance never changes what components show.
 */
export function createI18n(locale: Locale, isForReact = false): I18n {
  const instance = i18next.createInstance();
  if (isForReact) instance.use(initReactI18next);
  void instance.init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...SUPPORTED_LOCALES],
    // `zh-CN` must stay `zh-CN`, not be cut to `zh` (which has no resources).
    load: 'currentOnly',
    resources: Object.fromEntries(Object.entries(RESOURCES).map(([lng, strings]) => [lng, { translation: strings }])),
    // Resources are in memory: initialise synchronously so the first render is already translated.
    initAsync: false,
    // React escapes text itself; escaping here too would show "&amp;" in names with "&".
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

function pageLocale(): Locale {
  // Unit tests run without a browser: they read English.
  if (typeof window === 'undefined' || typeof window.location?.search !== 'string') return DEFAULT_LOCALE;
  return resolveLocale(localeSourcesOf(window.location.search, typeof navigator === 'undefined' ? [] : navigator.languages));
}

/** The shopper UI's language for this page load. */
export const uiLocale: Locale = pageLocale();

/** The `Intl` locale for money, counts and dates on this page. */
export const uiFormatLocale: string = formatLocale(uiLocale);

/** The app's i18next instance; `useTranslation()` in components reads it. */
export const i18n: I18n = createI18n(uiLocale, true);

/** Translates outside React (the store's live announcements); components use `useTranslation()`. */
export const t: I18n['t'] = i18n.t.bind(i18n);
