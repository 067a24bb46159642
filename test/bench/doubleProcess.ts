/**
 * Child process of the streaming bench: the Ollama test double plus a stamping relay in front of it.
 *
 * The double writes its reply lines on its own schedule; the relay forwards every line to the server
 * the moment it arrives, and on the way replaces each token's placeholder with the current monotonic
 * time in µs. That stamp is "when Ollama wrote this token" as the server sees it, so a shopper's
 * receive time minus the stamp is exactly the server's added latency (plus two loopback hops). The
 * first token also carries the time the server's /api/chat request reached the relay.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOllamaDouble, type ScriptedChunk } from '../ollama-double';
import { doubleCommandSchema, monotonicMicros, REQUEST_PLACEHOLDER, STAMP_PLACEHOLDER, toParent } from './benchProtocol';

interface StreamRate {
  tokens: number;
  firstUs: number;
  lastUs: number;
}

let answer = { tokens: 200, tokenDelayMs: 20 };
let rates: StreamRate[] = [];

const double = await startOllamaDouble({
  // No tool calls and no thinking: the first model round is the answer, so every chunk is a token.
  brain: () => ({
    chunks: Array.from({ length: answer.tokens }, (_, i): ScriptedChunk => ({
      content: ` t${i}${STAMP_PLACEHOLDER}${i === 0 ? ` rq${REQUEST_PLACEHOLDER}` : ''}`,
    })),
    tokenDelayMs: answer.tokenDelayMs,
  }),
});

const upstreamAgent = new http.Agent({ keepAlive: true });

const relay = http.createServer({ noDelay: true }, (req, res) => {
  // Headers parsed: the server's request has arrived (the body follows on the same connection).
  const arrivedUs = monotonicMicros();
  const upstream = http.request(
    { host: '127.0.0.1', port: double.port, method: req.method, path: req.url, headers: req.headers, agent: upstreamAgent },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (req.url !== '/api/chat' || !String(up.headers['content-type']).includes('ndjson')) {
        up.pipe(res);
        return;
      }
      const rate: StreamRate = { tokens: 0, firstUs: 0, lastUs: 0 };
      rates.push(rate);
      let pending = '';
      up.setEncoding('utf8');
      up.on('data', (chunk: string) => {
        pending += chunk;
        const end = pending.lastIndexOf('\n');
        if (end === -1) return;
        const lines = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        const stampUs = monotonicMicros();
        const count = lines.split(STAMP_PLACEHOLDER).length - 1;
        if (count > 0) {
          if (rate.tokens === 0) rate.firstUs = stampUs;
          rate.tokens += count;
          rate.lastUs = stampUs;
        }
        res.write(lines.replaceAll(STAMP_PLACEHOLDER, `:${stampUs}`).replace(REQUEST_PLACEHOLDER, `:${arrivedUs}`));
      });
      up.on('end', () => res.end(pending));
    },
  );
  upstream.on('socket', (socket) => socket.setNoDelay(true));
  upstream.on('error', () => res.destroy());
  // The server aborting its request must reach the double, as it would reach Ollama.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
});
relay.listen(0, '127.0.0.1');
await once(relay, 'listening');
const address: AddressInfo | string | null = relay.address();
if (address === null || typeof address === 'string') throw new Error('relay: no TCP address');
const { port } = address;

process.on('message', (raw: unknown) => {
  const command = doubleCommandSchema.parse(raw);
  if (command.type === 'configure') {
    answer = { tokens: command.tokens, tokenDelayMs: command.tokenDelayMs };
    rates = [];
    toParent({ type: 'configured' });
  } else if (command.type === 'rates') {
    const measured = rates.filter((r) => r.tokens > 1 && r.lastUs > r.firstUs);
    const perStream = measured.map((r) => ((r.tokens - 1) * 1e6) / (r.lastUs - r.firstUs));
    toParent({
      type: 'rates',
      streams: rates.length,
      meanTokensPerSecond: perStream.length > 0 ? perStream.reduce((a, b) => a + b, 0) / perStream.length : null,
    });
  } else {
    relay.closeAllConnections();
    relay.close();
    void double.close().then(() => process.exit(0));
  }
});
// The orchestrator died: do not linger.
process.on('disconnect', () => process.exit(0));

toParent({ type: 'ready', url: `http://127.0.0.1:${port}` });
