/**
 * Small values the page keeps between visits: `localStorage` where the browser allows it, else a
 * cookie the page writes itself, partitioned (CHIPS) when the page is a frame on a shop's site. Inside
 * a shop's page the widget's frame is third-party, and Chromium with third-party cookies blocked refuses
 * it `localStorage`; a partitioned cookie is still allowed, keyed to the shop's site like the storage
 * would be. The server never reads these cookies. A page with every storage refused gets `null`.
 */

const MAX_AGE_S = 60 * 60 * 24 * 180;

/** Cookie names allow fewer characters than storage keys. */
const cookieName = (key: string) => `aisle_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;

function readCookie(key: string): string | null {
  const name = `${cookieName(key)}=`;
  const entry = document.cookie.split('; ').find((c) => c.startsWith(name));
  return entry === undefined || entry.length === name.length ? null : decodeURIComponent(entry.slice(name.length));
}

function writeCookie(key: string, value: string | null): void {
  const attributes = window.isSecureContext ? 'Path=/; Secure; SameSite=None; Partitioned' : 'Path=/; SameSite=Lax';
  document.cookie =
    value === null
      ? `${cookieName(key)}=; Max-Age=0; ${attributes}`
      : `${cookieName(key)}=${encodeURIComponent(value)}; Max-Age=${MAX_AGE_S}; ${attributes}`;
}

/** The stored value, or null. */
export function readItem(key: string): string | null {
  try {
    return globalThis.localStorage.getItem(key);
  } catch {
    try {
      return readCookie(key);
    } catch {
      return null;
    }
  }
}

/** Stores the value (null removes it); silently does nothing when every storage is refused. */
export function writeItem(key: string, value: string | null): void {
  try {
    if (value === null) globalThis.localStorage.removeItem(key);
    else globalThis.localStorage.setItem(key, value);
  } catch {
    try {
      writeCookie(key, value);
    } catch {
      // Nothing to fall back to: the chat works for this page view.
    }
  }
}
