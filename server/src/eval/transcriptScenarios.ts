import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../db/database';
import type { Scenario } from './scenarios';

/**
 * Turns conversations recorded in a transcript store (an aisle.sqlite file) into scenarios: the
 * shopper's messages become the turns; the expectation is the grounding check itself (no invented
 * products or prices). With `label`, only conversations carrying that label are replayed, once a
 * `labels` table exists (agent labels arrive with the agent console); without one the flag is ignored.
 * The file is copied first: replaying never writes to a live store.
 */
export async function scenariosFromTranscripts(
  file: string,
  options: { label?: string; maxTurns?: number; limit?: number } = {},
): Promise<{ scenarios: Scenario[]; isLabelApplied: boolean }> {
  if (!fs.existsSync(file)) throw new Error(`transcript store not found: ${file}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-replay-'));
  for (const suffix of ['', '-wal'])
    if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, path.join(dir, `aisle.sqlite${suffix}`));
  const db = await openDatabase(path.join(dir, 'aisle.sqlite'));
  try {
    let labelled: Set<string> | null = null;
    if (options.label) {
      const tables = await db.kysely.introspection.getTables();
      const labels = tables.find((t) => t.name === 'labels');
      const columns = new Set(labels?.columns.map((c) => c.name) ?? []);
      const labelColumn = ['label', 'name', 'value'].find((c) => columns.has(c));
      if (labels && labelColumn && columns.has('conversation_id')) {
        const rows = await sql<{
          id: string;
        }>`SELECT DISTINCT conversation_id AS id FROM labels WHERE ${sql.ref(labelColumn)} = ${options.label}`.execute(db.kysely);
        labelled = new Set(rows.rows.map((r) => r.id));
      } else if (labels && labelColumn && columns.has('message_id')) {
        const rows = await sql<{
          id: string;
        }>`SELECT DISTINCT m.conversation_id AS id FROM labels l JOIN messages m ON m.id = l.message_id WHERE l.${sql.ref(labelColumn)} = ${options.label}`.execute(
          db.kysely,
        );
        labelled = new Set(rows.rows.map((r) => r.id));
      }
    }
    const conversations = await db.kysely
      .selectFrom('conversations')
      .select(['id', 'title'])
      .orderBy('created_at', 'desc')
      .limit(options.limit ?? 200)
      .execute();
    const scenarios: Scenario[] = [];
    for (const c of conversations) {
      if (labelled && !labelled.has(c.id)) continue;
      const turns = await db.kysely
        .selectFrom('messages')
        .select('content')
        .where('conversation_id', '=', c.id)
        .where('role', '=', 'user')
        .orderBy('seq')
        .limit(options.maxTurns ?? 5)
        .execute();
      if (turns.length === 0) continue;
      scenarios.push({
        id: `replay-${c.id}`,
        description: `Replay of “${c.title.slice(0, 60)}”`,
        tags: ['replay', ...(options.label ? [options.label] : [])],
        turns: turns.map((t) => ({ say: t.content, expect: null })),
        mustNotContain: [],
        products: [],
        source: file,
      });
    }
    return { scenarios, isLabelApplied: labelled !== null };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
