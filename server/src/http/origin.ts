/**
 * True when a browser Origin may talk to this server: its own origin (same host as the request) or
 * one configured in `server.allowedOrigins`. A missing Origin (same-origin GET, non-browser client)
 * is allowed: such requests cannot be forged cross-site with the shopper's cookie.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host && url.host === host) return true;
  return allowed.some((a) => new URL(a).origin === url.origin);
}
