import { onPostgres } from './onPostgres';

// The chatStreaming suite again, on PostgreSQL.
await onPostgres(() => import('../chatStreaming.test'));
