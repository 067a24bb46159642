import { neutraliseBidi, type TranscriptFilter, type TranscriptRow } from '@aisle/shared';
import { useEffect, useMemo } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { listTranscripts } from '../agentApi';
import { agentStore, useAgentStore } from '../agentStore';
import { formatDateTime, formatRelative, plural } from '../format';
import { HighlightedText } from './HighlightedText';
import { StatusBadge } from '../StatusBadge';
import { TranscriptFilters } from './TranscriptFilters';
import { filterFromSearchParams, filterToApiQuery, filterToSearchParams, hasActiveFilter, pageCount } from './transcriptQuery';
import { useNow } from './useNow';

/** `/agent`: every conversation, newest first, filtered and searched through the page address. */
export function TranscriptListPage() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromSearchParams(params), [params]);
  const query = filterToApiQuery(filter);
  const listVersion = useAgentStore((s) => s.listVersion);
  const list = useAgentStore((s) => s.list);
  const error = useAgentStore((s) => s.listError);
  const isLoading = useAgentStore((s) => s.isListLoading);

  useEffect(() => {
    let isCancelled = false;
    agentStore.getState().listLoading();
    void listTranscripts(filterFromSearchParams(new URLSearchParams(query))).then((result) => {
      if (isCancelled) return;
      if (result.ok) agentStore.getState().listLoaded(result.data);
      else agentStore.getState().listFailed(result.error);
    });
    return () => {
      isCancelled = true;
    };
  }, [query, listVersion]);

  const handleFilter = (next: TranscriptFilter) => setParams(filterToSearchParams(next));
  const models = useMemo(() => [...new Set(list?.items.map((r) => r.model).filter((m) => m !== '') ?? [])], [list]);

  const total = list?.total ?? 0;
  const pages = pageCount(total, filter.pageSize);
  const goTo = (page: number) => setParams(filterToSearchParams({ ...filter, page }));

  return (
    <div className="agent-page">
      <title>Transcripts · Aisle agent console</title>
      <div className="page-heading">
        <h1>Transcripts</h1>
        <p className="agent-muted" role="status" aria-live="polite">
          {list === null
            ? isLoading
              ? 'Loading…'
              : ''
            : `${plural(total, 'conversation')}${hasActiveFilter(filter) ? (total === 1 ? ' matches' : ' match') : ''}`}
        </p>
      </div>
      <TranscriptFilters filter={filter} onChange={handleFilter} models={models} />
      {error !== null && (
        <div className="agent-error" role="alert">
          <p>{error.message}</p>
          {error.hint !== undefined && <p className="agent-muted">{error.hint}</p>}
          <button type="button" className="button-secondary" onClick={() => agentStore.getState().refreshList()}>
            Try again
          </button>
        </div>
      )}
      {list !== null && (
        <section
          aria-label="Conversations"
          aria-busy={isLoading}
          className={isLoading ? 'transcript-results is-loading' : 'transcript-results'}
        >
          {list.items.length === 0 ? (
            <p className="empty-list">
              {hasActiveFilter(filter) ? 'No conversation matches these filters.' : 'No conversations yet.'}
            </p>
          ) : (
            <ol className="transcript-list">
              {list.items.map((row) => (
                <TranscriptRowItem key={row.id} row={row} />
              ))}
            </ol>
          )}
          <nav className="pagination" aria-label="Pages">
            <button type="button" className="button-secondary" onClick={() => goTo(filter.page - 1)} disabled={filter.page <= 1}>
              Previous
            </button>
            <span>
              Page {Math.min(filter.page, pages)} of {pages}
            </span>
            <button
              type="button"
              className="button-secondary"
              onClick={() => goTo(filter.page + 1)}
              disabled={filter.page >= pages}
            >
              Next
            </button>
          </nav>
        </section>
      )}
    </div>
  );
}

function TranscriptRowItem({ row }: { row: TranscriptRow }) {
  const now = useNow();
  const location = useLocation();
  const first = neutraliseBidi(row.firstMessage).trim();
  return (
    <li className={`transcript-row status-${row.status}${row.flagged ? ' is-flagged' : ''}`}>
      <div className="row-main">
        <Link
          to={`/agent/transcripts/${encodeURIComponent(row.id)}`}
          state={{ listSearch: location.search }}
          className="row-link"
        >
          {first === '' ? <span className="agent-muted">(no message yet)</span> : first}
        </Link>
        {row.highlight !== null && (
          <p className="row-hit">
            <span className="sr-only">Search match: </span>
            <HighlightedText html={row.highlight} />
          </p>
        )}
        {row.labels.length > 0 && (
          <ul className="label-list" aria-label="Labels">
            {row.labels.map((label) => (
              <li key={label} className="label-chip">
                {label}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="row-meta">
        <div className="row-badges">
          <StatusBadge status={row.status} />
          {row.flagged && <span className="badge badge-flag">Flagged</span>}
          {row.hasError && <span className="badge badge-error">Had an error</span>}
        </div>
        <p className="row-facts">
          <span>{plural(row.messageCount, 'message')}</span>
          <span className="row-model">{row.model}</span>
          <FeedbackCounts up={row.feedback.up} down={row.feedback.down} />
          <time dateTime={row.lastActivity} title={formatDateTime(row.lastActivity)}>
            <span className="sr-only">Last activity </span>
            {formatRelative(row.lastActivity, now)}
          </time>
        </p>
      </div>
    </li>
  );
}

/** 👍 n / 👎 n with words for screen readers; nothing when no shopper gave feedback. */
export function FeedbackCounts({ up, down }: { up: number; down: number }) {
  if (up === 0 && down === 0) return <span className="agent-muted">No feedback</span>;
  return (
    <span className="feedback-counts">
      <span className={up > 0 ? 'is-up' : undefined}>
        <span aria-hidden="true">👍 </span>
        {up}
        <span className="sr-only"> thumbs up</span>
      </span>
      <span className={down > 0 ? 'is-down' : undefined}>
        <span aria-hidden="true">👎 </span>
        {down}
        <span className="sr-only"> thumbs down</span>
      </span>
    </span>
  );
}
