/**
 * A random id for a message the client is about to send. Uses getRandomValues rather than
 * randomUUID because the latter is missing on plain-http LAN addresses (e.g. testing on a phone).
 */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
