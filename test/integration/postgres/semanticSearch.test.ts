import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../../ollama-double';
import { POSTGRES_SKIP_LINE, isPostgresReachable } from '../../helpers/postgres';
import { startTestServer, type TestServer } from '../../helpers/testServer';

const isUp = await isPostgresReachable();

/**
 * Vectors are kept by sqlite-vec only: a shop on PostgreSQL with an embedding model configured keeps
 * searching by words, and says why, exactly as a SQLite shop whose vector extension does not load.
 */
describe.skipIf(!isUp)('semantic search on PostgreSQL', () => {
  let double: OllamaDouble;
  let server: TestServer;
  beforeAll(async () => {
    double = await startOllamaDouble();
    server = await startTestServer({
      ollamaUrl: double.url,
      database: 'postgres',
      config: { embedding: { model: 'qwen3-embedding:0.6b', queryInstruction: '' } },
    });
  });
  afterAll(async () => {
    await server?.close();
    await double?.close();
  });

  it('is off with the reason, embeds nothing, and the word search still finds products', async () => {
    const status = await server.app.search.index.syncNow();
    expect(status.state).toBe('off');
    expect(status.summary).toContain('pgvector');
    const result = await server.app.search.catalogue.search({ q: 'trail shoe', origin: 'api' });
    expect(result.mode).toBe('lexical');
    expect(result.hits.length).toBeGreaterThan(0);
    expect(double.requests.filter((r) => r.path === '/api/embed')).toEqual([]);
  });
});

it.skipIf(isUp)(POSTGRES_SKIP_LINE, () => {});
