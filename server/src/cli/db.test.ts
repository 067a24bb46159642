import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgresReachable, postgresTestDatabase, type PostgresTestDatabase } from '../../../test/helpers/postgres';
import { loadDemoCatalogueIfEmpty } from '../catalogue/demoCatalogue';
import { createAgentRepository } from '../db/agentRepository';
import { createCardClickRepository } from '../db/cardClickRepository';
import { createCatalogueSourceRepository } from '../db/catalogueSourceRepository';
import { createConversationRepository } from '../db/conversationRepository';
import { verifyCopy } from '../db/copyDatabase';
import { databaseFile, openDatabase, type Database } from '../db/database';
import { createProductRepository } from '../db/productRepository';
import { createTranscriptListQueries } from '../db/transcriptList';
import { createTranscriptRepository } from '../db/transcriptRepository';
import { main } from './db';

const isUp = await isPostgresReachable();

/** Runs the CLI in this process and keeps what it printed. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

/** A shop as a server leaves it: the demo catalogue, a conversation with an answer, an agent at work. */
async function seedShop(db: Database): Promise<{ conversationId: string }> {
  const products = createProductRepository(db);
  await loadDemoCatalogueIfEmpty(products, createCatalogueSourceRepository(db));
  const conversations = createConversationRepository(db);
  await conversations.createSession('session-hash');
  const conversation = await conversations.createConversation({ sessionHash: 'session-hash', title: 'Boots', model: 'qwen3:4b' });
  await conversations.insertUserMessage({
    conversationId: conversation.id,
    clientMessageId: 'c-1',
    content: 'Wasserdichte Stiefel? 🥾',
  });
  const answer = await conversations.insertAssistantMessage({
    conversationId: conversation.id,
    model: 'qwen3:4b',
    configVersion: 'v1',
  });
  await conversations.updateMessage(answer.id, {
    content: 'The Ridgeback boot is waterproof.',
    status: 'complete',
    tool_calls: JSON.stringify([{ name: 'search_products', arguments: { query: 'boot' } }]),
    // Nanosecond timings pass 2^31: PostgreSQL stores them as bigint.
    total_duration_ns: 9_876_543_210,
    first_token_ms: 412,
  });
  await conversations.setFeedback({ messageId: answer.id, conversationId: conversation.id, rating: 'up', comment: 'ok' });
  await conversations.logSearch({ conversationId: conversation.id, source: 'tool', query: 'boot', filters: {}, resultCount: 3 });
  const [someProduct] = await products.search({ q: 'boot', limit: 1 });
  await createCardClickRepository(db).record({
    messageId: answer.id,
    conversationId: conversation.id,
    productId: someProduct?.row.id ?? 'none',
    kind: 'view',
  });
  const agent = await createAgentRepository(db).create({
    email: 'ann@shop.example',
    name: 'Ann',
    role: 'admin',
    passwordHash: 'x',
  });
  const transcripts = createTranscriptRepository(db);
  await transcripts.addNote({ conversationId: conversation.id, agentId: agent.id, agentName: 'Ann', body: 'Follow up' });
  await transcripts.addLabel(conversation.id, 'boots', agent.id);
  await transcripts.recordReveal({
    messageId: answer.id,
    conversationId: conversation.id,
    agentId: agent.id,
    agentEmail: agent.email,
  });
  return { conversationId: conversation.id };
}

describe.skipIf(!isUp)('pnpm db:copy from a SQLite shop into PostgreSQL', () => {
  let dir: string;
  let file: string;
  let target: PostgresTestDatabase;
  let conversationId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-db-copy-'));
    file = databaseFile({ dataDir: dir });
    const source = await openDatabase(file);
    try {
      ({ conversationId } = await seedShop(source));
    } finally {
      await source.close();
    }
    target = await postgresTestDatabase();
  });
  afterAll(async () => {
    await target?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies every row, prints matching counts and checksums per table, and exits 0', async () => {
    const result = await run(['copy', '--from', file, '--to', target.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^products\s+\d{4}\s+\d{4}\s+[0-9a-f]{16}\s+same$/m);
    expect(result.stdout).toMatch(/^messages\s+2\s+2\s+[0-9a-f]{16}\s+same$/m);
    expect(result.stdout).toMatch(/^agents\s+1\s+1\s+/m);
    expect(result.stdout).toContain('Every table matches');
    // The connection URL may carry a password: it is never printed whole.
    expect(result.stdout).toContain('into postgres://');
  });

  it('leaves a shop the server can use on PostgreSQL: search, transcripts, new rows after the copied ones', async () => {
    const db = await openDatabase(target.url);
    try {
      expect(db.dialect).toBe('postgres');
      const products = createProductRepository(db);
      expect((await products.search({ q: 'waterproof boots', limit: 3 })).length).toBeGreaterThan(0);
      const messages = await createConversationRepository(db).listMessages(conversationId);
      expect(messages.map((m) => m.content)).toEqual(['Wasserdichte Stiefel? 🥾', 'The Ridgeback boot is waterproof.']);
      expect(messages[1]?.total_duration_ns).toBe(9_876_543_210);
      const { rows } = await createTranscriptListQueries(db).list({
        search: 'ridgeback',
        endedBefore: new Date(0).toISOString(),
        limit: 10,
        offset: 0,
      });
      expect(rows.map((r) => r.conversation.id)).toEqual([conversationId]);
      // Numbered tables continue after the copied ids instead of colliding with them.
      await createConversationRepository(db).logSearch({
        conversationId,
        source: 'http',
        query: 'tent',
        filters: {},
        resultCount: 0,
      });
      const ids = await db.all<{ id: number }>('SELECT id FROM search_log ORDER BY id');
      expect(ids.map((r) => r.id)).toEqual([1, 2]);
    } finally {
      await db.close();
    }
  });

  it('refuses to copy into a database that already holds a shop, and changes nothing', async () => {
    const result = await run(['copy', '--from', file, '--to', target.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing was copied: the target database is not empty');
  });

  it('finds a row that differs between the two sides', async () => {
    const source = await openDatabase(file);
    const copy = await openDatabase(target.url);
    try {
      await copy.run('UPDATE products SET price_minor = price_minor + 1 WHERE id = (SELECT min(id) FROM products)');
      const checks = await verifyCopy(source, copy);
      const differing = checks.filter((c) => !c.isMatch).map((c) => c.table);
      // search_log also differs: the previous test added a row on PostgreSQL.
      expect(differing).toEqual(['products', 'search_log']);
      const products = checks.find((c) => c.table === 'products');
      expect(products?.source.rows).toBe(products?.target.rows);
    } finally {
      await copy.close();
      await source.close();
    }
  });
});

describe('pnpm db usage', () => {
  it('explains itself with --help, and refuses a target that is not PostgreSQL', async () => {
    const help = await run(['copy', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pnpm db:copy [--from <aisle.sqlite>] [--to <postgres:// URL>]');
    const wrong = await run(['copy', '--from', 'a.sqlite', '--to', 'b.sqlite']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--to takes a postgres:// URL');
    const unknown = await run(['copy', '--form', 'a.sqlite']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --form');
  });
});
