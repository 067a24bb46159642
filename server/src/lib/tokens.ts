import { createHash } from 'node:crypto';

/** The database keeps only this hash of a session token (shopper or agent), never the token itself. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
