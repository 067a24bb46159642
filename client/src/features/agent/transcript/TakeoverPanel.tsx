import { MAX_MESSAGE_CHARS, type TranscriptDetail } from '@aisle/shared';
import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useAgentActions } from '../agentActions';
import { useAgentStore } from '../agentStore';

/**
 * Who answers the shopper, and the controls to change it: "Take over" (the assistant stops answering),
 * then a reply box and "Hand back to assistant".
 */
export function TakeoverPanel({ detail }: { detail: TranscriptDetail }) {
  const actions = useAgentActions();
  const me = useAgentStore((s) => s.agent);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isTakenOver = detail.status === 'taken_over';
  const isMine = isTakenOver && me !== null && detail.takenOverBy === me.name;

  const run = async (action: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
    setIsBusy(true);
    setError(null);
    const result = await action();
    setIsBusy(false);
    if (!result.ok) setError(result.error?.message ?? 'That did not work.');
  };

  return (
    <section
      className={`takeover${detail.status === 'waiting' ? ' is-waiting' : ''}${isTakenOver ? ' is-taken' : ''}`}
      aria-label="Live chat"
    >
      <div className="takeover-state">
        {detail.status === 'waiting' && <p className="takeover-line">The shopper asked for a person and is waiting.</p>}
        {isTakenOver && (
          <p className="takeover-line">
            {isMine
              ? 'You have taken this conversation over: the assistant is not answering.'
              : `Taken over by ${detail.takenOverBy ?? 'another agent'}.`}
          </p>
        )}
        {!isTakenOver && detail.status !== 'waiting' && (
          <p className="takeover-line agent-muted">The assistant is answering this shopper.</p>
        )}
        <div className="takeover-actions">
          {!isTakenOver && (
            <button
              type="button"
              className="button-primary"
              disabled={isBusy}
              onClick={() => void run(() => actions.takeOver(detail.id))}
            >
              Take over
            </button>
          )}
          {isTakenOver && (
            <button
              type="button"
              className="button-secondary"
              disabled={isBusy}
              onClick={() => void run(() => actions.handBack(detail.id))}
            >
              Hand back to assistant
            </button>
          )}
        </div>
      </div>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {isMine && <ReplyComposer conversationId={detail.id} />}
    </section>
  );
}

function ReplyComposer({ conversationId }: { conversationId: string }) {
  const actions = useAgentActions();
  const inputId = useId();
  const [draft, setDraft] = useState('');
  const [isSending, setIsSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = async () => {
    const text = draft.trim();
    if (text === '' || isSending) return;
    if (text.length > MAX_MESSAGE_CHARS) {
      setError(`Replies can be at most ${MAX_MESSAGE_CHARS.toLocaleString()} characters.`);
      return;
    }
    setIsSending(true);
    setError(null);
    const result = await actions.sendReply(conversationId, text);
    setIsSending(false);
    if (result.ok) setDraft((current) => (current.trim() === text ? '' : current));
    else setError(result.error.message);
  };

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void send();
  };

  // Enter sends, Shift+Enter starts a new line, as in the shopper's chat.
  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form className="reply-composer" onSubmit={handleSubmit}>
      <label htmlFor={inputId}>Reply to shopper</label>
      <textarea
        id={inputId}
        rows={3}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={handleKeyDown}
        aria-describedby={`${inputId}-hint`}
      />
      <p id={`${inputId}-hint`} className="agent-muted reply-hint">
        Enter sends, Shift+Enter adds a line. The shopper sees your name.
      </p>
      {error !== null && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={isSending || draft.trim() === ''}>
        {isSending ? 'Sending…' : 'Send reply'}
      </button>
    </form>
  );
}
