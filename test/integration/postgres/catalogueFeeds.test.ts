import { onPostgres } from './onPostgres';

// The catalogueFeeds suite again, on PostgreSQL.
await onPostgres(() => import('../catalogueFeeds.test'));
