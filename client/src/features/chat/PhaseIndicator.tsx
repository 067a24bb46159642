import type { AnswerPhase } from '@aisle/shared';
import type { i18n as I18n } from 'i18next';
import { useTranslation } from 'react-i18next';
import { i18n as uiI18n } from '../../i18n/i18n';
import { queueText } from './queueText';

const PHASE_KEYS = {
  queued: 'phase.queued',
  waiting: 'phase.waiting',
  'loading-model': 'phase.loadingModel',
  searching: 'phase.searching',
  writing: 'phase.writing',
  retrying: 'phase.retrying',
} as const satisfies Record<AnswerPhase, string>;

/**
 * The text shown for an answer's phase; the server's detail wins for retries ("retrying in 2 s"), and a
 * queued answer shows its place in line.
 */
export function phaseText(phase: AnswerPhase, detail?: string, position?: number, i18n: I18n = uiI18n): string {
  if (phase === 'queued') return queueText(position, i18n.t);
  // The server's retry detail is written in English: other languages keep their own sentence.
  const isDetailShown = phase === 'retrying' && detail !== undefined && detail !== '' && i18n.language === 'en';
  return isDetailShown ? detail : i18n.t(PHASE_KEYS[phase]);
}

interface PhaseIndicatorProps {
  phase: AnswerPhase;
  detail?: string;
  /** Place in line while queued. */
  position?: number;
}

/** Spinner and text for what the answer is doing before (or between) its words. */
export function PhaseIndicator({ phase, detail, position }: PhaseIndicatorProps) {
  const { i18n } = useTranslation();
  return (
    <p className={`phase phase-${phase}`}>
      <span className="spinner" aria-hidden="true" />
      <span className="phase-text">{phaseText(phase, detail, position, i18n)}</span>
    </p>
  );
}
