import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An 8×6 PNG: small, but a real image the browser decodes (naturalWidth 8). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEUlEQVR4nGM4UaGBFTEMpAQA5jNDgbfBAhwAAAAASUVORK5CYII=',
  'base64',
);

/** A stand-in for a shop's image CDN: another origin that serves product photos and counts requests. */
export interface ImageServer {
  /** e.g. `http://127.0.0.1:40123`: same host as the app, another port, so another origin. */
  url: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the same PNG at every path, on a free port of 127.0.0.1. */
export async function startImageServer(host = '127.0.0.1'): Promise<ImageServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': PNG.length, 'Cache-Control': 'no-store' });
    res.end(PNG);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('image server: no TCP address');
  return {
    url: `http://${host}:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
