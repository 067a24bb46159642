import type { AppErrorBody, Dashboard, Experiments } from '@aisle/shared';
import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { getDashboard, getExperiments } from '../agentApi';
import { ChartCanvas, type ChartConfig } from './ChartCanvas';
import {
  answersChart,
  answersSummary,
  cardClicksChart,
  cardClicksSummary,
  conversationsChart,
  conversationsSummary,
  errorRateChart,
  errorRateSummary,
  firstTokenChart,
  firstTokenSummary,
  thumbsUpChart,
  thumbsUpSummary,
  type ChartTheme,
} from './dashboardCharts';
import { formatDay, formatMs, formatPercent, last30Days } from '../format';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

type Load = { status: 'loading' } | { status: 'loaded'; data: Dashboard } | { status: 'failed'; error: AppErrorBody };

/** `/agent/dashboard`: how the assistant is doing over a date range, as charts with text alternatives. */
export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const [defaults] = useState(() => last30Days(Date.now()));
  const fromParam = params.get('from') ?? '';
  const toParam = params.get('to') ?? '';
  const from = DAY.test(fromParam) ? fromParam : defaults.from;
  const to = DAY.test(toParam) ? toParam : defaults.to;
  const isRangeValid = from <= to;
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const fromId = useId();
  const toId = useId();

  useEffect(() => {
    if (!isRangeValid) return;
    let isCancelled = false;
    void getDashboard(from, to).then((result) => {
      if (isCancelled) return;
      setLoad(result.ok ? { status: 'loaded', data: result.data } : { status: 'failed', error: result.error });
    });
    return () => {
      isCancelled = true;
    };
  }, [from, to, isRangeValid]);

  const setRange = (key: 'from' | 'to', value: string) => {
    if (!DAY.test(value)) return;
    const next = new URLSearchParams(params);
    next.set(key, value);
    if (!next.has(key === 'from' ? 'to' : 'from')) next.set(key === 'from' ? 'to' : 'from', key === 'from' ? to : from);
    setParams(next);
  };

  return (
    <div className="agent-page dashboard-page">
      <title>Dashboard · Aisle agent console</title>
      <div className="page-heading">
        <h1>Dashboard</h1>
      </div>
      <form className="dashboard-range" aria-label="Date range" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor={fromId}>From</label>
          <input id={fromId} type="date" value={from} max={to} onChange={(e) => setRange('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={toId}>To</label>
          <input id={toId} type="date" value={to} min={from} onChange={(e) => setRange('to', e.target.value)} />
        </div>
        <p className="agent-muted range-note">Days are counted in UTC; both ends are included.</p>
      </form>
      {!isRangeValid && (
        <p className="form-error" role="alert">
          The start date must be on or before the end date.
        </p>
      )}
      {isRangeValid && load.status === 'failed' && (
        <div className="agent-error" role="alert">
          <p>{load.error.message}</p>
          {load.error.hint !== undefined && <p className="agent-muted">{load.error.hint}</p>}
        </div>
      )}
      {isRangeValid && load.status === 'loading' && (
        <p className="agent-muted" role="status">
          Loading the figures…
        </p>
      )}
      {isRangeValid && load.status === 'loaded' && <DashboardCharts data={load.data} />}
      <ExperimentsPanel />
    </div>
  );
}

/** Model experiments: each arm side by side (all time, not limited to the date range). */
function ExperimentsPanel() {
  const [experiments, setExperiments] = useState<Experiments | null>(null);
  useEffect(() => {
    let isCancelled = false;
    void getExperiments().then((result) => {
      if (!isCancelled && result.ok) setExperiments(result.data);
    });
    return () => {
      isCancelled = true;
    };
  }, []);
  if (experiments === null) return null;
  return (
    <section className="chart-panel is-wide experiments-panel" aria-labelledby="experiments-heading">
      <h2 id="experiments-heading">Model experiments</h2>
      <p className="agent-muted chart-summary">
        {experiments.current
          ? `Running: ${experiments.current.name}, ${Math.round(experiments.current.share * 100)}% of new conversations go to ${experiments.current.candidate}.`
          : 'No experiment is running. Set experiment in aisle.yaml to route a share of new conversations to a candidate model.'}
      </p>
      {experiments.experiments.map((experiment) => (
        <div className="table-scroll" key={experiment.name}>
          <table className="data-table">
            <caption>{experiment.name}</caption>
            <thead>
              <tr>
                {[
                  'Arm',
                  'Model',
                  'Conversations',
                  'Answers',
                  'Thumbs-up rate',
                  'First token p50',
                  'First token p95',
                  'Tokens/s',
                  'Error rate',
                  'Answers with grounding mismatches',
                  'Answers with cards',
                  'Product-click rate',
                  'Add-to-cart rate',
                ].map((h) => (
                  <th scope="col" key={h}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {experiment.arms.map((arm) => (
                <tr key={arm.arm}>
                  <th scope="row">{arm.arm}</th>
                  <td>{arm.model}</td>
                  <td className="num">{arm.conversations.toLocaleString()}</td>
                  <td className="num">{arm.answers.toLocaleString()}</td>
                  <td className="num">{formatPercent(arm.thumbsUpRate)}</td>
                  <td className="num">{formatMs(arm.firstTokenMsP50)}</td>
                  <td className="num">{formatMs(arm.firstTokenMsP95)}</td>
                  <td className="num">{arm.tokensPerSecond === null ? '—' : arm.tokensPerSecond.toFixed(1)}</td>
                  <td className="num">{formatPercent(arm.errorRate)}</td>
                  <td className="num">{arm.answersWithMismatches.toLocaleString()}</td>
                  <td className="num">{arm.answersWithCards.toLocaleString()}</td>
                  <td className="num">{formatPercent(arm.productClickRate)}</td>
                  <td className="num">{formatPercent(arm.addToCartRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

function DashboardCharts({ data }: { data: Dashboard }) {
  const buildConversations = useCallback((theme: ChartTheme) => conversationsChart(data, theme), [data]);
  const buildAnswers = useCallback((theme: ChartTheme) => answersChart(data, theme), [data]);
  const buildThumbs = useCallback((theme: ChartTheme) => thumbsUpChart(data, theme), [data]);
  const buildFirstToken = useCallback((theme: ChartTheme) => firstTokenChart(data, theme), [data]);
  const buildCardClicks = useCallback((theme: ChartTheme) => cardClicksChart(data, theme), [data]);
  const buildErrors = useCallback((theme: ChartTheme) => errorRateChart(data, theme), [data]);
  const hasConversations = data.conversationsPerDay.some((d) => d.count > 0);
  const hasAnswers = data.errorRatePerDay.some((d) => d.answers > 0);

  return (
    <div className="chart-grid">
      <ChartPanel
        title="Conversations per day"
        summary={conversationsSummary(data)}
        build={hasConversations ? buildConversations : null}
        wide
      >
        <DataTable
          caption="Conversations per day"
          head={['Day', 'Conversations']}
          rows={data.conversationsPerDay.map((d) => [formatDay(d.day), d.count.toLocaleString()])}
        />
      </ChartPanel>
      <ChartPanel
        title="Answers per model"
        summary={answersSummary(data)}
        build={data.answersPerModel.length > 0 ? buildAnswers : null}
      >
        <DataTable
          caption="Answers per model"
          head={['Model', 'Answers']}
          rows={data.answersPerModel.map((d) => [d.model, d.count.toLocaleString()])}
        />
      </ChartPanel>
      <ChartPanel
        title="Thumbs-up rate per model"
        summary={thumbsUpSummary(data)}
        build={data.thumbsUpRatePerModel.length > 0 ? buildThumbs : null}
      >
        <DataTable
          caption="Thumbs-up rate per model"
          head={['Model', 'Thumbs up', 'Thumbs down', 'Rate']}
          rows={data.thumbsUpRatePerModel.map((d) => [d.model, String(d.up), String(d.down), formatPercent(d.rate)])}
        />
      </ChartPanel>
      <ChartPanel
        title="Card clicks per model"
        summary={cardClicksSummary(data)}
        build={data.cardClicksPerModel.length > 0 ? buildCardClicks : null}
      >
        <DataTable
          caption="Card clicks per model"
          head={['Model', 'Answers with cards', 'Product-click rate', 'Add-to-cart rate']}
          rows={data.cardClicksPerModel.map((d) => [
            d.model,
            d.answersWithCards.toLocaleString(),
            formatPercent(d.productClickRate),
            formatPercent(d.addToCartRate),
          ])}
        />
      </ChartPanel>
      <ChartPanel
        title="Time to first token per model"
        summary={firstTokenSummary(data)}
        build={data.firstTokenMsPerModel.length > 0 ? buildFirstToken : null}
      >
        <DataTable
          caption="Time to first token per model"
          head={['Model', 'p50', 'p95']}
          rows={data.firstTokenMsPerModel.map((d) => [d.model, formatMs(d.p50), formatMs(d.p95)])}
        />
      </ChartPanel>
      <ChartPanel title="Error rate per day" summary={errorRateSummary(data)} build={hasAnswers ? buildErrors : null}>
        <DataTable
          caption="Error rate per day"
          head={['Day', 'Answers', 'Errors', 'Rate']}
          rows={data.errorRatePerDay.map((d) => [
            formatDay(d.day),
            d.answers.toLocaleString(),
            d.errors.toLocaleString(),
            formatPercent(d.answers > 0 ? d.rate : null),
          ])}
        />
      </ChartPanel>
      <section className="chart-panel" aria-labelledby="gaps-heading">
        <h2 id="gaps-heading">Searches that found nothing</h2>
        <p className="agent-muted chart-summary">What shoppers asked for that the catalogue does not have.</p>
        {data.zeroResultSearches.length === 0 ? (
          <p className="agent-muted">Every search found products in this range.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <caption className="sr-only">Top searches that found no products</caption>
              <thead>
                <tr>
                  <th scope="col">Search</th>
                  <th scope="col" className="num">
                    Times
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.zeroResultSearches.map((search) => (
                  <tr key={search.query}>
                    <td>{search.query}</td>
                    <td className="num">{search.count.toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

interface ChartPanelProps {
  title: string;
  /** The chart's text alternative, shown under the heading and linked to the canvas. */
  summary: string;
  /** Null when there is nothing to draw: the summary says so instead of an empty chart. */
  build: ((theme: ChartTheme) => ChartConfig) | null;
  wide?: boolean;
  children: ReactNode;
}

function ChartPanel({ title, summary, build, wide = false, children }: ChartPanelProps) {
  const headingId = useId();
  const summaryId = useId();
  return (
    <section className={wide ? 'chart-panel is-wide' : 'chart-panel'} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <p id={summaryId} className="agent-muted chart-summary">
        {summary}
      </p>
      {build !== null && <ChartCanvas build={build} label={`Chart: ${title}`} describedBy={summaryId} />}
      {children}
    </section>
  );
}

function DataTable({ caption, head, rows }: { caption: string; head: readonly string[]; rows: readonly (readonly string[])[] }) {
  if (rows.length === 0) return null;
  return (
    <details className="chart-data">
      <summary>
        Show the numbers<span className="sr-only">: {caption}</span>
      </summary>
      <div className="table-scroll">
        <table className="data-table">
          <caption className="sr-only">{caption}</caption>
          <thead>
            <tr>
              {head.map((cell, index) => (
                <th key={cell} scope="col" className={index === 0 ? undefined : 'num'}>
                  {cell}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {row.map((cell, index) =>
                  index === 0 ? (
                    <th key={index} scope="row">
                      {cell}
                    </th>
                  ) : (
                    <td key={index} className="num">
                      {cell}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
