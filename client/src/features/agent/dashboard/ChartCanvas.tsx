import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import type { ChartTheme } from './dashboardCharts';

// Only what the dashboard draws, so the chunk stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/** The chart colours for the current theme, read from the design tokens. */
export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  return {
    accent: cssVar(style, '--accent', '#0f766e'),
    accentSoft: cssVar(style, '--accent-soft', '#d9efeb'),
    secondary: cssVar(style, '--info', '#1d4f91'),
    danger: cssVar(style, '--danger', '#b42318'),
    text: cssVar(style, '--text', '#1b1c1e'),
    muted: cssVar(style, '--muted', '#5f6168'),
    grid: cssVar(style, '--border', '#e2e2dc'),
    isReducedMotion: window.matchMedia('(prefers-reduced-motion: reduce)').matches,
  };
}

/** The chart kinds the dashboard draws. */
export type ChartConfig = ChartConfiguration<'line'> | ChartConfiguration<'bar'>;

interface ChartCanvasProps {
  /** Builds the chart for a theme; keep it stable (useCallback) so the chart is only rebuilt on new data. */
  build: (theme: ChartTheme) => ChartConfig;
  /** The chart's name for assistive technology. */
  label: string;
  /** Id of the element that says what the chart shows (its text alternative). */
  describedBy: string;
}

/** A chart.js canvas that is created on mount and destroyed when its data changes or it unmounts. */
export function ChartCanvas({ build, label, describedBy }: ChartCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null) return;
    const config = build(readChartTheme());
    // Two calls so each narrows to one chart type (chart.js does not accept the union).
    const chart = config.type === 'line' ? new Chart(canvas, config) : new Chart(canvas, config);
    return () => chart.destroy();
  }, [build]);

  return (
    <div className="chart-box">
      <canvas ref={canvasRef} role="img" aria-label={label} aria-describedby={describedBy} />
    </div>
  );
}
