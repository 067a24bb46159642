import { fail } from '@aisle/shared';
import type { NextFunction, Request, Response } from 'express';
import { isAllowedOrigin } from './origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated state changes: a request the browser marks as cross-site
 * (`Sec-Fetch-Site`), or one whose Origin is neither this server nor a configured origin, gets 403.
 * SameSite=Lax already keeps the cookie off most cross-site requests; this covers the rest (same-site
 * subdomains, older browsers) without tokens the client would have to carry.
 */
export function refuseCrossSite(allowedOrigins: () => readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || !isAllowedOrigin(req.headers.origin, req.headers.host, allowedOrigins())) {
      res.status(403).json(fail('forbidden', 'This request came from another site and was refused.'));
      return;
    }
    next();
  };
}
