import { MAX_MESSAGE_CHARS, neutraliseBidi, type ChatMessage } from '@aisle/shared';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChatActions } from './chatActions';
import type { UiError } from './chatStore';
import { COMPOSER_INPUT_ID } from './Composer';
import { errorText } from './errorCodes';
import './history.css';

/**
 * A message the shopper sent. The last one can be edited and resent (issue 11): "Edit" opens an
 * inline editor with its text; Send replaces it and its answer (agents still see the original), Cancel
 * or Escape closes the editor and gives focus back to "Edit".
 */
export function UserMessage({ message, canEdit }: { message: ChatMessage; canEdit: boolean }) {
  const { t } = useTranslation();
  const actions = useChatActions();
  const [isEditing, setIsEditing] = useState(false);
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<UiError | null>(null);
  const [isSending, setIsSending] = useState(false);
  const editRef = useRef<HTMLButtonElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const errorId = useId();

  useEffect(() => {
    if (!isEditing) return;
    const input = inputRef.current;
    input?.focus();
    input?.setSelectionRange(input.value.length, input.value.length);
  }, [isEditing]);

  const handleCancel = () => {
    setIsEditing(false);
    setError(null);
    requestAnimationFrame(() => editRef.current?.focus());
  };

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (isSending) return;
    setIsSending(true);
    const refused = await actions.edit(message.id, text);
    setIsSending(false);
    if (refused !== null) {
      setError(refused);
      return;
    }
    // This message gives way to the new one: the shopper carries on in the composer.
    document.getElementById(COMPOSER_INPUT_ID)?.focus();
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      handleCancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      void handleSubmit(event);
    }
  };

  // "Edit" sits just after the message, not inside it: the message's text stays exactly what was sent.
  return (
    <>
      <article className="message message-user" id={`message-${message.id}`} aria-label={t('message.yours')}>
        {isEditing ? (
          <form className="user-edit" aria-label={t('history.editLabel')} onSubmit={(event) => void handleSubmit(event)}>
            <textarea
              ref={inputRef}
              aria-label={t('history.editInput')}
              value={text}
              maxLength={MAX_MESSAGE_CHARS}
              onChange={(event) => setText(event.target.value)}
              onKeyDown={handleKeyDown}
              {...(error === null ? {} : { 'aria-describedby': errorId, 'aria-invalid': true })}
            />
            {error !== null && (
              <p id={errorId} className="user-edit-error" role="alert">
                {errorText(error)}
              </p>
            )}
            <div className="user-edit-buttons">
              <button type="button" className="button-secondary" onClick={handleCancel}>
                {t('history.editCancel')}
              </button>
              <button type="submit" className="button-primary" disabled={isSending || text.trim() === ''}>
                {t('history.editSend')}
              </button>
            </div>
          </form>
        ) : (
          <div className="bubble">
            <p className="user-text">{neutraliseBidi(message.content)}</p>
          </div>
        )}
      </article>
      {canEdit && !isEditing && (
        <div className="message-user-actions">
          <button
            ref={editRef}
            type="button"
            className="button-secondary"
            aria-label={t('history.editLabel')}
            onClick={() => {
              setText(message.content);
              setIsEditing(true);
            }}
          >
            {t('history.edit')}
          </button>
        </div>
      )}
    </>
  );
}
