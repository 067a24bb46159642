import { ChatActionsContext, useChatActions } from './chatActions';
import { useChatStore } from './chatStore';
import { Composer, COMPOSER_INPUT_ID } from './Composer';
import { LiveAnnouncer } from './LiveAnnouncer';
import { LogoMark } from './LogoMark';
import { MessageList } from './MessageList';
import { StatusBanner } from './StatusBanner';
import { useChatSocket } from './useChatSocket';

/** The shopper's chat at `/`: header, status banners, conversation and composer. */
export function ChatPage() {
  const actions = useChatSocket();
  return (
    <ChatActionsContext value={actions}>
      <div className="chat-page">
        <ChatHeader />
        <main className="chat-main" aria-label="Chat">
          <StatusBanner />
          <MessageList />
          <Composer />
        </main>
        <LiveAnnouncer />
      </div>
    </ChatActionsContext>
  );
}

function ChatHeader() {
  const actions = useChatActions();
  const isFresh = useChatStore((s) => s.conversationId === null && s.messages.length === 0 && s.pending === null);

  const handleNewChat = () => {
    actions.newChat();
    document.getElementById(COMPOSER_INPUT_ID)?.focus();
  };

  return (
    <header className="app-header">
      <div className="brand">
        <LogoMark />
        <h1 className="brand-name">Aisle</h1>
        <span className="brand-tagline">Shopping assistant</span>
      </div>
      <button type="button" className="button-secondary new-chat" onClick={handleNewChat} disabled={isFresh}>
        <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
          <path d="M10 4v12M4 10h12" />
        </svg>
        New chat
      </button>
    </header>
  );
}
