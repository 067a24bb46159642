import { createHash, timingSafeEqual } from 'node:crypto';
import { fail } from '@aisle/shared';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger';

/** How /metrics is served: `metrics` in aisle.yaml. */
export interface MetricsAccess {
  enabled: boolean;
  token?: string | undefined;
}

/** Headers a reverse proxy adds: a request carrying one did not come from this machine directly. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * A direct request from this machine. The socket's address, not `req.ip`: with `trust proxy` on,
 * `req.ip` comes from X-Forwarded-For, which a client can write. And a proxy on this machine makes
 * every visitor look local, so a request with forwarding headers does not count.
 */
function isDirectLocal(req: Request): boolean {
  return isLoopback(req.socket.remoteAddress) && FORWARDING_HEADERS.every((h) => req.headers[h] === undefined);
}

/** Compares in constant time (hashing first makes the lengths equal). */
function isSameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * GET /metrics in the Prometheus text format. Off: a JSON 404, as for any unknown path. With a
 * token: `Authorization: Bearer <token>` or 401. Without one: only direct requests from this machine.
 * Read per request, so a hot-reloaded `metrics` section applies at once.
 */
export function metricsRoute(deps: {
  access: () => MetricsAccess;
  render: () => Promise<string>;
  contentType: string;
  logger: Logger;
}): RequestHandler {
  return async (req, res, next) => {
    const access = deps.access();
    if (!access.enabled) {
      res.status(404).json(fail('not-found', 'No such page.'));
      return;
    }
    if (access.token !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match?.[1] || !isSameToken(match[1], access.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="aisle-metrics"');
        res.status(401).json(fail('unauthorized', 'Metrics need a bearer token.'));
        return;
      }
    } else if (!isDirectLocal(req)) {
      res
        .status(403)
        .json(fail('forbidden', 'Metrics are only served to this machine.', 'Set metrics.token to read them from elsewhere.'));
      return;
    }
    try {
      const body = await deps.render();
      res.setHeader('Cache-Control', 'no-store');
      res.type(deps.contentType).send(body);
    } catch (err) {
      deps.logger.error({ err }, 'could not render metrics');
      next(err);
    }
  };
}
