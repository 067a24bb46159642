import { onPostgres } from './onPostgres';

// The resume suite again, on PostgreSQL.
await onPostgres(() => import('../resume.test'));
