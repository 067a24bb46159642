import { describe, expect, it } from 'vitest';
import { newlyWaiting, titleWithCount } from './waitingAlerts';

describe('the tab title count', () => {
  it('puts the number of waiting shoppers in front and takes it away when none wait', () => {
    expect(titleWithCount('Aisle agent console', 2)).toBe('(2) Aisle agent console');
    expect(titleWithCount('(2) Aisle agent console', 3)).toBe('(3) Aisle agent console');
    expect(titleWithCount('(3) Aisle agent console', 0)).toBe('Aisle agent console');
  });
});

describe('who just started waiting', () => {
  it('names only shoppers who were not waiting before', () => {
    expect(newlyWaiting(['a', 'b'], ['b', 'c'])).toEqual(['c']);
    expect(newlyWaiting(['a'], [])).toEqual([]);
  });
});
