import { MAX_MESSAGE_CHARS, type TranscriptDetail } from '@aisle/shared';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useAgentActions } from '../agentActions';
import { useAgentStore } from '../agentStore';

/**
 * Who answers the shopper, and the controls to change it: "Take over" (the assistant stops answering),
 * then a reply box and "Hand back to assistant".
 *
 * Focus follows the action, so a keyboard user never lands on the page's body: Take over puts the
 * caret in the reply box at once (the box shows while the take-over is confirmed, so words typed right
 * after pressing it land there; it can send once confirmed), and Hand back returns to "Take over".
 */
export function TakeoverPanel({ detail }: { detail: TranscriptDetail }) {
  const actions = useAgentActions();
  const me = useAgentStore((s) => s.agent);
  const [isBusy, setIsBusy] = useState(false);
  const [isTakingOver, setIsTakingOver] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const takeOverRef = useRef<HTMLButtonElement>(null);
  const isTakenOver = detail.status === 'taken_over';
  const isMine = isTakenOver && me !== null && detail.takenOverBy === me.name;

  const run = async (action: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
    setIsBusy(true);
    setError(null);
    const result = await action();
    setIsBusy(false);
    if (!result.ok) setError(result.error?.message ?? 'That did not work.');
    return result.ok;
  };

  // Set before an action that ends with "Take over" showing again (a hand-back, a refused take-over).
  const isTakeOverFocusWanted = useRef(false);
  const handleTakeOver = async () => {
    setIsTakingOver(true);
    isTakeOverFocusWanted.current = true;
    const isDone = await run(() => actions.takeOver(detail.id));
    setIsTakingOver(false);
    // Done: the reply box has the caret. Refused (someone else was quicker): back to the button.
    if (isDone) isTakeOverFocusWanted.current = false;
  };

  const handleHandBack = async () => {
    isTakeOverFocusWanted.current = true;
    if (!(await run(() => actions.handBack(detail.id)))) isTakeOverFocusWanted.current = false;
  };

  const canTakeOver = !isTakenOver;
  useEffect(() => {
    if (!isTakeOverFocusWanted.current || !canTakeOver || isBusy) return;
    isTakeOverFocusWanted.current = false;
    takeOverRef.current?.focus();
  }, [canTakeOver, isBusy]);

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
              ref={takeOverRef}
              type="button"
              className="button-primary"
              disabled={isBusy}
              onClick={() => void handleTakeOver()}
            >
              Take over
            </button>
          )}
          {isTakenOver && (
            <button type="button" className="button-secondary" disabled={isBusy} onClick={() => void handleHandBack()}>
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
      {/* While the take-over is confirmed the box stays, whatever the live list says meanwhile: its
          "taken over" update can arrive before the acknowledgement and does not say by whom, and
          dropping the box then lost what the agent had typed (a refused take-over ends isTakingOver). */}
      {(isMine || isTakingOver) && <ReplyComposer conversationId={detail.id} canSend={isMine} isFocusedOnOpen={isTakingOver} />}
    </section>
  );
}

interface ReplyComposerProps {
  conversationId: string;
  /** False while the take-over is being confirmed: the agent can type, not send yet. */
  canSend: boolean;
  /** Opened by "Take over" (not by loading a page already taken over): the caret goes into the box. */
  isFocusedOnOpen: boolean;
}

function ReplyComposer({ conversationId, canSend, isFocusedOnOpen }: ReplyComposerProps) {
  const actions = useAgentActions();
  const inputId = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [isFocusWanted] = useState(isFocusedOnOpen);
  useEffect(() => {
    if (isFocusWanted) inputRef.current?.focus();
  }, [isFocusWanted]);
  const [draft, setDraft] = useState('');
  const [isSending, setIsSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = async () => {
    const text = draft.trim();
    if (text === '' || isSending || !canSend) return;
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
        ref={inputRef}
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
      <button type="submit" className="button-primary" disabled={isSending || !canSend || draft.trim() === ''}>
        {isSending ? 'Sending…' : 'Send reply'}
      </button>
    </form>
  );
}
