import { type Kysely } from 'kysely';

/** The grounding check's findings on each answer (JSON list), for corrections, filters and experiments. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('grounding', 'text').execute();
}

/** Drops what 0004 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('grounding').execute();
}
