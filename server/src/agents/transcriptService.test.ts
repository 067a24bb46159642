import { describe, expect, it } from 'vitest';
import { percentile } from '../lib/stats';
import { daysBetween, parseBound, TranscriptInputError } from './transcriptService';

describe('parseBound', () => {
  it('reads a day as a whole UTC day, with `to` inclusive of that day', () => {
    expect(parseBound('2025-05-01', 'from', 'from')).toBe('2025-05-01T00:00:00.000Z');
    expect(parseBound('2025-05-01', 'to', 'to')).toBe('2025-05-02T00:00:00.000Z');
    expect(parseBound('2025-05-01T10:30:00Z', 'to', 'to')).toBe('2025-05-01T10:30:00.000Z');
  });

  it('names the field it cannot read', () => {
    expect(() => parseBound('yesterday', 'from', 'from')).toThrow(TranscriptInputError);
    expect(() => parseBound('yesterday', 'from', 'from')).toThrow(/^from:/);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000];
    expect(percentile(values, 50)).toBe(500);
    expect(percentile(values, 95)).toBe(1000);
    expect(percentile([42], 95)).toBe(42);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('daysBetween', () => {
  it('lists each day of a range once', () => {
    expect(daysBetween('2025-04-29T00:00:00.000Z', '2025-05-02T00:00:00.000Z')).toEqual([
      '2025-04-29',
      '2025-04-30',
      '2025-05-01',
    ]);
  });
});
