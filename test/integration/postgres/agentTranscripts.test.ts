import { onPostgres } from './onPostgres';

// The agentTranscripts suite again, on PostgreSQL.
await onPostgres(() => import('../agentTranscripts.test'));
