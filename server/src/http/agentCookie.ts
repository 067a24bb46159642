import { parse as parseCookie } from 'cookie';
import type { Response } from 'express';

/** Name of the agent session cookie (`__Host-aisle_agent` over https). */
export const AGENT_COOKIE = 'aisle_agent';

/** Reads the agent session token from a Cookie header (the `__Host-` variant first). */
export function agentTokenFromCookieHeader(header: string | undefined): string | null {
  if (!header) return null;
  const cookies = parseCookie(header);
  const token = cookies[`__Host-${AGENT_COOKIE}`] ?? cookies[AGENT_COOKIE];
  return token && /^[A-Za-z0-9_-]{32,64}$/.test(token) ? token : null;
}

/** Sets the session cookie: httpOnly, SameSite=Lax, and `Secure` with the `__Host-` prefix over https. */
export function setAgentCookie(res: Response, token: string, secure: boolean, maxAgeMs: number): void {
  res.cookie(secure ? `__Host-${AGENT_COOKIE}` : AGENT_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: maxAgeMs,
  });
}

/** Clears both cookie variants. */
export function clearAgentCookie(res: Response, secure: boolean): void {
  res.clearCookie(AGENT_COOKIE, { httpOnly: true, sameSite: 'lax', secure: false, path: '/' });
  if (secure) res.clearCookie(`__Host-${AGENT_COOKIE}`, { httpOnly: true, sameSite: 'lax', secure: true, path: '/' });
}
