import { transcriptFilterSchema, type TranscriptFilter } from '@aisle/shared';

/** The filter fields an agent sets (everything but paging), in the order they appear in addresses. */
export const FILTER_KEYS = [
  'q',
  'from',
  'to',
  'status',
  'feedback',
  'flagged',
  'label',
  'model',
  'hadError',
  'hadMismatch',
  'awaitingEmail',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export const DEFAULT_PAGE_SIZE = 25;

const shape = transcriptFilterSchema.shape;

/**
 * Reads the list's filter from the page address. A value the server would refuse (an unknown status,
 * a page of "abc") is dropped rather than breaking the page, so an old or hand-edited link still works.
 */
export function filterFromSearchParams(params: URLSearchParams): TranscriptFilter {
  const filter: TranscriptFilter = { page: 1, pageSize: DEFAULT_PAGE_SIZE };
  for (const key of FILTER_KEYS) {
    const raw = params.get(key)?.trim();
    if (raw === undefined || raw === '') continue;
    const parsed = shape[key].safeParse(raw);
    if (parsed.success && parsed.data !== undefined) Object.assign(filter, { [key]: parsed.data });
  }
  const page = shape.page.safeParse(params.get('page') ?? undefined);
  if (page.success) filter.page = page.data;
  const pageSize = shape.pageSize.safeParse(params.get('pageSize') ?? undefined);
  if (pageSize.success) filter.pageSize = pageSize.data;
  return filter;
}

/** Writes the filter into a page address, leaving out empty fields and the defaults (page 1, 25 a page). */
export function filterToSearchParams(filter: TranscriptFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key]?.trim();
    if (value !== undefined && value !== '') params.set(key, value);
  }
  if (filter.page > 1) params.set('page', String(filter.page));
  if (filter.pageSize !== DEFAULT_PAGE_SIZE) params.set('pageSize', String(filter.pageSize));
  return params;
}

/** The query string for `GET /api/agent/transcripts`: the filter plus explicit paging. */
export function filterToApiQuery(filter: TranscriptFilter): string {
  const params = filterToSearchParams(filter);
  params.set('page', String(filter.page));
  params.set('pageSize', String(filter.pageSize));
  return params.toString();
}

/** A filter with one field changed (empty clears it); any change of filter goes back to page 1. */
export function withFilter(filter: TranscriptFilter, key: FilterKey, value: string): TranscriptFilter {
  const next: TranscriptFilter = { ...filter, page: 1 };
  const trimmed = value.trim();
  if (trimmed === '') {
    delete next[key];
    return next;
  }
  const parsed = shape[key].safeParse(trimmed);
  if (parsed.success && parsed.data !== undefined) Object.assign(next, { [key]: parsed.data });
  else delete next[key];
  return next;
}

/** True when any filter (not paging) is set. */
export function hasActiveFilter(filter: TranscriptFilter): boolean {
  return FILTER_KEYS.some((key) => filter[key] !== undefined && filter[key] !== '');
}

/** How many pages a list of `total` rows has (at least one, so "page 1 of 1" reads right when empty). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
