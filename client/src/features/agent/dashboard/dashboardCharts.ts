import type { Dashboard } from '@aisle/shared';
import type { ChartConfiguration } from 'chart.js';
import { formatDay, formatMs, formatPercent } from '../format';

/** Colours read from the page's design tokens, so charts follow light and dark mode. */
export interface ChartTheme {
  accent: string;
  accentSoft: string;
  secondary: string;
  danger: string;
  text: string;
  muted: string;
  grid: string;
  isReducedMotion: boolean;
}

function baseOptions(theme: ChartTheme, yTitle: string, yMax?: number) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: theme.isReducedMotion ? (false as const) : { duration: 250 },
    plugins: { legend: { labels: { color: theme.text } } },
    scales: {
      x: { ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { color: theme.grid } },
      y: {
        beginAtZero: true,
        ...(yMax === undefined ? {} : { max: yMax }),
        title: { display: true, text: yTitle, color: theme.muted },
        ticks: { color: theme.muted, precision: 0 },
        grid: { color: theme.grid },
      },
    },
  };
}

/** Conversations started per day (line). */
export function conversationsChart(data: Dashboard, theme: ChartTheme): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: data.conversationsPerDay.map((d) => formatDay(d.day)),
      datasets: [
        {
          label: 'Conversations',
          data: data.conversationsPerDay.map((d) => d.count),
          borderColor: theme.accent,
          backgroundColor: theme.accentSoft,
          fill: true,
          tension: 0.25,
          pointRadius: 2,
        },
      ],
    },
    options: { ...baseOptions(theme, 'Conversations'), plugins: { legend: { display: false } } },
  };
}

/** Answers given per model (bar). */
export function answersChart(data: Dashboard, theme: ChartTheme): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: data.answersPerModel.map((d) => d.model),
      datasets: [
        { label: 'Answers', data: data.answersPerModel.map((d) => d.count), backgroundColor: theme.accent, borderRadius: 4 },
      ],
    },
    options: { ...baseOptions(theme, 'Answers'), plugins: { legend: { display: false } } },
  };
}

/** Share of thumbs up among rated answers, per model (bar, %). */
export function thumbsUpChart(data: Dashboard, theme: ChartTheme): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: data.thumbsUpRatePerModel.map((d) => d.model),
      datasets: [
        {
          label: 'Thumbs-up rate (%)',
          data: data.thumbsUpRatePerModel.map((d) => (d.rate === null ? null : Math.round(d.rate * 1000) / 10)),
          backgroundColor: theme.accent,
          borderRadius: 4,
        },
      ],
    },
    options: { ...baseOptions(theme, '% thumbs up', 100), plugins: { legend: { display: false } } },
  };
}

/** Shares of answers with cards that led to a product page or the cart, per model (grouped bar, %). */
export function cardClicksChart(data: Dashboard, theme: ChartTheme): ChartConfiguration<'bar'> {
  const pct = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);
  return {
    type: 'bar',
    data: {
      labels: data.cardClicksPerModel.map((d) => d.model),
      datasets: [
        {
          label: 'Product-click rate (%)',
          data: data.cardClicksPerModel.map((d) => pct(d.productClickRate)),
          backgroundColor: theme.accent,
          borderRadius: 4,
        },
        {
          label: 'Add-to-cart rate (%)',
          data: data.cardClicksPerModel.map((d) => pct(d.addToCartRate)),
          backgroundColor: theme.secondary,
          borderRadius: 4,
        },
      ],
    },
    options: baseOptions(theme, '% of answers with cards', 100),
  };
}

/** Median and 95th percentile time to first token, per model (grouped bar, ms). */
export function firstTokenChart(data: Dashboard, theme: ChartTheme): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: data.firstTokenMsPerModel.map((d) => d.model),
      datasets: [
        { label: 'p50 (ms)', data: data.firstTokenMsPerModel.map((d) => d.p50), backgroundColor: theme.accent, borderRadius: 4 },
        {
          label: 'p95 (ms)',
          data: data.firstTokenMsPerModel.map((d) => d.p95),
          backgroundColor: theme.secondary,
          borderRadius: 4,
        },
      ],
    },
    options: baseOptions(theme, 'Milliseconds'),
  };
}

/** Share of answers that failed, per day (line, %). */
export function errorRateChart(data: Dashboard, theme: ChartTheme): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: data.errorRatePerDay.map((d) => formatDay(d.day)),
      datasets: [
        {
          label: 'Error rate (%)',
          data: data.errorRatePerDay.map((d) => Math.round(d.rate * 1000) / 10),
          borderColor: theme.danger,
          backgroundColor: theme.danger,
          tension: 0.25,
          pointRadius: 2,
        },
      ],
    },
    options: { ...baseOptions(theme, '% of answers'), plugins: { legend: { display: false } } },
  };
}

// ---- Text alternatives: what a sighted agent would take from each chart, in one sentence ----

/** "412 conversations in 30 days; busiest 12 May (31)." */
export function conversationsSummary(data: Dashboard): string {
  const days = data.conversationsPerDay;
  const total = days.reduce((sum, d) => sum + d.count, 0);
  if (total === 0) return `No conversations from ${formatDay(data.from)} to ${formatDay(data.to)}.`;
  const busiest = days.reduce((best, d) => (d.count > best.count ? d : best));
  return `${total.toLocaleString()} conversations in ${days.length} days; busiest ${formatDay(busiest.day)} with ${busiest.count.toLocaleString()}.`;
}

/** "qwen3:4b 320 answers, qwen3:8b 41 answers." */
export function answersSummary(data: Dashboard): string {
  if (data.answersPerModel.length === 0) return 'No answers in this range.';
  return `${data.answersPerModel.map((d) => `${d.model} ${d.count.toLocaleString()} answers`).join(', ')}.`;
}

/** "qwen3:4b 82% thumbs up (41 up, 9 down)." */
export function thumbsUpSummary(data: Dashboard): string {
  if (data.thumbsUpRatePerModel.length === 0) return 'No shopper feedback in this range.';
  return `${data.thumbsUpRatePerModel.map((d) => `${d.model} ${formatPercent(d.rate)} thumbs up (${d.up} up, ${d.down} down)`).join('; ')}.`;
}

/** "qwen3:4b: 120 answers with cards, 31% led to a product page, 8% to the cart." */
export function cardClicksSummary(data: Dashboard): string {
  if (data.cardClicksPerModel.length === 0) return 'No answers with product cards in this range.';
  return `${data.cardClicksPerModel
    .map(
      (d) =>
        `${d.model}: ${d.answersWithCards.toLocaleString()} answers with cards, ${formatPercent(d.productClickRate)} led to a product page, ${formatPercent(d.addToCartRate)} to the cart`,
    )
    .join('; ')}.`;
}

/** "qwen3:4b median 420 ms, 95th percentile 1.20 s." */
export function firstTokenSummary(data: Dashboard): string {
  if (data.firstTokenMsPerModel.length === 0) return 'No timed answers in this range.';
  return `${data.firstTokenMsPerModel.map((d) => `${d.model} median ${formatMs(d.p50)}, 95th percentile ${formatMs(d.p95)}`).join('; ')}.`;
}

/** "3 of 412 answers failed (0.7%); worst 12 May at 5%." */
export function errorRateSummary(data: Dashboard): string {
  const answers = data.errorRatePerDay.reduce((sum, d) => sum + d.answers, 0);
  const errors = data.errorRatePerDay.reduce((sum, d) => sum + d.errors, 0);
  if (answers === 0) return 'No answers in this range.';
  const worst = data.errorRatePerDay.reduce((best, d) => (d.rate > best.rate ? d : best));
  const overall = `${errors.toLocaleString()} of ${answers.toLocaleString()} answers failed (${formatPercent(errors / answers)})`;
  return errors === 0 ? `${overall}.` : `${overall}; worst ${formatDay(worst.day)} at ${formatPercent(worst.rate)}.`;
}
