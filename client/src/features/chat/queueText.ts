// Intl knows English ordinal categories (1st, 2nd, 3rd, 11th, 12th, 13th, 21st...), so no hand-made table of exceptions.
const ordinalRules = new Intl.PluralRules('en-US', { type: 'ordinal' });
const SUFFIXES: Record<Intl.LDMLPluralRule, string> = { zero: 'th', one: 'st', two: 'nd', few: 'rd', many: 'th', other: 'th' };

/** "1st", "2nd", "3rd", "4th", "11th", "22nd"… */
export function ordinal(n: number): string {
  return `${n}${SUFFIXES[ordinalRules.select(n)]}`;
}

/** What a shopper reads while their answer waits for the model: their place in line, or that they are next. */
export function queueText(position: number | undefined): string {
  if (position === undefined) return 'Waiting in line…';
  return position <= 1 ? "You're next" : `You're ${ordinal(position)} in line`;
}
