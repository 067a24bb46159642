import { useChatStore } from './chatStore';

/**
 * The polite live region: says each phase of an answer as it starts ("Searching the catalogue…",
 * "Loading the model…", "Writing…"), then the finished answer (or "Answer stopped", or the error)
 * once, instead of every streamed word.
 */
export function LiveAnnouncer() {
  const announcement = useChatStore((s) => s.announcement);
  return (
    <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {announcement !== null && <p key={announcement.id}>{announcement.text}</p>}
    </div>
  );
}
