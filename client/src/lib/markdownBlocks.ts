import { Lexer } from 'marked';

/** An answer split into top-level Markdown blocks, with where each block starts. */
export interface BlockSplit {
  text: string;
  blocks: string[];
  starts: number[];
}

/** Normalises line endings the way the Markdown lexer does, so block offsets line up. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function lexBlocks(source: string): string[] {
  // Block tokens only: their raw text is all the split needs, and skipping the inline pass (emphasis,
  // links...) that `marked.lexer` also runs halves the cost of the re-lex done on every streamed frame.
  const tokens = new Lexer().blockTokens(source);
  const blocks: string[] = [];
  let position = 0;
  // Every token but the last is complete, and its raw text is an exact slice of the source. The last
  // one may be normalised by the lexer (trailing spaces trimmed), so it is taken from the source.
  for (const token of tokens.slice(0, -1)) {
    if (!source.startsWith(token.raw, position)) break;
    appendBlock(blocks, token.raw, token.type === 'space');
    position += token.raw.length;
  }
  const rest = source.slice(position);
  if (rest !== '') appendBlock(blocks, rest, rest.trim() === '');
  return blocks;
}

/** Blank lines belong to the block before them, so every block starts with content. */
function appendBlock(blocks: string[], text: string, isBlank: boolean): void {
  const last = blocks.length - 1;
  if (isBlank && last >= 0) blocks[last] += text;
  else blocks.push(text);
}

/**
 * Splits Markdown into top-level blocks (paragraphs, lists, fenced code, tables...). Code fences are
 * never split, even unclosed ones while streaming. Pass the previous split of a shorter prefix to
 * re-lex only from the last block, which is the only one that can still change as text grows.
 */
export function splitBlocks(input: string, previous?: BlockSplit): BlockSplit {
  const text = normaliseNewlines(input);
  let blocks: string[] = [];
  let starts: number[] = [];
  let from = 0;

  if (previous !== undefined && previous.blocks.length > 1 && text.startsWith(previous.text)) {
    const keep = previous.blocks.length - 1;
    blocks = previous.blocks.slice(0, keep);
    starts = previous.starts.slice(0, keep);
    from = previous.starts[keep] ?? 0;
  }

  let position = from;
  for (const block of lexBlocks(text.slice(from))) {
    if (block === '') continue;
    blocks.push(block);
    starts.push(position);
    position += block.length;
  }
  return { text, blocks, starts };
}

/** A splitter that remembers its last result, for one growing answer. */
export function createBlockSplitter(): (text: string) => BlockSplit {
  let last: BlockSplit | undefined;
  return (text) => {
    if (last !== undefined && last.text === text) return last;
    last = splitBlocks(text, last);
    return last;
  };
}
