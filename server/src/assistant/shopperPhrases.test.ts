import { describe, expect, it } from 'vitest';
import { readBudgetAndSize } from './shopperPhrases';

describe('budget and size phrases in the four shop languages', () => {
  it.each<[string, string, ReturnType<typeof readBudgetAndSize>]>([
    ['en', 'waterproof trail shoes under $120, size 44', { priceMax: 120, size: '44' }],
    ['en', 'a backpack between $50 and $80', { priceMin: 50, priceMax: 80 }],
    ['en', 'a grinder around $60', { priceMin: 48, priceMax: 72 }],
    ['en', 'a tent under 2 kg', {}],
    ['de', 'Wanderschuhe unter 120 Dollar, Größe 44', { priceMax: 120, size: '44' }],
    ['de', 'eine Jacke für höchstens 89,50 €', { priceMax: 89.5 }],
    ['de', 'Kopfhörer über 100 Euro', { priceMin: 100 }],
    ['de', 'ein Rucksack zwischen 50 und 80 Euro', { priceMin: 50, priceMax: 80 }],
    ['de', 'eine Kaffeemühle für etwa 60 €', { priceMin: 48, priceMax: 72 }],
    // "bis" alone is a size range, not a budget.
    ['de', 'Wanderschuhe Größe 42 bis 44', { size: '42' }],
    ['de', 'ein Zelt unter 2 kg', {}],
    ['de', 'Wunderbare 3 Zelte', {}],
    ['es', 'zapatillas de menos de 100 dólares', { priceMax: 100 }],
    ['es', 'zapatillas de trail por menos de 100 dólares, talla 42', { priceMax: 100, size: '42' }],
    ['es', 'auriculares de más de 50 euros', { priceMin: 50 }],
    ['es', 'una mochila entre 50 y 80 dólares', { priceMin: 50, priceMax: 80 }],
    ['zh-CN', '80美元以下的耳机', { priceMax: 80 }],
    ['zh-CN', '不超过150元的登山鞋，44码', { priceMax: 150, size: '44' }],
    ['zh-CN', '100美元以上的夹克', { priceMin: 100 }],
    ['zh-CN', '50到80美元之间的背包', { priceMin: 50, priceMax: 80 }],
  ])('%s: %s', (_language, text, expected) => {
    expect(readBudgetAndSize(text)).toEqual(expected);
  });
});
