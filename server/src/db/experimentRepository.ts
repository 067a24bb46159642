import { sql } from 'kysely';
import { percentile } from '../lib/stats';
import type { Database } from './database';

/** How one arm of an experiment is doing. Rates are null when there is nothing to divide by. */
export interface ArmStats {
  arm: string;
  model: string;
  conversations: number;
  answers: number;
  thumbsUp: number;
  thumbsDown: number;
  thumbsUpRate: number | null;
  firstTokenMsP50: number | null;
  firstTokenMsP95: number | null;
  tokensPerSecond: number | null;
  errorRate: number | null;
  /** Answers where the grounding check found at least one mismatch. */
  answersWithMismatches: number;
  mismatches: number;
  /** Answers that showed at least one product card. */
  answersWithCards: number;
  /** Answers with cards where the shopper opened at least one product page, over answers with cards. */
  productClickRate: number | null;
  /** Answers with cards where the shopper pressed "Add to cart" at least once, over answers with cards. */
  addToCartRate: number | null;
}

/** Reads experiment results: the only SQL behind the arm comparison. */
export function createExperimentRepository(db: Database) {
  const { kysely } = db;
  return {
    /** Names of experiments that have conversations, newest first. */
    async names(): Promise<string[]> {
      const rows = await kysely
        .selectFrom('conversations')
        .select('experiment')
        .select((eb) => eb.fn.max('created_at').as('latest'))
        .where('experiment', 'is not', null)
        .groupBy('experiment')
        .orderBy('latest', 'desc')
        .execute();
      return rows.map((r) => r.experiment).filter((n): n is string => n !== null);
    },

    /** The comparison per arm: thumbs-up rate, time to first token, tokens/s, errors, grounding. */
    async compareArms(name: string): Promise<ArmStats[]> {
      const conversations = await kysely
        .selectFrom('conversations')
        .select(['id', 'arm', 'model'])
        .where('experiment', '=', name)
        .execute();
      const answers = await kysely
        .selectFrom('messages')
        .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
        .leftJoin('message_feedback', 'message_feedback.message_id', 'messages.id')
        .select([
          'conversations.arm as arm',
          'messages.status as status',
          'messages.first_token_ms as firstTokenMs',
          'messages.eval_count as evalCount',
          'messages.eval_duration_ns as evalDurationNs',
          'messages.grounding as grounding',
          'message_feedback.rating as rating',
          // The cards are stored as JSON text; PostgreSQL's json_array_length wants the json type.
          (db.dialect === 'postgres'
            ? sql<number>`coalesce(json_array_length(messages.products::json), 0) > 0`
            : sql<number>`coalesce(json_array_length(messages.products), 0) > 0`
          ).as('hasCards'),
          sql<number>`exists (select 1 from card_clicks k where k.message_id = messages.id and k.kind = 'view')`.as('viewed'),
          sql<number>`exists (select 1 from card_clicks k where k.message_id = messages.id and k.kind = 'cart')`.as('carted'),
        ])
        .where('conversations.experiment', '=', name)
        .where('messages.role', '=', 'assistant')
        .where('messages.status', '!=', 'streaming')
        .execute();
      const arms = [...new Set(conversations.map((c) => c.arm ?? 'control'))].sort();
      return arms.map((arm) => {
        const convs = conversations.filter((c) => (c.arm ?? 'control') === arm);
        const rows = answers.filter((a) => (a.arm ?? 'control') === arm);
        const up = rows.filter((r) => r.rating === 'up').length;
        const down = rows.filter((r) => r.rating === 'down').length;
        const ttft = rows
          .map((r) => r.firstTokenMs)
          .filter((v): v is number => v !== null)
          .sort((a, b) => a - b);
        const evalCount = rows.reduce((n, r) => n + (r.evalCount ?? 0), 0);
        const evalNs = rows.reduce((n, r) => n + (r.evalDurationNs ?? 0), 0);
        const mismatchCounts = rows.map((r) => (r.grounding ? (JSON.parse(r.grounding) as unknown[]).length : 0));
        const models = [...new Set(convs.map((c) => c.model))];
        const withCards = rows.filter((r) => Number(r.hasCards) === 1);
        return {
          arm,
          model: models.join(', '),
          conversations: convs.length,
          answers: rows.length,
          thumbsUp: up,
          thumbsDown: down,
          thumbsUpRate: up + down > 0 ? up / (up + down) : null,
          firstTokenMsP50: percentile(ttft, 50),
          firstTokenMsP95: percentile(ttft, 95),
          tokensPerSecond: evalNs > 0 ? (evalCount / evalNs) * 1e9 : null,
          errorRate: rows.length > 0 ? rows.filter((r) => r.status === 'error').length / rows.length : null,
          answersWithMismatches: mismatchCounts.filter((n) => n > 0).length,
          mismatches: mismatchCounts.reduce((a, b) => a + b, 0),
          answersWithCards: withCards.length,
          productClickRate:
            withCards.length > 0 ? withCards.filter((r) => Number(r.viewed) === 1).length / withCards.length : null,
          addToCartRate: withCards.length > 0 ? withCards.filter((r) => Number(r.carted) === 1).length / withCards.length : null,
        };
      });
    },
  };
}

export type ExperimentRepository = ReturnType<typeof createExperimentRepository>;
