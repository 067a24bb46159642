import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A shop's storefront on another site than Aisle, for the widget tests: product pages that paste the
 * widget's tag and record every `aisle:add-to-cart` event in `window.cartEvents`, plus a cookie probe
 * that shows whether the browser sends third-party cookies. It listens on 127.0.0.1; pages are opened as
 * `http://localhost:PORT`, a different site from Aisle at `http://127.0.0.1:…`.
 */
export interface StorefrontServer {
  /** The shop's origin, `http://localhost:PORT`. */
  origin: string;
  /** The same server as another site, `http://127.0.0.1:PORT`, for the cookie probe's frame. */
  otherSite: string;
  close(): Promise<void>;
}

function productPage(aisleUrl: string, sku: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop: ${sku}</title>
<style>button { font: inherit; } .launcher { display: none; }</style></head>
<body>
<h1>Product ${sku}</h1>
<p><a href="/products/GRD-400">Another product</a></p>
<script>window.cartEvents = []; window.addEventListener('aisle:add-to-cart', (e) => window.cartEvents.push(e.detail));</script>
<script src="${aisleUrl}/widget.js" data-aisle-product="${sku}" defer></script>
</body></html>`;
}

/** Starts the storefront; `aisleUrl` is where the widget's script comes from. */
export async function startStorefront(aisleUrl: string): Promise<StorefrontServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://storefront');
    const product = /^\/products\/([A-Za-z0-9-]+)$/.exec(url.pathname);
    if (product) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(productPage(aisleUrl, product[1] ?? ''));
    } else if (url.pathname === '/cookie/set') {
      res.setHeader('set-cookie', 'probe=1; SameSite=None; Secure; Path=/');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<p id="probe">set</p>');
    } else if (url.pathname === '/cookie/check') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<p id="probe">${/(^|;\s*)probe=1/.test(req.headers.cookie ?? '') ? 'sent' : 'not sent'}</p>`);
    } else if (url.pathname === '/cookie/framed') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<iframe title="probe" src="http://127.0.0.1:${port()}/cookie/check"></iframe>`);
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  const port = () => (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${port()}`,
    otherSite: `http://127.0.0.1:${port()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
