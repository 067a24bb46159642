import { describe, expect, it } from 'vitest';
import { LlmError } from '../llmErrors';
import { readEvents, ReplyAccumulator } from './replyAccumulator';

const noWarn = () => undefined;

function feed(reply: ReplyAccumulator, ...chunks: object[]) {
  return [
    ...readEvents(
      chunks.map((c) => JSON.stringify(c)),
      reply,
    ),
  ];
}

describe('merging tool-call fragments', () => {
  it('continues an index-less call until a new id starts the next one', () => {
    const reply = new ReplyAccumulator();
    feed(
      reply,
      { choices: [{ delta: { tool_calls: [{ id: 'a', function: { name: 'search_products', arguments: '{"query":' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ function: { arguments: '"boots"}' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ id: 'b', function: { name: 'get_product', arguments: { id: 'p1' } } }] } }] },
      { choices: [{ delta: {}, finish_reason: 'tool_calls' }] },
    );
    expect(reply.toolCalls(noWarn)).toEqual([
      { id: 'a', name: 'search_products', arguments: { query: 'boots' } },
      { id: 'b', name: 'get_product', arguments: { id: 'p1' } },
    ]);
  });

  it('drops a call without a name and says so', () => {
    const reply = new ReplyAccumulator();
    feed(reply, { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] } }] });
    const warnings: string[] = [];
    expect(reply.toolCalls((_fields, message) => warnings.push(message))).toEqual([]);
    expect(warnings).toEqual(['tool call without a name ignored']);
  });

  it('refuses arguments that are JSON but not an object', () => {
    const reply = new ReplyAccumulator();
    feed(reply, { choices: [{ delta: { tool_calls: [{ index: 0, function: { name: 'get_product', arguments: '[1]' } }] } }] });
    expect(() => reply.toolCalls(noWarn)).toThrow(LlmError);
  });
});

describe('reading events', () => {
  it('ignores choices other than the first and stops at [DONE]', () => {
    const reply = new ReplyAccumulator();
    const events = [
      ...readEvents(
        [
          JSON.stringify({
            choices: [
              { index: 1, delta: { content: 'other' } },
              { index: 0, delta: { content: 'ours' } },
            ],
          }),
          '[DONE]',
          JSON.stringify({ choices: [{ delta: { content: 'after done' } }] }),
        ],
        reply,
      ),
    ];
    expect(events).toEqual([{ type: 'content', text: 'ours' }]);
    expect(reply.isDone).toBe(true);
  });
});
