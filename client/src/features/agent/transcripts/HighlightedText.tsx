import { neutraliseBidi } from '@aisle/shared';
import { useMemo } from 'react';
import { splitHighlight } from './highlight';

/** A search-hit snippet with the hits as `<mark>`; built from text nodes, never injected HTML. */
export function HighlightedText({ html }: { html: string }) {
  // Decoded entities may spell bidi overrides (`&#x202E;`): neutralised after decoding, not before.
  const parts = useMemo(() => splitHighlight(html).map((part) => ({ ...part, text: neutraliseBidi(part.text) })), [html]);
  return (
    <>{parts.map((part, index) => (part.isHit ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}</>
  );
}
