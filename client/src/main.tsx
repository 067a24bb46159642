import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { uiLocale } from './i18n/i18n';
import './styles/base.css';
import './styles/chat.css';
import './styles/markdown.css';
import './styles/products.css';
import './styles/compare.css';
import './styles/constraints.css';

// The shopper pages speak the shopper's language; the agent console is English for now.
document.documentElement.lang = window.location.pathname.startsWith('/agent') ? 'en' : uiLocale;

const container = document.getElementById('root');
if (container === null) throw new Error('index.html must contain <div id="root">');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
