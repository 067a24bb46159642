import { describe, expect, it } from 'vitest';
import { isSameModel } from './modelNames';

describe('model names', () => {
  it('treats a missing tag as latest, also behind a registry host with a port', () => {
    expect(isSameModel('qwen3', 'qwen3:latest')).toBe(true);
    expect(isSameModel('registry.local:5000/qwen3', 'registry.local:5000/qwen3:latest')).toBe(true);
    expect(isSameModel('qwen3:4b', 'qwen3:8b')).toBe(false);
  });
});
