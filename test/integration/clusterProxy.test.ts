import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { storefrontSchema, type ShopperClientEvents, type ShopperServerEvents } from '@aisle/shared';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBackend, startRoundRobinProxy, type RoundRobinProxy } from '../bench/cluster/roundRobinProxy';
import { collectDeltas, nextEvent, startTestServer, type TestServer } from '../helpers/testServer';
import { startOllamaDouble, type OllamaDouble } from '../ollama-double';

/**
 * The round-robin proxy of `pnpm bench:cluster` in front of two real Aisle nodes that share one data
 * dir (one SQLite file), as the bench runs them: each new connection goes to the next node, and a
 * Socket.IO WebSocket passes through with its streamed answer.
 */
let double: OllamaDouble;
let nodes: TestServer[];
let proxy: RoundRobinProxy;

beforeEach(async () => {
  double = await startOllamaDouble();
  const first = await startTestServer({ ollamaUrl: double.url, config: { brand: { name: 'Node A' } } });
  // The second node opens the same data dir after the first has migrated it, as the bench starts them.
  const second = await startTestServer({ ollamaUrl: double.url, dataDir: first.dataDir, config: { brand: { name: 'Node B' } } });
  nodes = [first, second];
  proxy = await startRoundRobinProxy(nodes.map((n) => parseBackend(n.url)));
});
afterEach(async () => {
  await proxy.close();
  for (const node of [...nodes].reverse()) await node.close();
  await double.close();
});

/** GET on a connection of its own (no keep-alive), so every request is a new connection to the proxy. */
function getOnNewConnection(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

async function brandBehindProxy(): Promise<string> {
  const res = await getOnNewConnection(`${proxy.url}/api/storefront`);
  expect(res.status).toBe(200);
  const reply = JSON.parse(res.body) as { ok: boolean; data: unknown };
  return storefrontSchema.parse(reply.data).brand.name;
}

type ShopperSocket = Socket<ShopperServerEvents, ShopperClientEvents>;

function connectWebSocket(cookie: string): Promise<ShopperSocket> {
  const socket: ShopperSocket = connect(proxy.url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('pnpm bench:cluster: the round-robin proxy', () => {
  it('hands each new connection to the next node in turn', async () => {
    const brands = [];
    for (let i = 0; i < 4; i++) brands.push(await brandBehindProxy());
    expect(brands).toEqual(['Node A', 'Node B', 'Node A', 'Node B']);
    expect(proxy.connectionsPerBackend()).toEqual([2, 2]);
  });

  it('passes the WebSocket upgrade through, and an answer streams from the node the socket landed on', async () => {
    // The session is made on node A; the sockets land on B, then A: the shared database knows it on both.
    const session = await getOnNewConnection(`${proxy.url}/api/session`);
    expect(session.status).toBe(200);
    const cookie = String(session.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/=/);

    const onB = await connectWebSocket(cookie);
    const onA = await connectWebSocket(cookie);
    try {
      expect(onB.io.engine.transport.name).toBe('websocket');
      expect(nodes.map((n) => n.app.io.of('/').sockets.size)).toEqual([1, 1]);
      expect(proxy.connectionsPerBackend()).toEqual([2, 1]);

      const deltas = collectDeltas(onB);
      const completed = nextEvent(onB, 'chat:completed');
      const ack = await new Promise<{ ok: boolean }>((resolve) =>
        onB.emit('chat:send', { clientMessageId: 'cluster-proxy-0001', text: 'Waterproof trail shoes, size 44' }, resolve),
      );
      expect(ack.ok).toBe(true);
      const { message } = await completed;
      expect(message.status).toBe('complete');
      expect(message.content.length).toBeGreaterThan(0);
      expect(deltas.text(message.id)).toBe(message.content);
      expect(message.products.length).toBeGreaterThan(0);
    } finally {
      onB.close();
      onA.close();
    }
  });

  it('closes a connection whose node is gone, and refuses to start without nodes', async () => {
    // A port that was just free: nothing listens there.
    const gone = net.createServer().listen(0, '127.0.0.1');
    await once(gone, 'listening');
    const { port } = gone.address() as net.AddressInfo;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const dead = await startRoundRobinProxy([{ host: '127.0.0.1', port }]);
    try {
      await expect(getOnNewConnection(`${dead.url}/api/storefront`)).rejects.toThrow();
    } finally {
      await dead.close();
    }
    await expect(startRoundRobinProxy([])).rejects.toThrow(/at least one backend/);
    expect(() => parseBackend('no-port')).toThrow(/host:port/);
  });
});
