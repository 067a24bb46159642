import { formatMoney } from '@aisle/shared';
import { useEffect, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { uiFormatLocale } from '../../i18n/i18n';
import { ChatActionsContext, useChatActions } from './chatActions';
import { HandoffOptions } from './HandoffOptions';
import { HistoryButton } from './HistoryPanel';
import { useChatStore } from './chatStore';
import { Composer, COMPOSER_INPUT_ID } from './Composer';
import { CompareBar } from './compare/CompareBar';
import { CompareDialog } from './compare/CompareDialog';
import { LiveAnnouncer } from './LiveAnnouncer';
import { LogoMark } from '../../components/LogoMark';
import { useBrand } from '../../lib/storefront';
import { MessageList } from './MessageList';
import { StatusBanner } from './StatusBanner';
import { useChatSocket } from './useChatSocket';

/** The shopper's chat at `/`: header, status banners, conversation and composer. */
export function ChatPage() {
  const actions = useChatSocket();
  const brand = useBrand();
  const { t } = useTranslation();
  useEffect(() => whenIdle(warmUpPriceFormat), []);
  const title = t('header.pageTitle', { name: brand.name });
  useEffect(() => {
    document.title = title;
  }, [title]);
  // The server refused accent colours white text cannot be read on; the stylesheet derives the rest.
  const accent = brand.accentColor;
  const accentStyle: (CSSProperties & Record<'--brand-accent', string>) | undefined = accent
    ? { '--brand-accent': accent }
    : undefined;
  return (
    <ChatActionsContext value={actions}>
      <div className={accent ? 'chat-page has-brand-accent' : 'chat-page'} style={accentStyle}>
        <ChatHeader />
        <main className="chat-main" aria-label={t('landmarks.chat')}>
          <StatusBanner />
          <HandoffBanner />
          <MessageList />
          <CompareBar />
          <Composer />
        </main>
        <CompareDialog />
        <LiveAnnouncer />
      </div>
    </ChatActionsContext>
  );
}

/**
 * The page's first Intl.NumberFormat loads the browser's number data (about 25 ms in Chromium, any
 * currency); done while idle, it is not added to the frame in which an answer's first cards appear.
 */
function warmUpPriceFormat(): void {
  formatMoney({ amountMinor: 0, currency: 'USD' }, uiFormatLocale);
}

/** Runs `task` when the browser is idle (soon after on browsers without `requestIdleCallback`); returns a cancel. */
function whenIdle(task: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(task, { timeout: 2_000 });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(task, 200);
  return () => clearTimeout(timer);
}

function ChatHeader() {
  const actions = useChatActions();
  const isFresh = useChatStore((s) => s.conversationId === null && s.messages.length === 0 && s.pending === null);
  const brand = useBrand();
  const { t } = useTranslation();

  const handleNewChat = () => {
    actions.newChat();
    document.getElementById(COMPOSER_INPUT_ID)?.focus();
  };

  return (
    <header className="app-header">
      <div className="brand">
        <LogoMark src={brand.logoUrl} alt={brand.name} />
        <h1 className="brand-name">{brand.name}</h1>
        <span className="brand-tagline">{t('header.tagline')}</span>
      </div>
      <div className="header-actions">
        <HandoffOptions />
        <HistoryButton />
        <button type="button" className="button-secondary new-chat" onClick={handleNewChat} disabled={isFresh}>
          <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path d="M10 4v12M4 10h12" />
          </svg>
          {t('header.newChat')}
        </button>
      </div>
    </header>
  );
}

/** Tells the shopper who is answering when a person is involved. */
function HandoffBanner() {
  const handoff = useChatStore((s) => s.handoff);
  const { t } = useTranslation();
  if (handoff.state === 'assistant') return null;
  return (
    <div className={`handoff-banner handoff-${handoff.state}`} role="status">
      {handoff.state === 'waiting'
        ? t('handoff.waiting')
        : t('handoff.agent', { name: handoff.agentName ?? t('announce.teamMember') })}
    </div>
  );
}
