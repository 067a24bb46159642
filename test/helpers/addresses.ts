import http from 'node:http';
import type { Result, SessionInfo } from '@aisle/shared';
import { openTab } from './chatFlows';
import type { Shopper, TestServer } from './testServer';

/**
 * Clients from distinct network addresses on one machine. Linux routes all of 127.0.0.0/8 to the
 * loopback interface, so a client that binds its end to 127.0.0.2 reaches a server on 127.0.0.1 and is
 * seen there as 127.0.0.2: the server tells addresses apart from the socket, as it does in production.
 */

/** A loopback address other than 127.0.0.1, e.g. `loopback(2)` = 127.0.0.2. */
export function loopback(n: number): string {
  return `127.0.0.${n}`;
}

/** What `GET /api/session` answered. */
export interface SessionReply {
  status: number;
  /** `name=value` of the session cookie set, or '' when none was. */
  cookie: string;
  retryAfter: string | undefined;
  body: Result<SessionInfo>;
}

/** `GET /api/session` from `address`, with `cookie` when given (a returning browser). */
export function sessionFrom(url: string, address: string, cookie?: string): Promise<SessionReply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/api/session`,
      { localAddress: address, headers: cookie ? { cookie } : {}, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie']?.[0] ?? '';
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            cookie: setCookie.split(';')[0] ?? '',
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: JSON.parse(text) as Result<SessionInfo>,
          });
        });
      },
    );
    req.on('error', reject);
  });
}

/** A new shopper (new session, real socket) whose connections come from `address`. */
export async function shopperFrom(server: TestServer, address: string): Promise<Shopper> {
  const session = await sessionFrom(server.url, address);
  if (session.status !== 200 || session.cookie === '') throw new Error(`GET /api/session answered ${session.status}`);
  return tabFrom(server, address, session.cookie);
}

/** A socket from `address` presenting an existing session cookie. */
export function tabFrom(server: TestServer, address: string, cookie: string): Promise<Shopper> {
  return openTab(server, cookie, { localAddress: address });
}
