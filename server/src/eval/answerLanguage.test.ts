import { describe, expect, it } from 'vitest';
import { answerLanguage, languageFailure } from './answerLanguage';

describe('the language of an answer', () => {
  it('tells the four shop languages apart, ignoring product links, ids and prices', () => {
    expect(
      answerLanguage(
        'Hier sind zwei wasserdichte Schuhe, die gut zu deinem Budget passen:\n- [Ridgeback Trail Shoe](product:TRL-1001) für $109.99',
      ),
    ).toBe('de');
    expect(
      answerLanguage(
        'Estas son dos zapatillas impermeables que encajan con tu presupuesto:\n- [Ridgeback Trail Shoe](product:TRL-1001)',
      ),
    ).toBe('es');
    expect(answerLanguage('这两双防水越野跑鞋都在你的预算之内：\n- [Ridgeback Trail Shoe](product:TRL-1001) $109.99')).toBe(
      'zh-CN',
    );
    expect(
      answerLanguage('Here are two waterproof shoes that fit your budget:\n- [Ridgeback Trail Shoe](product:TRL-1001)'),
    ).toBe('en');
  });

  it('does not judge an answer that is only product names', () => {
    expect(
      answerLanguage('- [Ridgeback Waterproof Trail Shoe](product:TRL-1001)\n- [Stormline Rain Jacket](product:JKT-300)'),
    ).toBeNull();
  });

  it('names the wrong language as a failure, and passes the right one', () => {
    expect(languageFailure('Here are two waterproof shoes that fit your budget nicely.', 'de')).toBe(
      'answered in English, not in German',
    );
    expect(languageFailure('Hier sind zwei wasserdichte Schuhe, die gut zu deinem Budget passen.', 'de')).toBeNull();
  });
});
