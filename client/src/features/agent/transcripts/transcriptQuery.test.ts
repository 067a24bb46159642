import type { TranscriptFilter } from '@aisle/shared';
import { describe, expect, it } from 'vitest';
import {
  filterFromSearchParams,
  filterToApiQuery,
  filterToSearchParams,
  hasActiveFilter,
  pageCount,
  withFilter,
} from './transcriptQuery';

describe('transcript filter <-> page address', () => {
  it('round-trips every filter through the address', () => {
    const filter: TranscriptFilter = {
      q: 'trail shoes',
      from: '2025-05-01',
      to: '2025-05-31',
      status: 'waiting',
      feedback: 'down',
      flagged: 'true',
      label: 'wrong price',
      model: 'qwen3:4b',
      hadError: 'false',
      page: 3,
      pageSize: 50,
    };
    const params = filterToSearchParams(filter);
    expect(filterFromSearchParams(new URLSearchParams(params.toString()))).toEqual(filter);
  });

  it('keeps the address short: no empty fields, no default paging', () => {
    const params = filterToSearchParams({ q: '', status: 'active', page: 1, pageSize: 25 });
    expect(params.toString()).toBe('status=active');
  });

  it('starts at page 1 with 25 rows and no filter for a bare address', () => {
    const filter = filterFromSearchParams(new URLSearchParams(''));
    expect(filter).toEqual({ page: 1, pageSize: 25 });
    expect(hasActiveFilter(filter)).toBe(false);
  });

  it('drops values the server would refuse instead of breaking the page', () => {
    const filter = filterFromSearchParams(new URLSearchParams('status=bogus&flagged=maybe&page=abc&pageSize=5000&model=qwen3'));
    expect(filter).toEqual({ model: 'qwen3', page: 1, pageSize: 25 });
  });

  it('always sends explicit paging to the API', () => {
    expect(filterToApiQuery({ label: 'good answer', page: 1, pageSize: 25 })).toBe('label=good+answer&page=1&pageSize=25');
  });
});

describe('withFilter', () => {
  const base: TranscriptFilter = { status: 'ended', page: 4, pageSize: 25 };

  it('sets a field and goes back to page 1', () => {
    expect(withFilter(base, 'feedback', 'up')).toEqual({ status: 'ended', feedback: 'up', page: 1, pageSize: 25 });
  });

  it('clears a field set to empty', () => {
    expect(withFilter(base, 'status', '')).toEqual({ page: 1, pageSize: 25 });
  });
});

describe('pageCount', () => {
  it('rounds up and never says "page 1 of 0"', () => {
    expect(pageCount(51, 25)).toBe(3);
    expect(pageCount(0, 25)).toBe(1);
  });
});
