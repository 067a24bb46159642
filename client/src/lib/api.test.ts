/// <reference types="node" />
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { agentSchema, emptyReplySchema, type AppErrorBody } from '@aisle/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClientOptions } from './api';

interface Reply {
  status: number;
  type: string;
  body: string;
}

const agent = {
  id: 'a1',
  email: 'sam@example.com',
  name: 'Sam',
  role: 'agent',
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** What the local server answers per path; the request it saw last is kept for assertions. */
const replies: Record<string, Reply> = {
  '/valid': { status: 200, type: 'application/json', body: JSON.stringify({ ok: true, data: agent }) },
  '/refused': {
    status: 401,
    type: 'application/json',
    body: JSON.stringify({ ok: false, error: { code: 'unauthorized', message: 'Sign in to the agent console.' } }),
  },
  '/unknown-code': {
    status: 418,
    type: 'application/json',
    body: JSON.stringify({ ok: false, error: { code: 'from-the-future', message: 'Newer server.', hint: 'Update.' } }),
  },
  '/gateway': { status: 502, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
  '/html': { status: 200, type: 'text/html', body: '<!doctype html><title>Aisle</title>' },
  '/mismatch': {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({ ok: true, data: { ...agent, role: 'owner' } }),
  },
  '/not-envelope': { status: 200, type: 'application/json', body: JSON.stringify(agent) },
  '/null': { status: 200, type: 'application/json', body: JSON.stringify({ ok: true, data: null }) },
};

let server: Server;
let baseUrl = '';
let lastRequest: { method: string; contentType: string | undefined; body: string } | null = null;

/** The address a server listening on port 0 got. */
function urlOf(listening: Server): string {
  const address = listening.address();
  if (address === null || typeof address === 'string') throw new Error('The test server is not listening on TCP.');
  return `http://127.0.0.1:${address.port}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readBody(req).then((body) => {
      lastRequest = { method: req.method ?? '', contentType: req.headers['content-type'], body };
      const reply = replies[req.url ?? ''] ?? { status: 404, type: 'text/plain', body: 'no such path' };
      res.writeHead(reply.status, { 'content-type': reply.type }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = urlOf(server);
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

function client(extra: Partial<ApiClientOptions> = {}) {
  return createApiClient({ reader: 'the app', unreachableHint: 'Reload.', baseUrl, ...extra });
}

describe('createApiClient', () => {
  it('returns the reply data once it passes the shared schema', async () => {
    const result = await client()('/valid', { schema: agentSchema });
    expect(result).toEqual({ ok: true, data: agent });
  });

  it('sends the body as JSON with its content type', async () => {
    await client()('/null', { method: 'POST', body: { email: 'sam@example.com' }, schema: emptyReplySchema });
    expect(lastRequest).toEqual({
      method: 'POST',
      contentType: 'application/json',
      body: JSON.stringify({ email: 'sam@example.com' }),
    });
  });

  it('hands back an error reply as it came and tells onRefused its status', async () => {
    const refused: Array<[AppErrorBody, number]> = [];
    const result = await client({ onRefused: (error, status) => refused.push([error, status]) })('/refused', {
      schema: agentSchema,
    });
    const error = { code: 'unauthorized', message: 'Sign in to the agent console.' };
    expect(result).toEqual({ ok: false, error });
    expect(refused).toEqual([[error, 401]]);
  });

  it('shows an error code it does not know as a general failure, keeping message and hint', async () => {
    const result = await client()('/unknown-code', { schema: agentSchema });
    expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'Newer server.', hint: 'Update.' } });
  });

  it("treats a proxy's 502 page as the server being unreachable", async () => {
    const result = await client()('/gateway', { schema: agentSchema });
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: "Can't reach the Aisle server.", hint: 'Reload.' },
    });
  });

  it('reports a non-JSON reply from the server itself as a bad reply with its status', async () => {
    const result = await client({ reader: 'the console' })('/html', { schema: agentSchema });
    expect(result).toEqual({
      ok: false,
      error: { code: 'bad-reply', message: 'The server sent a reply the console could not read. (HTTP 200)' },
    });
  });

  it('turns data that fails the schema into a bad-reply error', async () => {
    const result = await client()('/mismatch', { schema: agentSchema });
    expect(result).toEqual({
      ok: false,
      error: { code: 'bad-reply', message: 'The server sent a reply the app could not read.' },
    });
  });

  it('turns JSON outside the envelope into a bad-reply error', async () => {
    const result = await client()('/not-envelope', { schema: agentSchema });
    expect(result.ok).toBe(false);
    expect(result.ok ? null : result.error.code).toBe('bad-reply');
  });

  it('reports a server that does not answer as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = urlOf(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const result = await client({ baseUrl: deadUrl })('/valid', { schema: agentSchema });
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: "Can't reach the Aisle server.", hint: 'Reload.' },
    });
  });
});
