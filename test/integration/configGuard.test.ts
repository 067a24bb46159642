import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@aisle/server';
import { createConfigStore, type ConfigStore } from '@aisle/server/config/configStore';
import { servedModelAvailability } from '@aisle/server/llm/modelHealth';
import type { ConfigStatus, Storefront } from '@aisle/shared';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, text, type OllamaDouble } from '../ollama-double';
import { api, createAgentAccount, signIn } from '../helpers/agentClient';
import { ask, openTab } from '../helpers/chatFlows';
import { FIXTURE_PRODUCTS } from '../helpers/fixtures';
import type { TestServer } from '../helpers/testServer';

let double: OllamaDouble;
let dataDir: string;
let file: string;
let store: ConfigStore;
let server: TestServer;

/** The shop's aisle.yaml, as an operator would edit it. */
function yaml(model: string, extra = ''): string {
  return [
    `dataDir: ${JSON.stringify(dataDir)}`,
    `ollama:\n  host: ${double.url}\n  busyRetryBaseMs: 20`,
    `chat:\n  model: "${model}"\n  coalesceMs: 0`,
    'catalogue:\n  loadDemoWhenEmpty: false',
    'log:\n  level: silent',
    extra,
    '',
  ].join('\n');
}

/**
 * The server as `index.ts` wires it: a config store watching aisle.yaml that asks the hosts about
 * an edited model, and the app reading the config (and its status) from that store.
 */
async function startWatchedServer(): Promise<TestServer> {
  const logger = pino({ level: 'silent' });
  store = createConfigStore({
    file,
    env: {},
    cwd: dataDir,
    logger,
    debounceMs: 50,
    checkModels: (next) => servedModelAvailability({ config: next }),
  });
  const app = await createApp({ config: () => store.current(), configStatus: () => store.status(), logger, clientDist: null });
  await app.products.upsertMany(FIXTURE_PRODUCTS);
  const url = await app.listen(0, '127.0.0.1');
  const self: TestServer = {
    app,
    url,
    dataDir,
    config: store.current(),
    reconfigure() {
      throw new Error('This server reloads from aisle.yaml through its config store: edit the file instead.');
    },
    async shopper() {
      const res = await fetch(`${url}/api/session`);
      return openTab(self, (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '');
    },
    async close() {
      store.close();
      await app.close();
    },
  };
  return self;
}

function nextReject(): Promise<string[]> {
  return new Promise((resolve) => {
    const off = store.onReject((problems) => {
      off();
      resolve(problems);
    });
  });
}

function nextChange(): Promise<void> {
  return new Promise((resolve) => {
    const off = store.onChange(() => {
      off();
      resolve();
    });
  });
}

beforeEach(async () => {
  double = await startOllamaDouble();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-guard-'));
  file = path.join(dataDir, 'aisle.yaml');
  fs.writeFileSync(file, yaml('qwen3:4b'));
  server = await startWatchedServer();
});

afterEach(async () => {
  await server.close();
  await double.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('a config edit must not take the shop down', () => {
  it('refuses a chat model no host has: answers keep the old model and agents see why', async () => {
    const admin = await createAgentAccount(server, { email: 'admin@shop.example', role: 'admin' });
    const cookie = await signIn(server, admin);
    const before = store.current().version;

    // qwen3:32b is not among the models the double lists in /api/tags.
    const refused = nextReject();
    fs.writeFileSync(file, yaml('qwen3:32b'));
    expect((await refused).join('\n')).toContain('qwen3:32b');

    double.enqueueChat({ chunks: text('The Stormline keeps you dry.') });
    const shopper = await server.shopper();
    const answer = await ask(shopper, 'rain jacket');
    expect(answer.message.status).toBe('complete');
    expect(double.chatRequests().map((r) => r.model)).toEqual(['qwen3:4b']);

    const status = await api<ConfigStatus>(server, 'GET', '/api/agent/config', { cookie });
    expect(status.status).toBe(200);
    expect(status.body.ok && status.body.data.version).toBe(before);
    const reason = status.body.ok ? (status.body.data.refused?.reason ?? '') : '';
    expect(reason).toContain('qwen3:32b');
    expect(reason).toContain('ollama pull qwen3:32b');
    expect(reason).toContain(double.url);

    // Shoppers and signed-out callers do not get the reason (it names internal hosts).
    const anonymous = await api<ConfigStatus>(server, 'GET', '/api/agent/config');
    expect(anonymous.status).toBe(401);
  });

  it('applies a chat model a host has, and answers use it', async () => {
    const applied = nextChange();
    fs.writeFileSync(file, yaml('qwen3:8b'));
    await applied;
    expect(store.status().refused).toBeUndefined();

    double.enqueueChat({ chunks: text('The Stormline keeps you dry.') });
    const shopper = await server.shopper();
    await ask(shopper, 'rain jacket');
    expect(double.chatRequests().map((r) => r.model)).toEqual(['qwen3:8b']);
  });

  it('accepts the edit unchecked when no host can be reached, rather than freezing the config', async () => {
    await double.setDown(true);
    const applied = nextChange();
    fs.writeFileSync(file, yaml('qwen3:32b'));
    await applied;
    expect(store.current().config.chat.model).toBe('qwen3:32b');
    expect(store.status().unverified?.reason).toContain('qwen3:32b');
  });
});

describe('storefront link domains', () => {
  it("are the catalogue's product link domains by default, and the config's once it names some", async () => {
    const [first] = FIXTURE_PRODUCTS;
    if (!first) throw new Error('no fixture products');
    await server.app.products.upsertMany([
      { ...first, link: 'https://www.outdoor-shop.example/p/1?ref=feed' },
      { ...first, id: 'LINK-2', link: 'https://outlet.outdoor-shop.example:8443/p/2' },
      { ...first, id: 'LINK-3', link: 'https://outdoor-shop.example@evil.example/p/3' },
      { ...first, id: 'LINK-4', link: 'javascript:alert(1)' },
    ]);
    const derived = await api<Storefront>(server, 'GET', '/api/storefront');
    expect(derived.body).toEqual({
      ok: true,
      data: expect.objectContaining({ linkDomains: ['outdoor-shop.example', 'outlet.outdoor-shop.example'] }),
    });

    const applied = nextChange();
    fs.writeFileSync(file, yaml('qwen3:4b', 'storefront:\n  linkDomains: [Shop.Example, help.shop.example]'));
    await applied;
    const configured = await api<Storefront>(server, 'GET', '/api/storefront');
    expect(configured.body).toEqual({
      ok: true,
      data: expect.objectContaining({ linkDomains: ['shop.example', 'help.shop.example'] }),
    });
  });
});
