import { randomBytes } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import { fail, ok } from '@aisle/shared';
import type { NextFunction, Request, Response } from 'express';
import type { ConversationRepository } from '../db/conversationRepository';
import { hashToken } from '../lib/tokens';

export const SESSION_COOKIE = 'aisle_sid';
const MAX_AGE_S = 60 * 60 * 24 * 180;

export { hashToken };

/** The shape of every session token this server hands out (32 random bytes, base64url). */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,64}$/;

/** A session token in the shape this server hands out, or null: anything else is never looked up. */
export function validToken(value: unknown): string | null {
  return typeof value === 'string' && TOKEN_PATTERN.test(value) ? value : null;
}

/** Reads the session token from a Cookie header (`__Host-` variant first, used over https). */
export function tokenFromCookieHeader(header: string | undefined): string | null {
  if (!header) return null;
  const cookies = parseCookie(header);
  return validToken(cookies[`__Host-${SESSION_COOKIE}`] ?? cookies[SESSION_COOKIE]);
}

/**
 * The session token of an `Authorization: Bearer` header, `undefined` when there is no such header and
 * null when there is one this server never issued. The embedded widget uses it: inside a shop's page
 * its frame is third-party, and browsers block third-party cookies, so it keeps the token in its own
 * (per-shop partitioned) storage. A bearer header is never sent by the browser on its own, so requests
 * carrying one cannot be forged cross-site the way cookie requests can.
 */
export function tokenFromAuthorization(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? validToken(match[1]) : null;
}

/** A new random session token; only its hash is stored. */
function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Refuses a new session with 429 and Retry-After when the gate says so; true when refused. */
async function refusedNewSession(req: Request, res: Response, allowNewSession?: NewSessionGate): Promise<boolean> {
  const gate = (await allowNewSession?.(req)) ?? { ok: true };
  if (gate.ok) return false;
  const seconds = Math.max(1, Math.ceil(gate.retryAfterMs / 1000));
  res.setHeader('Retry-After', String(seconds));
  res.status(429).json(fail('rate-limited', 'Too many new chats were started from your network.', 'Please try again in a minute.'));
  return true;
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
      // A bearer token stands alone: an unknown one is refused rather than swapped for a cookie session
      // the widget could not keep, so the widget learns to ask for a new token.
      const bearer = tokenFromAuthorization(req.headers.authorization);
      if (bearer !== undefined) {
        if (bearer !== null && (await conversations.touchSession(hashToken(bearer)))) {
          res.locals.shopperSessionHash = hashToken(bearer);
          return next();
        }
        res.status(401).json(fail('unauthorized', 'This chat session has ended.', 'Reload the page to start a new chat.'));
        return;
      }
      const token = tokenFromCookieHeader(req.headers.cookie);
      if (token && (await conversations.touchSession(hashToken(token)))) {
        res.locals.shopperSessionHash = hashToken(token);
        return next();
      }
      if (await refusedNewSession(req, res, allowNewSession)) return;
      const fresh = newToken();
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

/**
 * `POST /api/session/token`: a new session whose token is returned in the body instead of a cookie,
 * for the embedded widget (see `tokenFromAuthorization`). Counted like any new session. The reply is
 * readable only by Aisle's own pages: no CORS header is ever sent.
 */
export function issueSessionToken(conversations: ConversationRepository, allowNewSession?: NewSessionGate) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      if (await refusedNewSession(req, res, allowNewSession)) return;
      const token = newToken();
      await conversations.createSession(hashToken(token));
      res.setHeader('Cache-Control', 'no-store');
      res.json(ok({ token }));
    } catch (err) {
      next(err);
    }
  };
}
