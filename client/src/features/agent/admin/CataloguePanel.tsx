import type { CatalogueStatus, CatalogueSync } from '@aisle/shared';
import { useEffect, useId, useState } from 'react';
import { getCatalogueStatus, startCatalogueSync } from '../agentApi';
import { formatDateTime } from '../format';

type Load = { status: 'loading' } | { status: 'loaded'; catalogue: CatalogueStatus } | { status: 'failed'; message: string };

/** While a sync runs the panel looks again this often, so its result appears without a click. */
const POLL_MS = 2000;

/**
 * The catalogue's sources (demo, imported files, feeds) with their live and gone products and last
 * sync, the latest syncs with what they did or why they changed nothing, and "Sync now" per feed.
 */
export function CataloguePanel() {
  const headingId = useId();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const isSyncing = load.status === 'loaded' && load.catalogue.sources.some((s) => s.isSyncing);

  useEffect(() => {
    let isCancelled = false;
    void getCatalogueStatus().then((result) => {
      if (isCancelled) return;
      setLoad(result.ok ? { status: 'loaded', catalogue: result.data } : { status: 'failed', message: result.error.message });
    });
    return () => {
      isCancelled = true;
    };
  }, [version]);

  useEffect(() => {
    if (!isSyncing) return;
    const timer = setTimeout(() => setVersion((v) => v + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [isSyncing, version]);

  const handleSync = async (name: string) => {
    const result = await startCatalogueSync(name);
    setNotice(result.ok ? `Syncing ${name}…` : result.error.message);
    setVersion((v) => v + 1);
  };

  return (
    <section className="catalogue-panel" aria-labelledby={headingId}>
      <div className="page-heading">
        <h2 id={headingId}>Catalogue</h2>
        <button type="button" className="button-secondary button-small" onClick={() => setVersion((v) => v + 1)}>
          Refresh
        </button>
      </div>
      <p className="agent-notice-line" role="status">
        {notice ?? ''}
      </p>
      {load.status === 'loading' && <p className="agent-muted">Loading the catalogue…</p>}
      {load.status === 'failed' && (
        <p className="form-error" role="alert">
          {load.message}
        </p>
      )}
      {load.status === 'loaded' && (
        <>
          <div className="table-scroll">
            <table className="data-table catalogue-sources">
              <caption className="sr-only">Catalogue sources</caption>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Live products</th>
                  <th scope="col">Gone</th>
                  <th scope="col">Last sync</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {load.catalogue.sources.map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td>{s.kind}</td>
                    <td>{s.liveProducts.toLocaleString()}</td>
                    <td>{s.goneProducts.toLocaleString()}</td>
                    <td>
                      {s.isSyncing
                        ? 'syncing…'
                        : s.lastSyncAt
                          ? `${s.lastStatus ?? ''}, ${formatDateTime(s.lastSyncAt)}`
                          : (s.lastStatus ?? 'never')}
                    </td>
                    <td>
                      {s.isFeed && (
                        <button
                          type="button"
                          className="button-secondary button-small"
                          disabled={s.isSyncing}
                          onClick={() => void handleSync(s.name)}
                        >
                          Sync now<span className="sr-only"> {s.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>Latest syncs</h3>
          {load.catalogue.syncs.length === 0 ? (
            <p className="agent-muted">No syncs yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table catalogue-syncs">
                <caption className="sr-only">Latest catalogue syncs</caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Source</th>
                    <th scope="col">Result</th>
                    <th scope="col">Added</th>
                    <th scope="col">Updated</th>
                    <th scope="col">Gone</th>
                    <th scope="col">Skipped</th>
                  </tr>
                </thead>
                <tbody>
                  {load.catalogue.syncs.map((sync) => (
                    <SyncRow key={sync.id} sync={sync} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function SyncRow({ sync }: { sync: CatalogueSync }) {
  const reasons = [
    ...(sync.skipReasons?.problems.slice(0, 5).map((p) => `line ${p.line}: ${p.reason}`) ?? []),
    ...Object.entries(sync.skipReasons?.leftOut ?? {}).map(([reason, n]) => `${n} ${reason}`),
  ];
  return (
    <tr className={sync.status === 'failed' || sync.status === 'refused' ? 'is-problem' : undefined}>
      <td>
        <time dateTime={sync.startedAt}>{formatDateTime(sync.startedAt)}</time>
      </td>
      <td>{sync.source}</td>
      <td>
        {sync.status}
        {sync.error !== null && <p className="config-reason">{sync.error}</p>}
      </td>
      <td>{sync.added.toLocaleString()}</td>
      <td>{sync.updated.toLocaleString()}</td>
      <td>{sync.gone.toLocaleString()}</td>
      <td>
        {sync.skipped.toLocaleString()}
        {reasons.length > 0 && (
          <ul className="agent-muted catalogue-skips">
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}
