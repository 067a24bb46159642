import { comparisonSchema, type Comparison, type Result } from '@aisle/shared';
import { createApiClient } from '../../../lib/api';

const request = createApiClient({ reader: 'the app', unreachableHint: 'Check your connection, then try again.' });

/** The products side by side, from the database (`GET /api/products/compare`). */
export function getComparison(ids: readonly string[]): Promise<Result<Comparison>> {
  return request(`/api/products/compare?${new URLSearchParams({ ids: ids.join(',') }).toString()}`, { schema: comparisonSchema });
}
