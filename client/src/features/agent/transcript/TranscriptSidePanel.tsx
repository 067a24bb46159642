import { productCardSchema, SUGGESTED_LABELS, type ProductCard, type TranscriptDetail } from '@aisle/shared';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { createApiClient } from '../../../lib/api';
import type { RevealedContactReply } from '@aisle/shared';
import { addLabel, addNote, exportUrl, removeLabel, revealContact, setFlagged } from '../agentApi';
import { agentStore } from '../agentStore';
import { formatDateTime } from '../format';

const MAX_LABEL = 60;
const MAX_NOTE = 4000;

/** Private notes, labels, the review flag and exports of one transcript. */
export function TranscriptSidePanel({ detail }: { detail: TranscriptDetail }) {
  return (
    <aside className="t-side" aria-label="Review">
      {detail.viewing && <Viewing viewing={detail.viewing} />}
      {detail.contact && <Contact key={detail.id} conversationId={detail.id} contact={detail.contact} />}
      <FlagToggle detail={detail} />
      <Labels detail={detail} />
      <Notes detail={detail} />
      <section className="side-section">
        <h2>Export</h2>
        <p className="export-links">
          <a className="button-secondary" href={exportUrl(detail.id, 'json')} download>
            Export JSON
          </a>
          <a className="button-secondary" href={exportUrl(detail.id, 'md')} download>
            Export Markdown
          </a>
        </p>
      </section>
    </aside>
  );
}

const productRequest = createApiClient({ reader: 'the console', unreachableHint: 'Check that Aisle is running.' });

/** "Viewing: Product X": what the shopper had open on the shop's page (the widget's page context). */
function Viewing({ viewing }: { viewing: NonNullable<TranscriptDetail['viewing']> }) {
  // Kept with the id it was fetched for, so a shopper moving to another product never shows the old one.
  const [fetched, setFetched] = useState<{ id: string; card: ProductCard } | null>(null);
  const { productId } = viewing;
  const product = fetched !== null && fetched.id === productId ? fetched.card : null;
  useEffect(() => {
    if (productId === null) return;
    let isCurrent = true;
    void productRequest(`/api/products/${encodeURIComponent(productId)}`, { schema: productCardSchema }).then((result) => {
      if (isCurrent && result.ok) setFetched({ id: productId, card: result.data });
    });
    return () => {
      isCurrent = false;
    };
  }, [productId]);
  const link = product?.link ?? viewing.url;
  const name = product?.title ?? productId ?? viewing.url ?? '';
  return (
    <section className="side-section">
      <p className="viewing">
        Viewing:{' '}
        {link !== null && /^https?:/i.test(link) ? (
          <a href={link} target="_blank" rel="noopener noreferrer">
            {name}
          </a>
        ) : (
          name
        )}
        {productId !== null && product?.title !== undefined && <span className="viewing-id"> ({productId})</span>}
      </p>
    </section>
  );
}

/**
 * The email a shopper left for a reply, masked like their messages; "Reveal" goes through the
 * audited reveal (the server records who saw the address before it sends it).
 */
function Contact({ conversationId, contact }: { conversationId: string; contact: NonNullable<TranscriptDetail['contact']> }) {
  const [revealed, setRevealed] = useState<RevealedContactReply | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const handleReveal = async () => {
    setIsBusy(true);
    setError(null);
    const result = await revealContact(conversationId);
    setIsBusy(false);
    if (result.ok) setRevealed(result.data);
    else setError(result.error.message);
  };

  const note = revealed?.note ?? contact.note;
  return (
    <section className="side-section" aria-labelledby={`contact-${conversationId}`}>
      <h2 id={`contact-${conversationId}`}>Reply by email</h2>
      <p className="contact-email">
        {revealed === null ? (
          <span>{contact.email}</span>
        ) : (
          <a href={`mailto:${encodeURIComponent(revealed.email).replace(/%40/g, '@')}`}>{revealed.email}</a>
        )}{' '}
        {revealed === null && (
          <button type="button" className="button-secondary button-small" onClick={() => void handleReveal()} disabled={isBusy}>
            Reveal
          </button>
        )}
      </p>
      {note !== null && <p className="agent-muted">{note}</p>}
      <p className="agent-muted">Left {formatDateTime(contact.leftAt)}</p>
      {revealed !== null && (
        <p className="reveal-note" role="status">
          Revealed, access recorded.
        </p>
      )}
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function FlagToggle({ detail }: { detail: TranscriptDetail }) {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const handleToggle = async () => {
    const next = !detail.flagged;
    setIsBusy(true);
    setError(null);
    const result = await setFlagged(detail.id, next);
    setIsBusy(false);
    if (result.ok) agentStore.getState().setFlagged(detail.id, next);
    else setError(result.error.message);
  };

  return (
    <section className="side-section">
      <button
        type="button"
        className={detail.flagged ? 'flag-toggle is-on' : 'flag-toggle'}
        aria-pressed={detail.flagged}
        onClick={() => void handleToggle()}
        disabled={isBusy}
      >
        <span aria-hidden="true">⚑ </span>Flag for review
      </button>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Labels({ detail }: { detail: TranscriptDetail }) {
  const inputId = useId();
  const listId = useId();
  const [draft, setDraft] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const handleAdd = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const label = draft.trim();
    if (label === '') {
      setError('Type a label or pick one from the list.');
      return;
    }
    if (detail.labels.includes(label)) {
      setDraft('');
      return;
    }
    setIsBusy(true);
    setError(null);
    const result = await addLabel(detail.id, label);
    setIsBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setDraft('');
    const current = agentStore.getState().watched?.detail?.labels ?? detail.labels;
    agentStore.getState().setLabels(detail.id, current.includes(label) ? current : [...current, label]);
  };

  const handleRemove = async (label: string) => {
    setError(null);
    const result = await removeLabel(detail.id, label);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const current = agentStore.getState().watched?.detail?.labels ?? detail.labels;
    agentStore.getState().setLabels(
      detail.id,
      current.filter((l) => l !== label),
    );
    document.getElementById(inputId)?.focus();
  };

  const suggestions = SUGGESTED_LABELS.filter((label) => !detail.labels.includes(label));

  return (
    <section className="side-section">
      <h2>Labels</h2>
      {detail.labels.length === 0 ? (
        <p className="agent-muted">No labels yet.</p>
      ) : (
        <ul className="label-list">
          {detail.labels.map((label) => (
            <li key={label} className="label-chip">
              {label}
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove label ${label}`}
                onClick={() => void handleRemove(label)}
              >
                <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(e) => void handleAdd(e)}>
        <label htmlFor={inputId}>Label</label>
        <div className="inline-row">
          <input
            id={inputId}
            type="text"
            list={listId}
            maxLength={MAX_LABEL}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
          />
          <datalist id={listId}>
            {suggestions.map((label) => (
              <option key={label} value={label} />
            ))}
          </datalist>
          <button type="submit" className="button-secondary" disabled={isBusy}>
            Add label
          </button>
        </div>
      </form>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Notes({ detail }: { detail: TranscriptDetail }) {
  const inputId = useId();
  const [draft, setDraft] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const handleAdd = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = draft.trim();
    if (body === '') {
      setError('Write the note first.');
      return;
    }
    setIsBusy(true);
    setError(null);
    const result = await addNote(detail.id, body);
    setIsBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setDraft('');
    agentStore.getState().noteAdded(detail.id, result.data);
  };

  return (
    <section className="side-section">
      <h2>Private notes</h2>
      {detail.notes.length === 0 ? (
        <p className="agent-muted">No notes yet. Only agents see notes.</p>
      ) : (
        <ol className="note-list">
          {detail.notes.map((note) => (
            <li key={note.id} className="note">
              <p className="note-body">{note.body}</p>
              <p className="note-meta">
                {note.agentName} · <time dateTime={note.createdAt}>{formatDateTime(note.createdAt)}</time>
              </p>
            </li>
          ))}
        </ol>
      )}
      <form className="inline-form" onSubmit={(e) => void handleAdd(e)}>
        <label htmlFor={inputId}>Note</label>
        <textarea id={inputId} rows={3} maxLength={MAX_NOTE} value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" className="button-secondary" disabled={isBusy}>
          Add note
        </button>
      </form>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
