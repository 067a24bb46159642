import type { AnswerPhase } from '@aisle/shared';
import { queueText } from './queueText';

const PHASE_TEXT: Record<AnswerPhase, string> = {
  queued: 'Waiting in line…',
  waiting: 'Thinking…',
  'loading-model': 'Loading the model… the first answer can take a few seconds',
  searching: 'Searching the catalogue…',
  writing: 'Writing…',
  retrying: 'Ollama is busy, retrying…',
};

/**
 * The text shown for an answer's phase; the server's detail wins for retries ("retrying in 2 s"), and a
 * queued answer shows its place in line.
 */
export function phaseText(phase: AnswerPhase, detail?: string, position?: number): string {
  if (phase === 'queued') return queueText(position);
  return phase === 'retrying' && detail !== undefined && detail !== '' ? detail : PHASE_TEXT[phase];
}

interface PhaseIndicatorProps {
  phase: AnswerPhase;
  detail?: string;
  /** Place in line while queued. */
  position?: number;
}

/** Spinner and text for what the answer is doing before (or between) its words. */
export function PhaseIndicator({ phase, detail, position }: PhaseIndicatorProps) {
  return (
    <p className={`phase phase-${phase}`}>
      <span className="spinner" aria-hidden="true" />
      <span className="phase-text">{phaseText(phase, detail, position)}</span>
    </p>
  );
}
