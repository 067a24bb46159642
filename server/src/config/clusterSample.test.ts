import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from './configSchema';
import { parseConfig } from './loadConfig';

const SAMPLE = path.resolve(import.meta.dirname, '../../../docs/aisle.cluster.yaml');

/**
 * The `database` and `redis` sections come with the PostgreSQL and Redis stores. Until this schema has
 * them, the test checks their shape itself and leaves them out of the strict parse; once it has them,
 * the schema parses them like everything else. Every other field is parsed strictly (unknown keys fail).
 */
const PENDING_SECTIONS = [
  { key: 'database', url: /^postgres(ql)?:\/\/[^/\s]+\/\w+$/ },
  { key: 'redis', url: /^rediss?:\/\/[^/\s]+(\/\d+)?$/ },
] as const;

function sampleWithoutPendingSections(): Record<string, unknown> {
  const raw: unknown = parse(fs.readFileSync(SAMPLE, 'utf8'));
  expect(raw).toBeTypeOf('object');
  const config = { ...(raw as Record<string, unknown>) };
  const known: Record<string, unknown> = configSchema.shape;
  for (const { key, url } of PENDING_SECTIONS) {
    const section = config[key];
    expect(section, `docs/aisle.cluster.yaml has no ${key} section`).toBeDefined();
    if (key in known) continue;
    expect(Object.keys(section as object)).toEqual(['url']);
    expect((section as { url: unknown }).url).toMatch(url);
    delete config[key];
  }
  return config;
}

describe('docs/aisle.cluster.yaml, the sample config for several nodes', () => {
  it('is a valid aisle.yaml with several model hosts, each with its own maxParallel', () => {
    const config = parseConfig(sampleWithoutPendingSections(), {}, 'docs/aisle.cluster.yaml');
    expect(config.ollama.hosts.length).toBeGreaterThanOrEqual(2);
    for (const host of config.ollama.hosts) expect(host.maxParallel).toBeGreaterThanOrEqual(1);
    // Every model names hosts in order of preference, and the chat model has a second one to fall back to.
    expect(config.models[config.chat.model]?.hosts?.length).toBeGreaterThanOrEqual(2);
    // Nodes behind a balancer: listening beyond loopback, and trusting only the balancer's addresses.
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.trustProxy).not.toBe(false);
  });

  it('is refused for a field the schema does not know, so the strict parse above means something', () => {
    const config = { ...sampleWithoutPendingSections(), clusterSize: 3 };
    expect(() => parseConfig(config, {}, 'docs/aisle.cluster.yaml')).toThrow(/clusterSize/);
  });
});
