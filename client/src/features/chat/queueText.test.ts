import { describe, expect, it } from 'vitest';
import { ordinal, queueText } from './queueText';

describe('ordinal', () => {
  it('uses English ordinal suffixes, teens included', () => {
    const cases: Array<[number, string]> = [
      [1, '1st'],
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
    expect(cases.map(([n]) => ordinal(n))).toEqual(cases.map(([, text]) => text));
  });
});

describe('queueText', () => {
  it('says the place in line, and "next" for the first place', () => {
    expect(queueText(3)).toBe("You're 3rd in line");
    expect(queueText(2)).toBe("You're 2nd in line");
    expect(queueText(12)).toBe("You're 12th in line");
    expect(queueText(1)).toBe("You're next");
  });

  it('still says something when the place is not known', () => {
    expect(queueText(undefined)).toBe('Waiting in line…');
  });
});
