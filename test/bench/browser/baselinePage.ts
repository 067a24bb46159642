/**
 * The browser bench's floor: a page with no framework that connects to the baseline relay
 * (test/bench/baseline/) with socket.io-client and appends each delta to one `<div>` with
 * `textContent +=`. Nothing can put streamed text on screen with less work, so Aisle's figures are
 * read against it. Served by a tiny static server on 127.0.0.1 (its own origin, like Aisle's page);
 * the page talks to the relay over WebSocket only, which needs no CORS.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The socket.io-client browser bundle; its `dist/` is not in the package's `exports`, so go by its folder. */
function socketIoBundle(): string {
  const pkg = createRequire(import.meta.url).resolve('socket.io-client/package.json');
  return fs.readFileSync(path.join(path.dirname(pkg), 'dist', 'socket.io.min.js'), 'utf8');
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Baseline</title></head>
<body>
<div id="answer"></div>
<script src="/socket.io.min.js"></script>
<script src="/baseline.js"></script>
</body>
</html>
`;

// Plain JS for the page: the relay's URL comes in the query string.
const SCRIPT = `const relay = new URLSearchParams(location.search).get('relay');
const socket = io(relay, { transports: ['websocket'] });
const answer = document.getElementById('answer');
window.benchConnected = new Promise((resolve) => socket.on('connect', resolve));
window.benchAsk = (text) =>
  new Promise((resolve) => socket.emit('chat:send', { clientMessageId: crypto.randomUUID(), text }, resolve));
socket.on('chat:delta', (event) => {
  answer.textContent += event.text;
});
socket.on('chat:completed', () => {
  document.body.dataset.done = 'true';
});
`;

/** The static server of the baseline page. */
export interface BaselinePageServer {
  /** The page for a relay at `relayUrl`. */
  pageUrl(relayUrl: string): string;
  close(): Promise<void>;
}

/** Serves the baseline page, its script and the socket.io-client bundle on a free loopback port. */
export async function startBaselinePageServer(): Promise<BaselinePageServer> {
  const files = new Map<string, { type: string; body: string }>([
    ['/', { type: 'text/html; charset=utf-8', body: PAGE }],
    ['/baseline.js', { type: 'text/javascript; charset=utf-8', body: SCRIPT }],
    ['/socket.io.min.js', { type: 'text/javascript; charset=utf-8', body: socketIoBundle() }],
  ]);
  const server = http.createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' }).end(file.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('baseline page server: no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    pageUrl: (relayUrl) => `${origin}/?relay=${encodeURIComponent(relayUrl)}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
