import { chatLeaveEmailSchema } from '@aisle/shared';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChatActions } from './chatActions';
import { useChatStore } from './chatStore';
import { errorText } from './errorCodes';

/** The server's own rule (zod `z.email()`), checked here first for a quick answer. */
const emailSchema = chatLeaveEmailSchema.shape.email;

/**
 * The way to a person: "Talk to a person" only while an agent is online (a promise nobody keeps is
 * worse than none); otherwise a small form to leave an email for a reply, and when to expect it.
 */
export function HandoffOptions() {
  const { t } = useTranslation();
  const actions = useChatActions();
  const canAsk = useChatStore((s) => s.conversationId !== null && s.handoff.state === 'assistant');
  const agentsOnline = useChatStore((s) => s.agentsOnline);
  const replyText = useChatStore((s) => s.emailReplyText);
  const [isOpen, setOpen] = useState(false);

  if (!canAsk) return null;
  if (agentsOnline) {
    return (
      <button type="button" className="button-secondary" onClick={() => actions.requestHuman()}>
        {t('handoff.talkToPerson')}
      </button>
    );
  }
  if (replyText !== null) return null;
  return (
    <>
      <button type="button" className="button-secondary" aria-expanded={isOpen} onClick={() => setOpen(!isOpen)}>
        {t('handoff.leaveEmail')}
      </button>
      {isOpen && <LeaveEmailForm onDone={() => setOpen(false)} />}
    </>
  );
}

function LeaveEmailForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const [email, setEmail] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isSending, setSending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!emailSchema.safeParse(email.trim()).success) {
      setError(t('handoff.badEmail'));
      return;
    }
    setSending(true);
    const failure = await actions.leaveEmail(email.trim(), note);
    setSending(false);
    if (failure !== null) setError(errorText(failure));
    else onDone();
  };

  return (
    <form className="leave-email" aria-label={t('handoff.formLabel')} onSubmit={(e) => void submit(e)}>
      <p>{t('handoff.nobodyOnline')}</p>
      <label>
        {t('handoff.email')}
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
      </label>
      <label>
        {t('handoff.note')}
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} rows={2} />
      </label>
      {error !== null && (
        <p className="error-message" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={isSending}>
        {isSending ? t('handoff.sending') : t('handoff.send')}
      </button>
    </form>
  );
}
