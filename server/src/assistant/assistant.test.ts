import { describe, expect, it, vi } from 'vitest';
import { productMatchQuery as toFtsQuery } from '../db/fts';
import { prefetchArguments } from './answerRunner';
import { DeltaCoalescer } from './deltaCoalescer';
import { linkedProductIds, mentionedByTitle } from './references';
import { extractPrefetchFilters } from './tools';

describe('reading the shopper', () => {
  it('reads a budget and a size from plain words', () => {
    expect(extractPrefetchFilters('waterproof trail shoes under $120, size 44')).toEqual({ maxPrice: 120, size: '44' });
    expect(extractPrefetchFilters('a tent below 89.50 euros')).toEqual({ maxPrice: 89.5 });
    expect(extractPrefetchFilters('headphones over 100 and size m')).toEqual({ minPrice: 100, size: 'M' });
    expect(extractPrefetchFilters('a quiet coffee grinder')).toEqual({});
  });

  it('reads budgets and sizes in German, Spanish and Chinese too', () => {
    expect(extractPrefetchFilters('Wasserdichte Trailrunning-Schuhe unter 120 Dollar, Größe 44')).toEqual({
      maxPrice: 120,
      size: '44',
    });
    expect(extractPrefetchFilters('eine Jacke für höchstens 89,50 €')).toEqual({ maxPrice: 89.5 });
    expect(extractPrefetchFilters('Kopfhörer über 100 Euro')).toEqual({ minPrice: 100 });
    expect(extractPrefetchFilters('zapatillas de trail por menos de 100 dólares, talla 42')).toEqual({
      maxPrice: 100,
      size: '42',
    });
    expect(extractPrefetchFilters('auriculares de más de 50 euros')).toEqual({ minPrice: 50 });
    expect(extractPrefetchFilters('我需要一个80美元以下的背包')).toEqual({ maxPrice: 80 });
    expect(extractPrefetchFilters('不超过150元的登山鞋，44码')).toEqual({ maxPrice: 150, size: '44' });
    // A size range is not a budget; words that merely contain a budget word are not one.
    expect(extractPrefetchFilters('Wanderschuhe Größe 42 bis 44')).toEqual({ size: '42' });
    expect(extractPrefetchFilters('Wunderbare 3 Zelte')).toEqual({});
  });

  it('keeps the subject and budget of the previous message for a short follow-up', () => {
    expect(prefetchArguments('do you have those in size 44?', ['waterproof trail shoes under $120'])).toEqual({
      query: 'waterproof trail shoes under $120 do you have those in size 44?',
      max_price: 120,
      size: '44',
    });
    expect(prefetchArguments('what about in blue?', ['a rain jacket under 150'])).toMatchObject({ max_price: 150 });
    // The same in German, Spanish and Chinese.
    expect(prefetchArguments('Gibt es die auch günstiger?', ['Regenjacke unter 150 €'])).toEqual({
      query: 'Regenjacke unter 150 € Gibt es die auch günstiger?',
      max_price: 150,
    });
    expect(prefetchArguments('¿y alguna más barata?', ['luces para la bici por menos de 40 dólares'])).toMatchObject({
      max_price: 40,
    });
    expect(prefetchArguments('有便宜一点的吗？', ['80美元以下的背包'])).toMatchObject({
      query: '80美元以下的背包 有便宜一点的吗？',
      max_price: 80,
    });
    expect(prefetchArguments('Ich suche ein Zelt für zwei', ['Regenjacke unter 150 €'])).toEqual({
      query: 'Ich suche ein Zelt für zwei',
    });
    // A new request is searched on its own words.
    expect(prefetchArguments('now a two person tent', ['shoes under $50'])).toEqual({ query: 'now a two person tent' });
  });

  it('never passes FTS5 operators from the shopper through to the index', () => {
    const q = toFtsQuery('shoes" OR NEAR(* -title:', 'and');
    expect(q).not.toBeNull();
    expect(q).not.toMatch(/NEAR\(|\*\s*-|title:/);
    expect(toFtsQuery('under $120 size 44', 'and')).toBeNull();
  });
});

describe('product references in answers', () => {
  it('finds linked product ids in order, once each', () => {
    const text = 'Try [A](product:TRL-1) or [B](product:JKT-2). [A again](product:TRL-1) [web](https://x.test)';
    expect(linkedProductIds(text)).toEqual(['TRL-1', 'JKT-2']);
  });

  it('falls back to exact titles of this turn when the model forgot the links', () => {
    const rows = [
      { id: 'A', title: 'Stormline Rain Jacket' },
      { id: 'B', title: 'Ridgeback Trail Shoe' },
      { id: 'C', title: 'Tent' },
    ];
    expect(mentionedByTitle('The ridgeback trail shoe beats the Stormline Rain Jacket.', rows)).toEqual(['B', 'A']);
  });
});

describe('delta coalescing', () => {
  it('sends the first text at once, batches the rest, and flushes on demand', () => {
    let now = 0;
    const emitted: string[] = [];
    const c = new DeltaCoalescer(
      25,
      (t) => emitted.push(t),
      () => now,
    );
    c.push('Hel');
    expect(emitted).toEqual(['Hel']);
    now = 5;
    c.push('lo');
    c.push(' there');
    expect(emitted).toEqual(['Hel']);
    c.flush();
    expect(emitted).toEqual(['Hel', 'lo there']);
    now = 100;
    c.push('!');
    expect(emitted).toEqual(['Hel', 'lo there', '!']);
    c.dispose();
  });

  it('emits held text when the interval passes', async () => {
    vi.useFakeTimers();
    try {
      const emitted: string[] = [];
      const c = new DeltaCoalescer(10, (t) => emitted.push(t));
      c.push('a');
      c.push('b');
      expect(emitted).toEqual(['a']);
      await vi.advanceTimersByTimeAsync(30);
      expect(emitted).toEqual(['a', 'b']);
      c.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
