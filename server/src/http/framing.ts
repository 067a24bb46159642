import type { NextFunction, Request, Response } from 'express';

/**
 * Who may put Aisle's pages in a frame. Every page refuses framing (`frame-ancestors 'none'`,
 * `X-Frame-Options: DENY`) against clickjacking, except the widget's panel at `/embed`, which the
 * shops in `widget.allowedOrigins` frame on their own pages (and Aisle itself, for previews).
 *
 * The panel is Aisle's own origin inside the frame: its fetches and its socket come from Aisle's
 * origin, so the socket and CSRF Origin checks need no widget origins at all. Letting the shop's
 * origin open sockets would only let the shop's page scripts (or anything injected into them) talk
 * to Aisle directly. The parent's origin matters for framing only, and that is decided here.
 */

/** The widget's panel; the only page that may be framed. */
export const EMBED_PATH = '/embed';

/** True for the panel's page (`/embed`, `/embed/…`), whatever the query. */
export function isEmbedPath(pathOrUrl: string): boolean {
  const path = pathOrUrl.split(/[?#]/, 1)[0] ?? '';
  return path === EMBED_PATH || path.startsWith(`${EMBED_PATH}/`);
}

/** Origins (scheme://host[:port]) of the configured shop URLs. */
function originsOf(allowed: readonly string[]): string[] {
  return allowed.map((o) => new URL(o).origin);
}

/** The `frame-ancestors` source list for a request URL: `'self'` + the shops for `/embed`, `'none'` elsewhere. */
export function frameAncestorsFor(path: string, allowedOrigins: readonly string[]): string {
  return isEmbedPath(path) ? ["'self'", ...originsOf(allowedOrigins)].join(' ') : "'none'";
}

/**
 * `X-Frame-Options: DENY` on every page but `/embed`. It cannot name other origins, and browsers that
 * know `frame-ancestors` ignore it anyway, so the panel goes without; CSP guards it.
 */
export function frameOptions() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!isEmbedPath(req.path)) res.setHeader('X-Frame-Options', 'DENY');
    next();
  };
}

/** The origin of a URL, or null when it is not an absolute http(s) URL. */
function originOfUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Refuses the panel with 403 when the browser says it is loading it in a frame (`Sec-Fetch-Dest`) for a
 * page (`Referer`, an origin at least under the default referrer policy) that is neither Aisle nor an
 * allowed shop. Best effort: a page may send no Referer, and then CSP `frame-ancestors` still stops the
 * browser from showing the panel. Opening `/embed` directly is allowed; it is just a compact chat page.
 */
export function refuseForeignFramer(allowedOrigins: () => readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const dest = req.headers['sec-fetch-dest'];
    if (dest !== 'iframe' && dest !== 'frame') return next();
    const ancestor = originOfUrl(req.headers.referer);
    if (ancestor === null) return next();
    const own = `${req.protocol}://${req.headers.host ?? ''}`;
    if (ancestor === own || originsOf(allowedOrigins()).includes(ancestor)) return next();
    res
      .status(403)
      .type('text/plain')
      .send('This page may not show the shopping assistant.');
  };
}

/**
 * The loader (`/widget.js`) runs on the shops' pages, so it must load cross-origin despite helmet's
 * `Cross-Origin-Resource-Policy: same-origin`; it holds no data.
 */
export function shareWidgetScript() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    next();
  };
}
