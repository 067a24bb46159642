import type { Database } from './database';

/** A recorded conversation as `pnpm eval --from-transcripts` replays it: the shopper's side only. */
export interface ReplayConversation {
  id: string;
  title: string;
  /** What the shopper said, in order. */
  userMessages: string[];
}

/** Creates the evaluation's read access to recorded conversations. */
export function createEvalRepository(db: Database) {
  const { kysely } = db;

  return {
    /**
     * The newest conversations (at most `limit`) with their first `maxTurns` shopper messages; with
     * `label`, only conversations an agent gave that label. Conversations without a shopper message
     * are left out.
     */
    async replayableConversations(options: { label?: string; limit: number; maxTurns: number }): Promise<ReplayConversation[]> {
      let query = kysely.selectFrom('conversations as c').select(['c.id', 'c.title']);
      if (options.label) {
        const label = options.label;
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('transcript_labels as tl')
              .select('tl.conversation_id')
              .whereRef('tl.conversation_id', '=', 'c.id')
              .where('tl.label', '=', label),
          ),
        );
      }
      const conversations = await query.orderBy('c.created_at', 'desc').limit(options.limit).execute();
      const out: ReplayConversation[] = [];
      for (const c of conversations) {
        const turns = await kysely
          .selectFrom('messages')
          .select('content')
          .where('conversation_id', '=', c.id)
          .where('role', '=', 'user')
          // A message the shopper edited and resent (issue 11) is replayed as resent, not twice.
          .where('replaced_by', 'is', null)
          .orderBy('seq')
          .limit(options.maxTurns)
          .execute();
        if (turns.length > 0) out.push({ id: c.id, title: c.title, userMessages: turns.map((t) => t.content) });
      }
      return out;
    },
  };
}

export type EvalRepository = ReturnType<typeof createEvalRepository>;
