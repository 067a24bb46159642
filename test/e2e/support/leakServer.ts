import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on another loopback address that counts every request: a stand-in for an attacker's host. */
export interface LeakServer {
  /** e.g. `http://127.0.0.2:40123` */
  url: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.2 (a different origin from the app on 127.0.0.1, still loopback, so nothing
 * leaves the machine). Linux routes all of 127.0.0.0/8 to loopback.
 */
export async function startLeakServer(host = '127.0.0.2'): Promise<LeakServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/gif' });
    res.end(Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'));
  });
  server.listen(0, host);
  await once(server, 'listening');
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('leak server: no TCP address');
  const { port } = address;
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
