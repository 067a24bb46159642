import type { TFunction } from 'i18next';
import { t as uiT } from '../../i18n/i18n';

/**
 * What a shopper reads while their answer waits for the model: their place in line, or that they are
 * next. The place uses the language's ordinal rules (i18next picks `_ordinal_one/two/few/other` with
 * `Intl.PluralRules`): "3rd" in English, "3." in German, "3.º" in Spanish, "第 3" in Chinese.
 */
export function queueText(position: number | undefined, t: TFunction = uiT): string {
  if (position === undefined) return t('queue.unknown');
  return position <= 1 ? t('queue.next') : t('queue.position', { count: position, ordinal: true });
}
