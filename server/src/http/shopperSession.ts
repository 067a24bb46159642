import { randomBytes } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import { fail } from '@aisle/shared';
import type { NextFunction, Request, Response } from 'express';
import type { ConversationRepository } from '../db/conversationRepository';
import { hashToken } from '../lib/tokens';

export const SESSION_COOKIE = 'aisle_sid';
const MAX_AGE_S = 60 * 60 * 24 * 180;

export { hashToken };

/** Reads the session token from a Cookie header (`__Host-` variant first, used over https). */
export function tokenFromCookieHeader(header: string | undefined): string | null {
  if (!header) return null;
  const cookies = parseCookie(header);
  const token = cookies[`__Host-${SESSION_COOKIE}`] ?? cookies[SESSION_COOKIE];
  return token && /^[A-Za-z0-9_-]{32,64}$/.test(token) ? token : null;
}

/** The shopper's session hash, set by `shopperSession` (kept in `res.locals`, typed here). */
export function sessionHashOf(res: Response): string {
  const hash: unknown = res.locals.shopperSessionHash;
  if (typeof hash !== 'string') throw new Error('shopperSession middleware did not run');
  return hash;
}

/** Whether a new session may be created for this request, or how long to wait (per address). */
export type NewSessionGate = (req: Request) => Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;

/**
 * Gives every browser an httpOnly session cookie: conversations belong to it, and an id alone never
 * grants access. The cookie is `Secure` with the `__Host-` prefix when the request came over https.
 * Only creating a session passes `allowNewSession`: a browser with a valid session is never counted,
 * and a made-up cookie is counted like none (it creates a session all the same).
 */
export function shopperSession(conversations: ConversationRepository, allowNewSession?: NewSessionGate) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const token = tokenFromCookieHeader(req.headers.cookie);
      if (token && (await conversations.touchSession(hashToken(token)))) {
        res.locals.shopperSessionHash = hashToken(token);
        return next();
      }
      const gate = (await allowNewSession?.(req)) ?? { ok: true };
      if (!gate.ok) {
        const seconds = Math.max(1, Math.ceil(gate.retryAfterMs / 1000));
        res.setHeader('Retry-After', String(seconds));
        res
          .status(429)
          .json(fail('rate-limited', 'Too many new chats were started from your network.', 'Please try again in a minute.'));
        return;
      }
      const fresh = randomBytes(32).toString('base64url');
      await conversations.createSession(hashToken(fresh));
      const secure = req.secure;
      res.cookie(secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE, fresh, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: MAX_AGE_S * 1000,
      });
      res.locals.shopperSessionHash = hashToken(fresh);
      next();
    } catch (err) {
      next(err);
    }
  };
}
