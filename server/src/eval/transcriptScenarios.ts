import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyDatabaseFile, openDatabase } from '../db/database';
import { createEvalRepository } from '../db/evalRepository';
import type { Scenario } from './scenarios';

/**
 * Turns conversations recorded in a transcript store (an aisle.sqlite file) into scenarios: the
 * shopper's messages become the turns; the expectation is the grounding check itself (no invented
 * products or prices). With `label`, only conversations agents gave that label are replayed.
 * The file is copied first: replaying never writes to a live store.
 */
export async function scenariosFromTranscripts(
  file: string,
  options: { label?: string; maxTurns?: number; limit?: number } = {},
): Promise<{ scenarios: Scenario[] }> {
  if (!fs.existsSync(file)) throw new Error(`transcript store not found: ${file}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aisle-replay-'));
  const db = await openDatabase(copyDatabaseFile(file, dir));
  try {
    const conversations = await createEvalRepository(db).replayableConversations({
      ...(options.label ? { label: options.label } : {}),
      limit: options.limit ?? 200,
      maxTurns: options.maxTurns ?? 5,
    });
    const scenarios = conversations.map((c): Scenario => ({
      id: `replay-${c.id}`,
      description: `Replay of “${c.title.slice(0, 60)}”`,
      tags: ['replay', ...(options.label ? [options.label] : [])],
      // The page's language is not stored with a conversation: replays are not judged on language.
      locale: 'en',
      turns: c.userMessages.map((say) => ({ say, expect: null })),
      mustNotContain: [],
      products: [],
      source: file,
    }));
    return { scenarios };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
