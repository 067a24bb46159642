import type { ConfigStatus } from '@aisle/shared';
import { useEffect, useId, useState } from 'react';
import { getConfigStatus } from '../agentApi';
import { formatDateTime } from '../format';

type Load = { status: 'loading' } | { status: 'loaded'; config: ConfigStatus } | { status: 'failed'; message: string };

/**
 * The config in force and, when the server refused the last edit of aisle.yaml (say, a model no host
 * has), why: the shop keeps answering with the config shown here until the edit is fixed.
 */
export function ConfigStatusPanel() {
  const headingId = useId();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let isCancelled = false;
    void getConfigStatus().then((result) => {
      if (isCancelled) return;
      setLoad(result.ok ? { status: 'loaded', config: result.data } : { status: 'failed', message: result.error.message });
    });
    return () => {
      isCancelled = true;
    };
  }, [version]);

  return (
    <section className="config-status" aria-labelledby={headingId}>
      <div className="page-heading">
        <h2 id={headingId}>Configuration</h2>
        <button type="button" className="button-secondary button-small" onClick={() => setVersion((v) => v + 1)}>
          Check again
        </button>
      </div>
      {load.status === 'loading' && <p className="agent-muted">Loading the configuration status…</p>}
      {load.status === 'failed' && (
        <p className="form-error" role="alert">
          {load.message}
        </p>
      )}
      {load.status === 'loaded' && <ConfigStatusDetails config={load.config} />}
    </section>
  );
}

/** The status as text: the version in force, and a refused or unchecked edit with its reason. */
export function ConfigStatusDetails({ config }: { config: ConfigStatus }) {
  return (
    <>
      <p>
        Version <code>{config.version}</code>, in force since{' '}
        <time dateTime={config.appliedAt}>{formatDateTime(config.appliedAt)}</time>.
      </p>
      {config.refused !== undefined && (
        <div className="config-refused" role="alert">
          <p>
            <strong>The last edit of the config was refused</strong> (
            <time dateTime={config.refused.at}>{formatDateTime(config.refused.at)}</time>); the version above still serves
            shoppers.
          </p>
          <p className="config-reason">{config.refused.reason}</p>
        </div>
      )}
      {config.unverified !== undefined && (
        <div className="config-unverified" role="status">
          <p>
            <strong>Applied without checking its model</strong>: the model servers could not be reached (
            <time dateTime={config.unverified.at}>{formatDateTime(config.unverified.at)}</time>).
          </p>
          <p className="config-reason">{config.unverified.reason}</p>
        </div>
      )}
    </>
  );
}
