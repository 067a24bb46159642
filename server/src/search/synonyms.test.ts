import { describe, expect, it } from 'vitest';
import { BUILT_IN_SYNONYMS, createSynonymTable, synonymKey } from './synonyms';

describe('synonymKey', () => {
  it('compares words whatever their case, hyphens and plural', () => {
    expect(synonymKey('T-Shirts')).toBe(synonymKey('t shirt'));
    expect(synonymKey('Running Shoes')).toBe(synonymKey('running shoe'));
    expect(synonymKey('dress')).toBe('dress');
  });
});

describe('createSynonymTable', () => {
  const table = createSynonymTable(BUILT_IN_SYNONYMS);

  it('knows common shopping words in British and American English, and a few German and Spanish ones', () => {
    expect(table.groupOf('rucksack')).toContain('backpack');
    expect(table.groupOf('Trainers')).toContain('sneakers');
    expect(table.groupOf('pants')).toContain('trousers');
    expect(table.groupOf('jumper')).toContain('sweater');
    expect(table.groupOf('couch')).toContain('sofa');
    expect(table.groupOf('Jacke')).toContain('jacket');
    expect(table.groupOf('zapatillas')).toContain('sneakers');
    expect(table.groupOf('shoes')).toBeNull();
  });

  it('holds every word or phrase in one group only', () => {
    const seen = new Map<string, number>();
    BUILT_IN_SYNONYMS.forEach((group, i) =>
      group.forEach((phrase) => {
        expect([undefined, i], `${phrase} is in two groups`).toContain(seen.get(synonymKey(phrase)));
        seen.set(synonymKey(phrase), i);
      }),
    );
    expect(BUILT_IN_SYNONYMS.length).toBeGreaterThanOrEqual(40);
  });

  it('reads a multi-word phrase as one unit and leaves other words alone', () => {
    const units = table.units(['trail', 'running', 'shoes', 'waterproof']);
    expect(units.map((u) => u.words.join(' '))).toEqual(['trail', 'running shoes', 'waterproof']);
    expect(units[1]?.alternatives).toContain('trainers');
    expect(units[0]?.alternatives).toBeNull();
  });

  it("joins a shop's group with the built-in group it shares a word with", () => {
    const shop = createSynonymTable([...BUILT_IN_SYNONYMS, ['backpack', 'bergen']]);
    expect(shop.groupOf('bergen')).toEqual(expect.arrayContaining(['rucksack', 'backpack', 'daypack']));
    expect(shop.groupOf('rucksack')).toContain('bergen');
    expect(shop.words()).toContain('bergen');
  });
});
