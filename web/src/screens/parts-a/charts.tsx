/**
 * The dashboard's two charts (Chart.js, only the pieces used are registered so the bundle stays
 * small). Each canvas is an image with a short aria-label; the figures themselves sit beside it
 * in a visually hidden table, so screen readers get the exact amounts the chart only sketches.
 */
import type { JSX, RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip, type ChartConfiguration, type TooltipItem,
} from 'chart.js';
import { percent } from '../../components/ui';
import type { DashboardData } from '../../wire';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

/**
 * The one place a money (or percent) string becomes a JS number: a chart coordinate for
 * Chart.js to draw. Never used for sums or display — tooltips and tables show the exact string.
 */
function chartCoordinate(decimal: string | null): number | null {
  return decimal === null ? null : Number(decimal);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-03" → "Mar 2026" (labels only; no Date arithmetic, so no time-zone surprises). */
export function monthLabel(month: string): string {
  return `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month.slice(5, 7)} ${month.slice(0, 4)}`;
}

const COLORS = { value: '#1f5fbf', revenue: '#6b9be0', cogs: '#e0a15e', margin: '#1c7a3b' };

/**
 * Draws `config` on a canvas and redraws when `deps` change; the chart is destroyed on unmount.
 * A layout effect, so the chart is drawn before the browser first paints the card, not a frame later.
 */
function useChart(config: () => ChartConfiguration, deps: unknown[]): RefObject<HTMLCanvasElement | null> {
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    const chart = new Chart(ref.current, config());
    return () => chart.destroy();
  }, deps);
  return ref;
}

/** Tooltip text from the API's own strings, not from the plotted (rounded) numbers. */
function exactLabel(texts: readonly (readonly string[])[], names: readonly string[]) {
  return (item: TooltipItem<'bar' | 'line'>): string => `${names[item.datasetIndex] ?? ''}: ${texts[item.datasetIndex]?.[item.dataIndex] ?? ''}`;
}

const BASE = { responsive: true, maintainAspectRatio: false, animation: false as const };

export function ValueChart({ data }: { data: DashboardData['inventoryValue'] }): JSX.Element {
  const values = data.map((d) => d.value);
  const ref = useChart(() => ({
    type: 'line',
    data: {
      labels: data.map((d) => monthLabel(d.month)),
      datasets: [{ label: 'Inventory value', data: values.map(chartCoordinate), borderColor: COLORS.value, backgroundColor: COLORS.value }],
    },
    options: { ...BASE, plugins: { legend: { display: false }, tooltip: { callbacks: { label: exactLabel([values], ['Value']) } } }, scales: { x: { ticks: { maxRotation: 0, autoSkipPadding: 8 } }, y: { beginAtZero: true } } },
  }), [data]);
  const last = data[data.length - 1];
  const summary = last ? `Line chart of inventory value at ${data.length} month ends; ${monthLabel(last.month)}: ${last.value}.` : 'No inventory value yet.';
  return <canvas ref={ref} role="img" aria-label={summary} />;
}

export function MarginChart({ data }: { data: DashboardData['margin'] }): JSX.Element {
  const revenue = data.map((d) => d.revenue);
  const cogs = data.map((d) => d.cogs);
  const pct = data.map((d) => percent(d.marginPercent));
  const ref = useChart(() => ({
    type: 'bar',
    data: {
      labels: data.map((d) => monthLabel(d.month)),
      datasets: [
        { type: 'bar', label: 'Revenue', data: revenue.map(chartCoordinate), backgroundColor: COLORS.revenue, yAxisID: 'y', order: 2 },
        { type: 'bar', label: 'COGS', data: cogs.map(chartCoordinate), backgroundColor: COLORS.cogs, yAxisID: 'y', order: 2 },
        { type: 'line', label: 'Gross margin %', data: data.map((d) => chartCoordinate(d.marginPercent)), borderColor: COLORS.margin, backgroundColor: COLORS.margin, yAxisID: 'pct', order: 1 },
      ],
    },
    options: {
      ...BASE,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } }, tooltip: { callbacks: { label: exactLabel([revenue, cogs, pct], ['Revenue', 'COGS', 'Gross margin']) } } },
      scales: {
        x: { ticks: { maxRotation: 0, autoSkipPadding: 8 } },
        y: { beginAtZero: true, position: 'left' },
        pct: { beginAtZero: true, max: 100, position: 'right', grid: { drawOnChartArea: false }, ticks: { callback: (v) => `${v} %` } },
      },
    },
  }) as ChartConfiguration, [data]);
  const summary = `Bar chart of revenue and cost of goods sold by month for ${data.length} months, with the gross margin percentage as a line.`;
  return <canvas ref={ref} role="img" aria-label={summary} />;
}
