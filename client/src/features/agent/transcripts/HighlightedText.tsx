import { useMemo } from 'react';
import { splitHighlight } from './highlight';

/** A search-hit snippet with the hits as `<mark>`; built from text nodes, never injected HTML. */
export function HighlightedText({ html }: { html: string }) {
  const parts = useMemo(() => splitHighlight(html), [html]);
  return (
    <>{parts.map((part, index) => (part.isHit ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}</>
  );
}
