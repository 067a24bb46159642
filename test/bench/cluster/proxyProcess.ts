/**
 * Child process of `pnpm bench:cluster`: the round-robin proxy in a process of its own, so its CPU is
 * read apart from the nodes' and its piping does not share the orchestrator's event loop.
 *
 *   node --import tsx test/bench/cluster/proxyProcess.ts 127.0.0.1:4001 127.0.0.1:4002 ...
 *
 * Tells its parent `{ type: 'ready', url }`; answers `{ type: 'stats' }` with the connections each node
 * got; exits on `{ type: 'close' }` or when the parent goes.
 */
import { z } from 'zod';
import { parseBackend, startRoundRobinProxy } from './roundRobinProxy';

export const proxyCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('stats') }),
  z.object({ type: z.literal('close') }),
]);

export const proxyReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({ type: z.literal('stats'), connections: z.array(z.number()) }),
]);
type ProxyReply = z.infer<typeof proxyReplySchema>;

function toParent(message: ProxyReply): void {
  process.send?.(message);
}

// Only when run as the child: the bench imports the schemas above from this file.
if (process.send) {
  const proxy = await startRoundRobinProxy(process.argv.slice(2).map(parseBackend));
  process.on('message', (raw: unknown) => {
    const command = proxyCommandSchema.parse(raw);
    if (command.type === 'stats') toParent({ type: 'stats', connections: proxy.connectionsPerBackend() });
    else void proxy.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  toParent({ type: 'ready', url: proxy.url });
}
