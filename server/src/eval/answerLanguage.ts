import type { ShopperLocale } from '@aisle/shared';
import { franc } from 'franc-min';
import { WRONG_LANGUAGE_PREFIX } from './scoring';

/**
 * Which of the shop's languages an answer is written in, for the non-English eval scenarios. franc
 * (trigram profiles, ISO 639-3) is limited to the four languages the shopper UI ships, so it only
 * has to tell them apart; product links and ids are removed first, since product names stay in the
 * catalogue's language whatever language the answer is in.
 */

const BY_FRANC_CODE: Record<string, ShopperLocale> = { eng: 'en', deu: 'de', spa: 'es', cmn: 'zh-CN' };
const ONLY = Object.keys(BY_FRANC_CODE);

const LANGUAGE_NAMES: Record<ShopperLocale, string> = { en: 'English', de: 'German', es: 'Spanish', 'zh-CN': 'Chinese' };

/** Fewer letters than this say too little to judge (franc needs some text; a one-line answer is ambiguous). */
const MIN_LETTERS = 24;

/** The answer's words without Markdown product links, bare ids, prices and list markers. */
function proseOf(answer: string): string {
  return answer
    .replace(/\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\b[A-Z]{2,}-\d+[\w-]*\b/g, ' ')
    .replace(/[$€£¥]\s?\d[\d.,]*|\d[\d.,]*\s?(?:[$€£¥]|USD|EUR)/g, ' ')
    .replace(/^\s*[-*\d.]+\s+/gm, ' ');
}

/** The language an answer is written in, or null when there is too little prose to tell. */
export function answerLanguage(answer: string): ShopperLocale | null {
  const prose = proseOf(answer);
  const letters = prose.match(/\p{L}/gu)?.length ?? 0;
  const han = prose.match(/\p{Script=Han}/gu)?.length ?? 0;
  // Chinese has no spaces and few letters per word: a handful of Han characters already tells.
  if (han >= 8 && han / Math.max(1, letters) > 0.3) return 'zh-CN';
  if (letters < MIN_LETTERS) return null;
  return BY_FRANC_CODE[franc(prose, { only: ONLY, minLength: 10 })] ?? null;
}

/** The failure to report when an answer is not in the scenario's language (null: it is, or cannot be told). */
export function languageFailure(answer: string, expected: ShopperLocale): string | null {
  const found = answerLanguage(answer);
  if (found === null || found === expected) return null;
  return `${WRONG_LANGUAGE_PREFIX}${LANGUAGE_NAMES[found]}, not in ${LANGUAGE_NAMES[expected]}`;
}
