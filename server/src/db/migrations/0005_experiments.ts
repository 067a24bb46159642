import { type Kysely } from 'kysely';

/** Experiment arms on conversations, and which host served each answer (fallback hosts). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('experiment', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('arm', 'text').execute();
  await db.schema.alterTable('messages').addColumn('served_by', 'text').execute();
  await db.schema.createIndex('conversations_experiment').on('conversations').columns(['experiment', 'arm']).execute();
}

/** Drops what 0005 added. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversations_experiment').ifExists().execute();
  await db.schema.alterTable('messages').dropColumn('served_by').execute();
  await db.schema.alterTable('conversations').dropColumn('arm').execute();
  await db.schema.alterTable('conversations').dropColumn('experiment').execute();
}
