import type { AnswerPhase } from '@aisle/shared';

const PHASE_TEXT: Record<AnswerPhase, string> = {
  waiting: 'Thinking…',
  'loading-model': 'Loading the model… the first answer can take a few seconds',
  searching: 'Searching the catalogue…',
  writing: 'Writing…',
  retrying: 'Ollama is busy, retrying…',
};

/** The text shown for an answer's phase; the server's detail wins for retries ("retrying in 2 s"). */
export function phaseText(phase: AnswerPhase, detail?: string): string {
  return phase === 'retrying' && detail !== undefined && detail !== '' ? detail : PHASE_TEXT[phase];
}

/** Spinner and text for what the answer is doing before (or between) its words. */
export function PhaseIndicator({ phase, detail }: { phase: AnswerPhase; detail?: string }) {
  return (
    <p className={`phase phase-${phase}`}>
      <span className="spinner" aria-hidden="true" />
      <span className="phase-text">{phaseText(phase, detail)}</span>
    </p>
  );
}
