import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';

/**
 * The key per-address limits use for a request: `req.ip` (so `server.trustProxy` decides which
 * X-Forwarded-For entry counts, the same derivation express-rate-limit uses for the API limits), with an
 * IPv6 client grouped by its /56, since one household or host can pick any address in it.
 */
export function clientAddressKey(req: Request): string {
  return req.ip ? ipKeyGenerator(req.ip) : 'unknown';
}
