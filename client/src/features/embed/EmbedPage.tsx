import type { ProductCard } from '@aisle/shared';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { CardActionContext } from '../chat/cardAction';
import { enableTokenSession } from '../chat/chatApi';
import { ChatActionsContext, useChatActions } from '../chat/chatActions';
import { setPageContext } from '../chat/chatSocket';
import { useChatStore } from '../chat/chatStore';
import { Composer, COMPOSER_INPUT_ID } from '../chat/Composer';
import { CompareBar } from '../chat/compare/CompareBar';
import { CompareDialog } from '../chat/compare/CompareDialog';
import { LiveAnnouncer } from '../chat/LiveAnnouncer';
import { MessageList } from '../chat/MessageList';
import { HistoryButton } from '../chat/HistoryPanel';
import { StatusBanner } from '../chat/StatusBanner';
import { useChatSocket } from '../chat/useChatSocket';
import { LogoMark } from '../../components/LogoMark';
import { connectToHost, isInShop, notifyHost } from './hostChannel';
import './embed.css';

// This page lives in a frame on the shop's site, where the browser blocks Aisle's cookies: its session
// is a token it keeps itself. Set before the chat connects (this module loads only for /embed).
enableTokenSession();

/**
 * The widget's panel at `/embed`: the same chat (same store, socket and components) in a compact
 * layout, inside a frame on an allowed shop's page. Esc or the close button hands focus back to the
 * shop's launcher; cards get "Add to cart", which the shop's own cart code handles.
 */
export function EmbedPage() {
  const actions = useChatSocket();
  const { t } = useTranslation();
  useEffect(() => {
    let stop: (() => void) | null = null;
    let isGone = false;
    void connectToHost({
      onContext: (context) => setPageContext(context),
      onOpened: () => document.getElementById(COMPOSER_INPUT_ID)?.focus(),
    }).then((stopListening) => {
      if (isGone) stopListening();
      else stop = stopListening;
    });
    const handleKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) notifyHost('close');
    };
    document.addEventListener('keydown', handleKey);
    return () => {
      isGone = true;
      stop?.();
      document.removeEventListener('keydown', handleKey);
    };
  }, []);

  return (
    <ChatActionsContext value={actions}>
      <CardActionContext value={renderAddToCart}>
        <div className="chat-page embed-page">
          <EmbedHeader />
          <main className="chat-main" aria-label={t('landmarks.chat')}>
            <StatusBanner />
            <MessageList />
            <CompareBar />
            <Composer />
            <CompareDialog />
          </main>
          <LiveAnnouncer />
        </div>
      </CardActionContext>
    </ChatActionsContext>
  );
}

function EmbedHeader() {
  const actions = useChatActions();
  const isFresh = useChatStore((s) => s.conversationId === null && s.messages.length === 0 && s.pending === null);
  const { t } = useTranslation();
  return (
    <header className="app-header embed-header">
      <div className="brand">
        <LogoMark />
        <h1 className="brand-name">{t('header.tagline')}</h1>
      </div>
      <div className="header-actions">
        <HistoryButton />
        <button
          type="button"
          className="button-secondary"
          disabled={isFresh}
          onClick={() => {
            actions.newChat();
            document.getElementById(COMPOSER_INPUT_ID)?.focus();
          }}
        >
          {t('header.newChat')}
        </button>
        <button
          type="button"
          className="button-secondary embed-close"
          aria-label={t('header.closeAssistant')}
          onClick={() => notifyHost('close')}
        >
          ×
        </button>
      </div>
    </header>
  );
}

/** "Add to cart" on a card, only inside a shop's page: the price and link are the card's, from the database. */
function renderAddToCart(product: ProductCard, onCart: () => void) {
  if (!isInShop() || product.availability === 'out_of_stock') return null;
  const price =
    product.salePrice !== null && product.salePrice.amountMinor < product.price.amountMinor ? product.salePrice : product.price;
  return (
    <button
      type="button"
      className="button-secondary add-to-cart"
      onClick={() => {
        notifyHost('add-to-cart', { productId: product.id, variantId: product.id, quantity: 1, price, link: product.link });
        onCart();
      }}
    >
      <AddToCartLabel title={product.title} />
    </button>
  );
}

/** The button's words: "Add to cart", with the product named for screen readers. */
function AddToCartLabel({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <>
      {t('card.addToCart')}
      <span className="sr-only">{t('card.addToCartName', { title })}</span>
    </>
  );
}
