import { SUGGESTED_LABELS, type TranscriptFilter } from '@aisle/shared';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { hasActiveFilter, withFilter, type FilterKey } from './transcriptQuery';

type TextKey = 'q' | 'label' | 'model';
type Drafts = Record<TextKey, string>;

const TYPING_DELAY_MS = 350;

interface TranscriptFiltersProps {
  filter: TranscriptFilter;
  onChange(filter: TranscriptFilter): void;
  /** Models seen in the list, offered as suggestions. */
  models: readonly string[];
}

function draftsOf(filter: TranscriptFilter): Drafts {
  return { q: filter.q ?? '', label: filter.label ?? '', model: filter.model ?? '' };
}

/**
 * The list's search box and filters. Choices apply at once; typed text applies after a short pause
 * (or at once on Enter), so each keystroke does not fetch a page.
 */
export function TranscriptFilters({ filter, onChange, models }: TranscriptFiltersProps) {
  const ids = {
    q: useId(),
    from: useId(),
    to: useId(),
    status: useId(),
    feedback: useId(),
    flagged: useId(),
    hadError: useId(),
    hadMismatch: useId(),
    awaitingEmail: useId(),
    label: useId(),
    model: useId(),
    labels: useId(),
    models: useId(),
  };
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(filter));
  const [shown, setShown] = useState<Drafts>(() => draftsOf(filter));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ filter, onChange });

  useEffect(() => {
    latest.current = { filter, onChange };
  });

  // The address changed from outside (back button, "Clear filters"): show what it says.
  const fromAddress = draftsOf(filter);
  if (fromAddress.q !== shown.q || fromAddress.label !== shown.label || fromAddress.model !== shown.model) {
    setShown(fromAddress);
    setDrafts(fromAddress);
  }

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const commitText = (next: Drafts) => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    let updated = latest.current.filter;
    for (const key of ['q', 'label', 'model'] as const) {
      if ((updated[key] ?? '') !== next[key].trim()) updated = withFilter(updated, key, next[key]);
    }
    if (updated !== latest.current.filter) latest.current.onChange(updated);
  };

  const handleText = (key: TextKey, value: string) => {
    const next = { ...drafts, [key]: value };
    setDrafts(next);
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => commitText(next), TYPING_DELAY_MS);
  };

  const handleChoice = (key: FilterKey, value: string) => onChange(withFilter(filter, key, value));

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    commitText(drafts);
  };

  const handleClear = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    onChange({ page: 1, pageSize: filter.pageSize });
  };

  return (
    <form className="transcript-filters" role="search" aria-label="Transcripts" onSubmit={handleSubmit}>
      <div className="filter-search">
        <label htmlFor={ids.q}>Search transcripts</label>
        <div className="search-row">
          <input
            id={ids.q}
            type="search"
            value={drafts.q}
            maxLength={200}
            placeholder="Words shoppers or the assistant used"
            onChange={(e) => handleText('q', e.target.value)}
          />
          <button type="submit" className="button-primary">
            Search
          </button>
        </div>
      </div>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor={ids.from}>From</label>
          <input
            id={ids.from}
            type="date"
            value={filter.from ?? ''}
            max={filter.to}
            onChange={(e) => handleChoice('from', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To</label>
          <input
            id={ids.to}
            type="date"
            value={filter.to ?? ''}
            min={filter.from}
            onChange={(e) => handleChoice('to', e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={filter.status ?? ''} onChange={(e) => handleChoice('status', e.target.value)}>
            <option value="">Any status</option>
            <option value="active">Active</option>
            <option value="ended">Ended</option>
            <option value="waiting">Waiting for a person</option>
            <option value="taken_over">Taken over</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.feedback}>Shopper feedback</label>
          <select id={ids.feedback} value={filter.feedback ?? ''} onChange={(e) => handleChoice('feedback', e.target.value)}>
            <option value="">All conversations</option>
            <option value="any">Any feedback</option>
            <option value="up">Thumbs up</option>
            <option value="down">Thumbs down</option>
            <option value="none">No feedback</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.flagged}>Flagged</label>
          <select id={ids.flagged} value={filter.flagged ?? ''} onChange={(e) => handleChoice('flagged', e.target.value)}>
            <option value="">Flagged or not</option>
            <option value="true">Flagged for review</option>
            <option value="false">Not flagged</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.hadError}>Errors</label>
          <select id={ids.hadError} value={filter.hadError ?? ''} onChange={(e) => handleChoice('hadError', e.target.value)}>
            <option value="">With or without</option>
            <option value="true">Had an error</option>
            <option value="false">No errors</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.hadMismatch}>Grounding</label>
          <select
            id={ids.hadMismatch}
            value={filter.hadMismatch ?? ''}
            onChange={(e) => handleChoice('hadMismatch', e.target.value)}
          >
            <option value="">Any</option>
            <option value="true">Had a grounding mismatch</option>
            <option value="false">No mismatches</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.awaitingEmail}>Email reply</label>
          <select
            id={ids.awaitingEmail}
            value={filter.awaitingEmail ?? ''}
            onChange={(e) => handleChoice('awaitingEmail', e.target.value)}
          >
            <option value="">Any</option>
            <option value="true">Waiting for a reply by email</option>
            <option value="false">No email left</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.label}>Label</label>
          <input
            id={ids.label}
            type="text"
            list={ids.labels}
            maxLength={60}
            value={drafts.label}
            onChange={(e) => handleText('label', e.target.value)}
          />
          <datalist id={ids.labels}>
            {SUGGESTED_LABELS.map((label) => (
              <option key={label} value={label} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor={ids.model}>Model</label>
          <input
            id={ids.model}
            type="text"
            list={ids.models}
            maxLength={100}
            value={drafts.model}
            onChange={(e) => handleText('model', e.target.value)}
          />
          <datalist id={ids.models}>
            {models.map((model) => (
              <option key={model} value={model} />
            ))}
          </datalist>
        </div>
      </div>
      {hasActiveFilter(filter) && (
        <button type="button" className="button-link" onClick={handleClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}
