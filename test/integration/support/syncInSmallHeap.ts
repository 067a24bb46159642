/**
 * Child process for catalogueFeedMemory.test.ts: syncs one feed URL into a fresh database and prints
 * the result as JSON. Run with a small --max-old-space-size: a reader that kept every row would die.
 */
import { createCatalogueSync } from '@aisle/server/catalogue/sync/catalogueSync';
import { createCatalogueSourceRepository } from '@aisle/server/db/catalogueSourceRepository';
import { databaseFile, openDatabase } from '@aisle/server/db/database';

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) throw new Error('usage: syncInSmallHeap <feed url> <data dir>');
const db = await openDatabase(databaseFile({ dataDir }));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sync = createCatalogueSync({
  sources: createCatalogueSourceRepository(db),
  dataDir,
  defaults: () => ({ currency: null, shopUrl: null }),
  logger: quiet,
});
const result = await sync.sync({ name: 'big', url, intervalMinutes: 60, mode: 'full', maxRemoveShare: 0.5 });
await db.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
