import { describe, expect, it } from 'vitest';
import { createBlockSplitter, splitBlocks } from './markdownBlocks';

const answer = [
  '## Two good options',
  '',
  'The **Trail Runner** is light and [waterproof](https://example.com/specs).',
  '',
  '```',
  'size 44 = US 10',
  '',
  'size 45 = US 11',
  '```',
  '',
  '- Grip: excellent',
  '- Weight: 280 g',
  '',
  '| Model | Price |',
  '| --- | --- |',
  '| Trail Runner | $119 |',
  '',
  'Want me to compare them?',
].join('\n');

describe('splitBlocks', () => {
  it('splits an answer into top-level blocks that rebuild the text', () => {
    const { blocks } = splitBlocks(answer);
    expect(blocks.join('')).toBe(answer);
    expect(blocks.map((b) => b.trimEnd().split('\n')[0])).toEqual([
      '## Two good options',
      'The **Trail Runner** is light and [waterproof](https://example.com/specs).',
      '```',
      '- Grip: excellent',
      '| Model | Price |',
      'Want me to compare them?',
    ]);
  });

  it('keeps a code fence with blank lines in one block, even before it is closed', () => {
    const open = 'Sizes:\n\n```\nsize 44\n\nsize 45\n';
    const { blocks } = splitBlocks(open);
    expect(blocks).toEqual(['Sizes:\n\n', '```\nsize 44\n\nsize 45\n']);
  });

  it('keeps completed blocks unchanged while the answer grows', () => {
    const split = createBlockSplitter();
    let previous: string[] = [];
    for (let end = 1; end <= answer.length; end += 1) {
      const { blocks } = split(answer.slice(0, end));
      const completed = previous.slice(0, -1);
      expect(blocks.slice(0, completed.length)).toEqual(completed);
      previous = blocks;
    }
  });

  it('gives the same blocks when re-lexing only the tail as when lexing everything', () => {
    const split = createBlockSplitter();
    for (let end = 1; end <= answer.length; end += 7) {
      const text = answer.slice(0, end);
      expect(split(text).blocks).toEqual(splitBlocks(text).blocks);
    }
  });

  it('starts over when the text is replaced rather than extended', () => {
    const split = createBlockSplitter();
    split('First paragraph.\n\nSecond');
    expect(split('Other text.\n\nMore').blocks).toEqual(['Other text.\n\n', 'More']);
  });

  it('treats Windows line endings like Unix ones', () => {
    expect(splitBlocks('One\r\n\r\nTwo').blocks).toEqual(['One\n\n', 'Two']);
  });
});
