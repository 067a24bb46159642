import { describe, expect, it } from 'vitest';
import { SseDataParser } from './sseParser';

describe('SSE parsing', () => {
  it('handles lines split anywhere, CRLF split between reads, comments, multi-line data and a missing final blank line', () => {
    const parser = new SseDataParser();
    const out = [
      ...parser.push(': keep-alive\r'),
      ...parser.push('\ndata: {"a"'),
      ...parser.push(':1}\r'),
      ...parser.push('\n\r\n'),
      ...parser.push('event: message\nid: 7\ndata:first\ndata: second\n\n'),
      ...parser.push('data: [DONE]'),
      ...parser.end(),
    ];
    expect(out).toEqual(['{"a":1}', 'first\nsecond', '[DONE]']);
  });

  it('ignores a blank line with no data before it', () => {
    const parser = new SseDataParser();
    expect([...parser.push('\n\n: only a comment\n\n'), ...parser.end()]).toEqual([]);
  });
});
