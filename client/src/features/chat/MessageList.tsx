import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { selectIsBusy, useChatStore } from './chatStore';
import { EmptyState } from './EmptyState';
import { MessageItem, PendingMessage } from './MessageItem';

/** How close to the bottom (px) still counts as "following the answer". */
const PIN_THRESHOLD = 80;

/**
 * The conversation (`role="log"`, named "Conversation"). Follows a streaming answer to the bottom
 * unless the shopper has scrolled up to read, then offers a "Jump to latest" button instead.
 */
export function MessageList() {
  const { t } = useTranslation();
  const messages = useChatStore((s) => s.messages);
  const live = useChatStore((s) => s.live);
  const pending = useChatStore((s) => s.pending);
  const busyMessageId = useChatStore((s) => s.busyMessageId);
  const isBusy = useChatStore(selectIsBusy);
  const scrollRef = useRef<HTMLDivElement>(null);
  const columnRef = useRef<HTMLDivElement>(null);
  const isPinnedRef = useRef(true);
  const [isAwayFromBottom, setIsAwayFromBottom] = useState(false);

  const scrollToBottom = useCallback(() => {
    const scroller = scrollRef.current;
    if (scroller !== null) scroller.scrollTop = scroller.scrollHeight;
  }, []);

  const handleScroll = () => {
    const scroller = scrollRef.current;
    if (scroller === null) return;
    const distance = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    isPinnedRef.current = distance < PIN_THRESHOLD;
    setIsAwayFromBottom(!isPinnedRef.current);
  };

  // Sending a message always brings the shopper back to the bottom.
  useLayoutEffect(() => {
    if (pending !== null) isPinnedRef.current = true;
  }, [pending]);

  // Following the answer waits for the frame: scrolling reads the new height, which forces a layout,
  // and inside the render that puts a delta on the page it would delay the text itself. In the frame,
  // before it paints, the browser lays the page out anyway, so the shopper sees the same scroll.
  // Scheduled from a layout effect so the frame is requested before this commit can be painted.
  const scrollFrameRef = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (!isPinnedRef.current || scrollFrameRef.current !== null) return;
    scrollFrameRef.current = requestAnimationFrame(() => {
      scrollFrameRef.current = null;
      if (isPinnedRef.current) scrollToBottom();
    });
  }, [messages, pending, live, scrollToBottom]);
  useEffect(
    () => () => {
      if (scrollFrameRef.current !== null) cancelAnimationFrame(scrollFrameRef.current);
    },
    [],
  );

  // The composer growing or a card image loading changes sizes without new messages: stay pinned.
  useEffect(() => {
    const scroller = scrollRef.current;
    const column = columnRef.current;
    if (scroller === null || column === null || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (isPinnedRef.current) scrollToBottom();
    });
    observer.observe(scroller);
    observer.observe(column);
    return () => observer.disconnect();
  }, [scrollToBottom]);

  const handleJump = () => {
    isPinnedRef.current = true;
    setIsAwayFromBottom(false);
    scrollToBottom();
  };

  const lastAnswerIndex = messages.findLastIndex((m) => m.role === 'assistant');
  const lastShopperIndex = messages.findLastIndex((m) => m.role === 'user');
  const isAssistantAnswering = useChatStore((s) => s.handoff.state === 'assistant');
  const isEmpty = messages.length === 0 && pending === null;

  return (
    <div className="chat-scroll" ref={scrollRef} onScroll={handleScroll}>
      <div className="chat-column" ref={columnRef}>
        {isEmpty && <EmptyState />}
        {/* Cards' titles are h3: the conversation is the h2 between them and the page's h1. */}
        {!isEmpty && <h2 className="sr-only">{t('landmarks.conversation')}</h2>}
        {/* Deltas must not be read out one by one: the log is silent, LiveAnnouncer speaks. */}
        <div className="message-log" role="log" aria-label={t('landmarks.conversation')} aria-live="off">
          {messages.map((message, index) => (
            <MessageItem
              key={message.id}
              message={message}
              live={live?.messageId === message.id ? live : null}
              canRetry={index === lastAnswerIndex && index === messages.length - 1 && (!isBusy || busyMessageId === message.id)}
              isRetrying={busyMessageId === message.id}
              canEdit={index === lastShopperIndex && !isBusy && isAssistantAnswering}
            />
          ))}
          {pending !== null && <PendingMessage text={pending.text} />}
        </div>
      </div>
      {isAwayFromBottom && !isEmpty && (
        <button type="button" className="jump-button" onClick={handleJump}>
          {t('message.jumpToLatest')}
        </button>
      )}
    </div>
  );
}
