/**
 * The simplest balancer that can sit in front of several Aisle nodes: TCP-level, round robin per new
 * connection, bytes piped both ways untouched. Because it never parses HTTP, a WebSocket upgrade
 * passes through as it would through any layer-4 balancer (HAProxy `mode tcp`, an AWS NLB), and a
 * connection stays on the node it was given for its whole life. It is not sticky across connections:
 * Socket.IO's HTTP long-polling (several requests, maybe several connections) would need that, which is
 * why the bench's shoppers connect with `transports: ['websocket']` (see the README, "When one machine
 * is not enough"). Used by `pnpm bench:cluster` and tested in test/integration/clusterProxy.test.ts.
 */
import { once } from 'node:events';
import net from 'node:net';

/** A node behind the proxy. */
export interface Backend {
  host: string;
  port: number;
}

export interface RoundRobinProxy {
  /** `http://<host>:<port>`: where clients connect. */
  url: string;
  port: number;
  /** Connections handed to each backend so far, in the order the backends were given. */
  connectionsPerBackend(): number[];
  /** Stops accepting and cuts every open connection. */
  close(): Promise<void>;
}

/** Reads `host:port` or `http://host:port` into a backend. */
export function parseBackend(text: string): Backend {
  const url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `tcp://${text}`);
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`a backend is host:port or http://host:port, got "${text}"`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * Listens on `host:port` (port 0: any free port) and hands each new connection to the next backend in
 * turn. A backend that refuses the connection closes the client's connection (no retry on another
 * node: a real balancer's health check would have taken it out).
 */
export async function startRoundRobinProxy(
  backends: Backend[],
  options: { host?: string; port?: number } = {},
): Promise<RoundRobinProxy> {
  if (backends.length === 0) throw new Error('the proxy needs at least one backend');
  const counts = backends.map(() => 0);
  const open = new Set<net.Socket>();
  let next = 0;

  const server = net.createServer({ noDelay: true }, (client) => {
    const index = next;
    next = (next + 1) % backends.length;
    const backend = backends[index];
    if (!backend) return;
    counts[index] = (counts[index] ?? 0) + 1;
    const upstream = net.connect({ host: backend.host, port: backend.port, noDelay: true });
    open.add(client);
    open.add(upstream);
    // Either side ending or failing ends both: a half-open pair would hold a node's socket forever.
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    connectionsPerBackend: () => [...counts],
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      open.clear();
      await closed;
    },
  };
}
