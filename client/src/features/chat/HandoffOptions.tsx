import { chatLeaveEmailSchema } from '@aisle/shared';
import { useState, type FormEvent } from 'react';
import { useChatActions } from './chatActions';
import { useChatStore } from './chatStore';

/** The server's own rule (zod `z.email()`), checked here first for a quick answer. */
const emailSchema = chatLeaveEmailSchema.shape.email;

/**
 * The way to a person: "Talk to a person" only while an agent is online (a promise nobody keeps is
 * worse than none); otherwise a small form to leave an email for a reply, and when to expect it.
 */
export function HandoffOptions() {
  const actions = useChatActions();
  const canAsk = useChatStore((s) => s.conversationId !== null && s.handoff.state === 'assistant');
  const agentsOnline = useChatStore((s) => s.agentsOnline);
  const replyText = useChatStore((s) => s.emailReplyText);
  const [isOpen, setOpen] = useState(false);

  if (!canAsk) return null;
  if (agentsOnline) {
    return (
      <button type="button" className="button-secondary" onClick={() => actions.requestHuman()}>
        Talk to a person
      </button>
    );
  }
  if (replyText !== null) return null;
  return (
    <>
      <button type="button" className="button-secondary" aria-expanded={isOpen} onClick={() => setOpen(!isOpen)}>
        Leave your email
      </button>
      {isOpen && <LeaveEmailForm onDone={() => setOpen(false)} />}
    </>
  );
}

function LeaveEmailForm({ onDone }: { onDone: () => void }) {
  const actions = useChatActions();
  const [email, setEmail] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isSending, setSending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!emailSchema.safeParse(email.trim()).success) {
      setError('Please enter an email address like name@example.com.');
      return;
    }
    setSending(true);
    const failure = await actions.leaveEmail(email.trim(), note);
    setSending(false);
    if (failure !== null) setError(failure.message);
    else onDone();
  };

  return (
    <form className="leave-email" aria-label="Leave your email for a person to reply" onSubmit={(e) => void submit(e)}>
      <p>Nobody from our team is online right now. Leave your email for a person to reply.</p>
      <label>
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
      </label>
      <label>
        Note (optional)
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} rows={2} />
      </label>
      {error !== null && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={isSending}>
        {isSending ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}
