import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n/i18n';
import { queueText } from './queueText';

const english = createI18n('en').t;

describe('queueText in English', () => {
  it('uses English ordinal suffixes, teens included', () => {
    const cases: Array<[number, string]> = [
      [2, '2nd'],
      [3, '3rd'],
      [4, '4th'],
      [11, '11th'],
      [12, '12th'],
      [13, '13th'],
      [21, '21st'],
      [22, '22nd'],
      [23, '23rd'],
      [101, '101st'],
      [111, '111th'],
      [112, '112th'],
    ];
    expect(cases.map(([n]) => queueText(n, english))).toEqual(cases.map(([, place]) => `You're ${place} in line`));
  });

  it('says "next" for the first place', () => {
    expect(queueText(1, english)).toBe("You're next");
  });

  it('still says something when the place is not known', () => {
    expect(queueText(undefined, english)).toBe('Waiting in line…');
  });

  it('is English by default outside a browser', () => {
    expect(queueText(3)).toBe("You're 3rd in line");
  });
});

describe('queueText in other languages', () => {
  it('writes the place with each language’s own ordinal form', () => {
    expect(queueText(3, createI18n('de').t)).toBe('Du bist an 3. Stelle in der Warteschlange');
    expect(queueText(21, createI18n('de').t)).toBe('Du bist an 21. Stelle in der Warteschlange');
    expect(queueText(3, createI18n('es').t)).toBe('Eres el 3.º en la fila');
    expect(queueText(3, createI18n('zh-CN').t)).toBe('您排在第 3 位');
  });

  it('says "next" in the shopper’s language', () => {
    expect(queueText(1, createI18n('de').t)).toBe('Du bist als Nächstes dran');
    expect(queueText(1, createI18n('zh-CN').t)).toBe('下一个就是您');
  });
});
