import { isAisleMessage, MESSAGE_SOURCE, type HostContext, type ToPanel } from './protocol';

/**
 * The loader a shop pastes into its pages: `<script src="https://ASSISTANT_HOST/widget.js" defer>`.
 * No framework: it adds one element (a shadow root holding the launcher and the panel's frame) and one
 * global, `window.Aisle` ({ open, close, setContext }). The panel is Aisle's own page (/embed) in a
 * frame from Aisle's origin, so the shop's styles cannot reach it and Aisle's CSP stays whole. The
 * launcher appears only once the panel says it is ready: a shop that is not allowed to frame it
 * (CSP frame-ancestors) never gets a button that opens a blank box.
 *
 * Tag attributes: data-aisle-position (bottom-right | bottom-left), data-aisle-open (true),
 * data-aisle-locale, data-aisle-product (the product id of this page).
 */

interface AisleApi {
  open(): void;
  close(): void;
  setContext(context: { productId?: string | null; url?: string | null }): void;
}

declare global {
  interface Window {
    Aisle?: AisleApi;
  }
}

const CSS = `
:host { all: initial; }
.launcher { position: fixed; bottom: 20px; z-index: 2147483646; border: 0; border-radius: 28px; padding: 14px 20px;
  font: 600 15px/1 system-ui, sans-serif; color: #fff; background: #0f766e; box-shadow: 0 4px 14px rgba(0,0,0,.25); cursor: pointer; }
.launcher:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.panel { position: fixed; bottom: 84px; z-index: 2147483647; width: 400px; height: min(640px, calc(100vh - 104px));
  border: 0; border-radius: 14px; box-shadow: 0 8px 32px rgba(0,0,0,.3); background: #fff; }
.right { right: 20px; } .left { left: 20px; }
[hidden] { display: none !important; }
@media (max-width: 479.98px) { .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; } }
`;

function start(): void {
  if (window.Aisle) return;
  const script = document.currentScript;
  if (!(script instanceof HTMLScriptElement)) return;
  const aisle = new URL(script.src).origin;
  const data = script.dataset;

  const host = document.createElement('div');
  host.setAttribute('data-aisle-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  try {
    // A constructed sheet is not an inline style: a shop's CSP without 'unsafe-inline' still applies it.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = CSS;
    root.append(style);
  }

  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.textContent = 'Ask our assistant';
  launcher.setAttribute('aria-label', 'Open shopping assistant');
  launcher.setAttribute('aria-expanded', 'false');
  launcher.hidden = true;

  const src = new URL('/embed', aisle);
  src.searchParams.set('parent', location.origin);
  if (data.aisleLocale) src.searchParams.set('locale', data.aisleLocale);
  const frame = document.createElement('iframe');
  frame.className = 'panel';
  frame.title = 'Shopping assistant';
  frame.src = src.href;
  frame.hidden = true;
  frame.setAttribute('allow', 'clipboard-write');

  root.append(launcher, frame);

  let isReady = false;
  let context: HostContext = { productId: data.aisleProduct ?? null, url: data.aisleProduct ? location.href : null };

  const post = (message: ToPanel) => frame.contentWindow?.postMessage(message, aisle);
  const place = (position: string) => {
    const side = position === 'bottom-left' ? 'left' : 'right';
    launcher.classList.add(side);
    frame.classList.add(side);
  };

  const api: AisleApi = {
    open() {
      if (!isReady) return;
      frame.hidden = false;
      launcher.setAttribute('aria-expanded', 'true');
      frame.focus();
      post({ source: MESSAGE_SOURCE, type: 'opened' });
    },
    close() {
      if (frame.hidden) return;
      frame.hidden = true;
      launcher.setAttribute('aria-expanded', 'false');
      launcher.focus();
    },
    setContext(next) {
      const productId = typeof next.productId === 'string' && next.productId !== '' ? next.productId : null;
      const url = typeof next.url === 'string' ? next.url : location.href;
      context = { productId, url };
      if (isReady) post({ source: MESSAGE_SOURCE, type: 'context', context });
    },
  };

  launcher.addEventListener('click', () => (frame.hidden ? api.open() : api.close()));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !frame.hidden) api.close();
  });
  window.addEventListener('message', (event) => {
    // Only the panel, from Aisle's origin, speaks for Aisle.
    if (event.origin !== aisle || event.source !== frame.contentWindow || !isAisleMessage(event.data)) return;
    const message = event.data;
    if (message.type === 'ready' && !isReady) {
      isReady = true;
      place(data.aislePosition ?? String(message.position));
      launcher.hidden = false;
      if (context.productId !== null || context.url !== null) post({ source: MESSAGE_SOURCE, type: 'context', context });
      if (data.aisleOpen === undefined ? message.openOnLoad === true : data.aisleOpen === 'true') api.open();
    } else if (message.type === 'close') {
      api.close();
    } else if (message.type === 'add-to-cart' && typeof message.detail === 'object' && message.detail !== null) {
      window.dispatchEvent(new CustomEvent('aisle:add-to-cart', { detail: message.detail }));
    }
  });

  window.Aisle = Object.freeze(api);
  (document.body ?? document.documentElement).append(host);
}

start();
