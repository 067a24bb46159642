import type { ChatMessage } from '@aisle/shared';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChatActions } from './chatActions';

/** Thumbs up/down on an answer, with an optional comment after a thumbs down. */
export function AnswerFeedback({ message }: { message: ChatMessage }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const rating = message.feedback?.rating ?? null;
  const [isCommenting, setIsCommenting] = useState(false);
  const [comment, setComment] = useState('');
  const commentId = useId();

  const handleRate = (next: 'up' | 'down') => {
    const value = rating === next ? null : next;
    actions.giveFeedback(message.id, value);
    setIsCommenting(value === 'down');
  };

  const handleSubmit = (event: FormEvent) => {
    event.preventDefault();
    actions.giveFeedback(message.id, 'down', comment);
    setIsCommenting(false);
  };

  return (
    <div className="answer-feedback">
      <div className="feedback-buttons" role="group" aria-label={t('feedback.group')}>
        <button type="button" className="feedback-button" aria-pressed={rating === 'up'} onClick={() => handleRate('up')}>
          <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path d="M6 9v8H3V9h3Zm2 8h6.5a2 2 0 0 0 2-1.6l1-5A2 2 0 0 0 15.5 8H12V4.5A1.5 1.5 0 0 0 10.5 3L8 9v8Z" />
          </svg>
          <span>{t('feedback.helpful')}</span>
        </button>
        <button type="button" className="feedback-button" aria-pressed={rating === 'down'} onClick={() => handleRate('down')}>
          <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path d="M6 11V3H3v8h3Zm2-8h6.5a2 2 0 0 1 2 1.6l1 5A2 2 0 0 1 15.5 12H12v3.5a1.5 1.5 0 0 1-1.5 1.5L8 11V3Z" />
          </svg>
          <span>{t('feedback.notHelpful')}</span>
        </button>
        {message.feedback?.comment && <span className="feedback-thanks">{t('feedback.thanks')}</span>}
      </div>
      {isCommenting && (
        <form className="feedback-form" onSubmit={handleSubmit}>
          <label htmlFor={commentId}>{t('feedback.whatWentWrong')}</label>
          <textarea id={commentId} value={comment} maxLength={1000} rows={2} onChange={(e) => setComment(e.target.value)} />
          <div className="feedback-form-actions">
            <button type="submit" className="button-secondary">
              {t('feedback.send')}
            </button>
            <button type="button" className="button-link" onClick={() => setIsCommenting(false)}>
              {t('feedback.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
