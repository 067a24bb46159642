import { describe, expect, it } from 'vitest';
import { mergeDelta } from './mergeDelta';

describe('mergeDelta', () => {
  it('appends text that continues the answer', () => {
    expect(mergeDelta('Hello', 5, ' world')).toEqual({ kind: 'append', content: 'Hello world' });
  });

  it('keeps only the unseen tail of an overlapping delta', () => {
    expect(mergeDelta('Hello wor', 5, ' world')).toEqual({ kind: 'append', content: 'Hello world' });
  });

  it('ignores a delta it has already seen', () => {
    expect(mergeDelta('Hello world', 5, ' world')).toEqual({ kind: 'duplicate' });
  });

  it('reports a gap when text is missing', () => {
    expect(mergeDelta('Hello', 8, 'ld')).toEqual({ kind: 'gap' });
  });
});
