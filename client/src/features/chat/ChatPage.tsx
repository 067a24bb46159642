import { ChatActionsContext, useChatActions } from './chatActions';
import { useChatStore } from './chatStore';
import { Composer, COMPOSER_INPUT_ID } from './Composer';
import { LiveAnnouncer } from './LiveAnnouncer';
import { LogoMark } from '../../components/LogoMark';
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
          <HandoffBanner />
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
  const canAskForPerson = useChatStore((s) => s.conversationId !== null && s.handoff.state === 'assistant');

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
      <div className="header-actions">
        {canAskForPerson && (
          <button type="button" className="button-secondary" onClick={() => actions.requestHuman()}>
            Talk to a person
          </button>
        )}
        <button type="button" className="button-secondary new-chat" onClick={handleNewChat} disabled={isFresh}>
          <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
            <path d="M10 4v12M4 10h12" />
          </svg>
          New chat
        </button>
      </div>
    </header>
  );
}

/** Tells the shopper who is answering when a person is involved. */
function HandoffBanner() {
  const handoff = useChatStore((s) => s.handoff);
  if (handoff.state === 'assistant') return null;
  return (
    <div className={`handoff-banner handoff-${handoff.state}`} role="status">
      {handoff.state === 'waiting'
        ? 'We have asked a member of our team to join. The assistant keeps helping meanwhile.'
        : `${handoff.agentName ?? 'A member of our team'} from our team is chatting with you.`}
    </div>
  );
}
