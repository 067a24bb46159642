import { it } from 'vitest';
import { POSTGRES_SKIP_LINE, isPostgresReachable } from '../../helpers/postgres';
import { useDatabaseForThisFile } from '../../helpers/testServer';

/**
 * Runs an integration suite written for the default engine again on PostgreSQL, in the normal
 * suite: `await onPostgres(() => import('../chatStreaming.test'))`. Without PostgreSQL the file
 * shows one skipped test saying how to start it; with `AISLE_TEST_DATABASE=postgres` the suite
 * itself already runs there, so this copy is skipped.
 */
export async function onPostgres(suite: () => Promise<unknown>): Promise<void> {
  if (process.env.AISLE_TEST_DATABASE === 'postgres') {
    it.skip('runs on PostgreSQL in the suite itself (AISLE_TEST_DATABASE=postgres)', () => {});
    return;
  }
  if (!(await isPostgresReachable())) {
    it.skip(POSTGRES_SKIP_LINE, () => {});
    return;
  }
  useDatabaseForThisFile('postgres');
  await suite();
}
