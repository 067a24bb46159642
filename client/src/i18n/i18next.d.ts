import type { en } from './resources/en';

// Keys passed to `t` are checked against the English strings: a typo is a type error, not a raw key on screen.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}
