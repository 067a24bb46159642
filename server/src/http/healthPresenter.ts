import type { ConfigStatus, Health, HealthIssue, HealthReply } from '@aisle/shared';
import type { IncomingMessage } from 'node:http';

/** The issue in shopper-safe words: what a shopper can do about it is wait. */
function issueOf(health: Health): HealthIssue {
  if (!health.ollama.reachable) return { code: 'ollama-unreachable', message: "The assistant can't answer right now." };
  if (health.model.available === false) return { code: 'model-not-pulled', message: "The assistant isn't ready yet." };
  return null;
}

/** The health reply with every detail, for a signed-in agent or the developer on this machine. */
export function presentFullHealth(health: Health, config: ConfigStatus): HealthReply {
  return { ...health, issue: issueOf(health), config };
}

/** The health reply for anyone: status only, no host, upstream error, model name or command. */
export function presentPublicHealth(health: Health): HealthReply {
  return {
    ok: health.ok,
    issue: issueOf(health),
    ollama: { reachable: health.ollama.reachable },
    model: { available: health.model.available },
    catalogue: health.catalogue,
  };
}

const isLoopbackAddress = (address: string | null | undefined) =>
  address !== null && address !== undefined && /^(127\.|::1$|::ffff:127\.)/.test(address);

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * True for the quick-start developer: a server listening on loopback only, asked from this machine,
 * by a browser that opened it by a loopback name, with no proxy in between. A reverse proxy on the same
 * machine also connects from loopback, so any forwarding header, or a Host that is not a loopback name,
 * means "a shopper out there" whatever `server.trustProxy` says. Takes any request, so a socket's
 * handshake (same headers, same peer) gets the same answer.
 */
export function isLocalDeveloper(req: Pick<IncomingMessage, 'headers' | 'socket'>, listeningOn: string | null): boolean {
  const h = req.headers;
  return (
    isLoopbackAddress(listeningOn) &&
    isLoopbackAddress(req.socket.remoteAddress) &&
    h['x-forwarded-for'] === undefined &&
    h.forwarded === undefined &&
    h['x-real-ip'] === undefined &&
    typeof h.host === 'string' &&
    LOOPBACK_HOST.test(h.host)
  );
}
