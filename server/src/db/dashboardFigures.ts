import { sql, type SqlBool } from 'kysely';
import type { Database } from './database';

/** The agent dashboard's figures: counts, ratings and timings per day and per model. */
export function createDashboardQueries(db: Database) {
  const { kysely } = db;

  return {
    /** Raw figures for the dashboard over `[from, to)`; the caller shapes and fills them. */
    async dashboardFigures(from: string, to: string) {
      const day = sql<string>`substr(created_at, 1, 10)`;
      const [conversationsPerDay, answersPerDay, answersPerModel, thumbs, firstTokens, zeroResults] = await Promise.all([
        kysely
          .selectFrom('conversations')
          .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy('day')
          .execute(),
        kysely
          .selectFrom('messages')
          .select([
            day.as('day'),
            (eb) => eb.fn.countAll<number>().as('answers'),
            sql<number>`sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END)`.as('errors'),
          ])
          .where('role', '=', 'assistant')
          .where('status', '<>', 'streaming')
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy('day')
          .execute(),
        kysely
          .selectFrom('messages')
          .select([sql<string>`coalesce(model, 'unknown')`.as('model'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('role', '=', 'assistant')
          .where('status', '<>', 'streaming')
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy('model')
          .orderBy('count', 'desc')
          .execute(),
        kysely
          .selectFrom('message_feedback as f')
          .innerJoin('messages as m', 'm.id', 'f.message_id')
          .select([
            sql<string>`coalesce(m.model, 'unknown')`.as('model'),
            sql<number>`sum(CASE WHEN f.rating = 'up' THEN 1 ELSE 0 END)`.as('up'),
            sql<number>`sum(CASE WHEN f.rating = 'down' THEN 1 ELSE 0 END)`.as('down'),
          ])
          .where('m.created_at', '>=', from)
          .where('m.created_at', '<', to)
          .groupBy('model')
          .execute(),
        kysely
          .selectFrom('messages')
          .select([sql<string>`coalesce(model, 'unknown')`.as('model'), 'first_token_ms'])
          .where('role', '=', 'assistant')
          .where('first_token_ms', 'is not', null)
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .orderBy('model')
          .orderBy('first_token_ms')
          .execute(),
        // Searches the model chose (not the server's prefetch of the shopper's raw words) that found nothing.
        kysely
          .selectFrom('search_log')
          .select([sql<string>`lower(trim(query))`.as('query'), (eb) => eb.fn.countAll<number>().as('count')])
          .where('result_count', '=', 0)
          .where('source', '<>', 'prefetch')
          .where(sql<SqlBool>`trim(query) <> ''`)
          .where('created_at', '>=', from)
          .where('created_at', '<', to)
          .groupBy(sql`lower(trim(query))`)
          .orderBy('count', 'desc')
          .orderBy('query')
          .limit(10)
          .execute(),
      ]);
      // Answers that showed cards, and how many of them led the shopper to a product page or the cart.
      const cardClicks = await kysely
        .selectFrom('messages as m')
        .select([
          sql<string>`coalesce(m.model, 'unknown')`.as('model'),
          (eb) => eb.fn.countAll<number>().as('answers'),
          sql<number>`sum(CASE WHEN exists (select 1 from card_clicks k where k.message_id = m.id and k.kind = 'view') THEN 1 ELSE 0 END)`.as(
            'viewed',
          ),
          sql<number>`sum(CASE WHEN exists (select 1 from card_clicks k where k.message_id = m.id and k.kind = 'cart') THEN 1 ELSE 0 END)`.as(
            'carted',
          ),
        ])
        .where('m.role', '=', 'assistant')
        .where('m.status', '<>', 'streaming')
        // The cards are stored as JSON text; PostgreSQL's json_array_length wants the json type.
        .where(
          db.dialect === 'postgres'
            ? sql<SqlBool>`coalesce(json_array_length(m.products::json), 0) > 0`
            : sql<SqlBool>`coalesce(json_array_length(m.products), 0) > 0`,
        )
        .where('m.created_at', '>=', from)
        .where('m.created_at', '<', to)
        .groupBy('model')
        .orderBy('answers', 'desc')
        .execute();
      const cardClicksPerModel = cardClicks.map((r) => {
        const answers = Number(r.answers);
        return {
          model: r.model,
          answersWithCards: answers,
          productClickRate: answers > 0 ? Number(r.viewed ?? 0) / answers : null,
          addToCartRate: answers > 0 ? Number(r.carted ?? 0) / answers : null,
        };
      });
      return { conversationsPerDay, answersPerDay, answersPerModel, thumbs, firstTokens, zeroResults, cardClicksPerModel };
    },
  };
}
