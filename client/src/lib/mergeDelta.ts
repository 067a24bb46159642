/** Result of merging one delta into the text received so far. */
export type DeltaMerge = { kind: 'append'; content: string } | { kind: 'duplicate' } | { kind: 'gap' };

/**
 * Merges streamed text by offset: append when it continues the text, keep only the unseen tail when
 * it overlaps (a delta replayed after a resume), report a gap when text is missing.
 */
export function mergeDelta(content: string, offset: number, text: string): DeltaMerge {
  if (offset > content.length) return { kind: 'gap' };
  const end = offset + text.length;
  if (end <= content.length) return { kind: 'duplicate' };
  return { kind: 'append', content: content + text.slice(content.length - offset) };
}
