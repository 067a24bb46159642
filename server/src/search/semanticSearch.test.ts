import { describe, expect, it } from 'vitest';
import { queryText } from './semanticSearch';

describe('queryText', () => {
  it("puts Qwen3-Embedding's task instruction before a query unless the config says otherwise", () => {
    expect(queryText('qwen3-embedding:0.6b', 'Laufschuhe')).toMatch(/^Instruct: .+\nQuery: Laufschuhe$/);
    expect(queryText('nomic-embed-text', 'Laufschuhe')).toBe('Laufschuhe');
    expect(queryText('qwen3-embedding:0.6b', 'Laufschuhe', '')).toBe('Laufschuhe');
    expect(queryText('bge-m3', 'Laufschuhe', 'query: ')).toBe('query: Laufschuhe');
  });
});
