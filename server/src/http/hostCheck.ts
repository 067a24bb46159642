import { isIP } from 'node:net';
import { fail } from '@aisle/shared';
import type { NextFunction, Request, Response } from 'express';

/** The names this server answers to, from `server.publicUrl` and `server.allowedHosts`. */
export interface HostPolicy {
  publicUrl: string | null;
  allowedHosts: readonly string[];
}

/** Names a browser only ever resolves to this machine: the quick start works on any port. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `hostname` and `port` of a Host header value, lowercased, without a trailing dot; null when malformed. */
function parseHost(value: string): { hostname: string; port: string } | null {
  try {
    const url = new URL(`http://${value}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    return { hostname: url.hostname.toLowerCase().replace(/\.$/, ''), port: url.port };
  } catch {
    return null;
  }
}

/**
 * True when a request's Host header names this server. DNS rebinding points an attacker's name at this
 * machine, so its page becomes "same origin" with it: Host and Origin then both say `attacker.example`,
 * and only checking Host against our own names catches it. Loopback names and IP addresses are always
 * accepted (an address is no name an attacker's DNS could rebind); other names must be the
 * `publicUrl`'s host or listed in `allowedHosts` (an entry with a port matches that port only). A
 * request with no Host at all (HTTP/1.0) comes from no browser and passes.
 */
export function isAllowedHost(host: string | undefined, policy: HostPolicy): boolean {
  if (host === undefined) return true;
  const parsed = parseHost(host);
  if (!parsed) return false;
  if (LOOPBACK_NAMES.has(parsed.hostname) || isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0) return true;
  const names = [...policy.allowedHosts, ...(policy.publicUrl ? [new URL(policy.publicUrl).host] : [])];
  return names.some((name) => {
    const allowed = parseHost(name);
    return allowed !== null && allowed.hostname === parsed.hostname && (allowed.port === '' || allowed.port === parsed.port);
  });
}

/** Origins allowed besides the request's own: `allowedOrigins` and the origin of `publicUrl`. */
export function allowedOriginsOf(server: HostPolicy & { allowedOrigins: readonly string[] }): string[] {
  return [...server.allowedOrigins, ...(server.publicUrl ? [new URL(server.publicUrl).origin] : [])];
}

/** Answers every request whose Host is not one of this server's names with 421 JSON. */
export function refuseForeignHost(policy: () => HostPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isAllowedHost(req.headers.host, policy())) return next();
    res
      .status(421)
      .json(
        fail(
          'forbidden',
          'This server does not answer to that name.',
          'Open it at its own address, or add the name to server.allowedHosts.',
        ),
      );
  };
}
