import { onPostgres } from './onPostgres';

// The catalogueSearch suite again, on PostgreSQL.
await onPostgres(() => import('../catalogueSearch.test'));
