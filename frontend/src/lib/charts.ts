// History charts without the drawing: which ranges and charts exist, the
// windows they ask History for, Series → uPlot's columnar AlignedData (gaps
// stay null: uPlot breaks the line there), CSV text, and the locale-aware
// axis and legend formatters. Pure functions, tested in both locales.

import { formatBytes, formatNumber, formatRate, IEC_UNITS, UNKNOWN } from './i18n/format';
import type { Locale, MessageKey } from './i18n/locales';
import type { Series } from './types';

export const RANGES = ['1h', '24h', '7d', '30d', '1y'] as const;
export type RangeKey = (typeof RANGES)[number];
export const DEFAULT_RANGE: RangeKey = '24h';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Length of each range in seconds. */
export const RANGE_SECONDS: Record<RangeKey, number> = {
  '1h': HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
  '1y': 365 * DAY,
};

export function isRangeKey(value: unknown): value is RangeKey {
  return typeof value === 'string' && (RANGES as readonly string[]).includes(value);
}

export type Agg = 'avg' | 'max';
export const AGGS: readonly Agg[] = ['avg', 'max'];

/** A closed window of unix seconds. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * The window a range covers, ending now (unix ms). History's end is
 * exclusive and samples are stamped in whole seconds: the window ends after
 * the current second, so the poll that landed a moment ago is in it.
 */
export function rangeWindow(range: RangeKey, nowMs: number): TimeWindow {
  const to = Math.floor(nowMs / 1000) + 1;
  return { from: to - RANGE_SECONDS[range], to };
}

/**
 * Whether a range follows the polls: short ranges change visibly every poll,
 * longer ones (coarser points) are read once.
 */
export function followsPolls(range: RangeKey): boolean {
  return RANGE_SECONDS[range] <= DAY;
}

/** Shortest zoom window: below this the stored data has nothing finer. */
export const MIN_ZOOM_SECONDS = 60;

/**
 * The window a drag selection asks for, from the x values (unix s) at its
 * two edges, in either order; null when it is too narrow to mean a zoom.
 */
export function zoomWindow(a: number, b: number): TimeWindow | null {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const from = Math.floor(Math.min(a, b));
  const to = Math.ceil(Math.max(a, b));
  return to - from < MIN_ZOOM_SECONDS ? null : { from, to };
}

export const MAX_POINTS = 1000;
const MIN_POINTS = 60;

/** Points to ask for: about one per pixel of chart width, capped. */
export function maxPointsFor(widthPx: number): number {
  if (!Number.isFinite(widthPx) || widthPx <= 0) return 600;
  return Math.min(MAX_POINTS, Math.max(MIN_POINTS, Math.round(widthPx)));
}

/** How a value is shown: a 0..100 percentage, bytes, or bytes per second. */
export type ValueKind = 'percent' | 'bytes' | 'rate';

export type BaseMetric = 'cpu' | 'mem' | 'maxmem' | 'diskread' | 'diskwrite' | 'netin' | 'netout';

export interface SeriesSpec {
  metric: BaseMetric;
  label: MessageKey;
  /** CSS custom property the line is drawn in. */
  color: string;
  dashed?: boolean;
  /** Factor applied for display (cpu is a 0..1 fraction, shown as %). */
  scale?: number;
}

export type ChartId = 'cpu' | 'mem' | 'disk' | 'net';

export interface ChartSpec {
  id: ChartId;
  title: MessageKey;
  kind: ValueKind;
  series: SeriesSpec[];
}

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'cpu',
    title: 'history.chart.cpu',
    kind: 'percent',
    series: [{ metric: 'cpu', label: 'history.series.cpu', color: '--accent', scale: 100 }],
  },
  {
    id: 'mem',
    title: 'history.chart.mem',
    kind: 'bytes',
    series: [
      { metric: 'mem', label: 'history.series.mem', color: '--accent' },
      { metric: 'maxmem', label: 'history.series.maxmem', color: '--text-faint', dashed: true },
    ],
  },
  {
    id: 'disk',
    title: 'history.chart.disk',
    kind: 'rate',
    series: [
      { metric: 'diskread', label: 'history.series.diskread', color: '--accent' },
      { metric: 'diskwrite', label: 'history.series.diskwrite', color: '--paused' },
    ],
  },
  {
    id: 'net',
    title: 'history.chart.net',
    kind: 'rate',
    series: [
      { metric: 'netin', label: 'history.series.netin', color: '--running' },
      { metric: 'netout', label: 'history.series.netout', color: '--paused' },
    ],
  },
];

/** The stored column a series reads for an aggregation: "cpu" or "cpu_max". */
export function columnName(metric: string, agg: Agg): string {
  return agg === 'max' ? `${metric}_max` : metric;
}

/** Every metric the charts need, for one History call (both aggregations come back). */
export function historyMetrics(charts: readonly ChartSpec[] = CHARTS): string[] {
  return [...new Set(charts.flatMap((c) => c.series.map((s) => s.metric)))];
}

/** uPlot's columnar shape: x values first, then one array per series. */
export type AlignedData = [number[], ...(number | null)[][]];

function column(series: Series, name: string): (number | null)[] {
  const values = series.columns[name];
  const n = series.times.length;
  if (!values) return new Array<number | null>(n).fill(null);
  const out = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  return out;
}

/**
 * One chart's data in uPlot's shape. A missing column becomes all nulls, a
 * null stays null (a gap, never interpolated), values are scaled for display.
 */
export function toAligned(series: Series | null, chart: ChartSpec, agg: Agg): AlignedData {
  if (!series) return [[], ...chart.series.map(() => [])];
  const cols = chart.series.map((s) => {
    const values = column(series, columnName(s.metric, agg));
    const k = s.scale ?? 1;
    return k === 1 ? values : values.map((v) => (v === null ? null : v * k));
  });
  return [series.times.slice(), ...cols];
}

/** Non-null values over every series: what the chart actually draws. */
export function countPoints(data: AlignedData): number {
  let n = 0;
  for (let s = 1; s < data.length; s++) {
    for (const v of data[s]) if (v !== null) n++;
  }
  return n;
}

function csvNumber(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : '';
}

/**
 * A chart's stored columns as CSV: ISO 8601 UTC times, then the raw values
 * (cpu as a 0..1 fraction, bytes, bytes/s) under their column names. A gap
 * is an empty field. Lines end in CRLF, as RFC 4180 says.
 */
export function toCSV(series: Series | null, chart: ChartSpec, agg: Agg): string {
  const names = chart.series.map((s) => columnName(s.metric, agg));
  const lines = [['time', ...names].join(',')];
  if (series) {
    const cols = names.map((name) => series.columns[name] ?? []);
    series.times.forEach((t, i) => {
      lines.push([new Date(t * 1000).toISOString(), ...cols.map((c) => csvNumber(c[i]))].join(','));
    });
  }
  return lines.join('\r\n') + '\r\n';
}

/** Keeps a name safe for a file: letters, digits, dot, dash and underscore. */
export function fileSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'target';
}

/** cecyber-<guest>-<metric>-<range>.csv */
export function csvFileName(target: string, chart: ChartId, range: RangeKey | 'zoom'): string {
  return `cecyber-${fileSlug(target)}-${chart}-${range}.csv`;
}

/** An axis tick: "25%", "1.5 GiB", "2 MiB/s" (no decimals on percentages). */
export function formatAxisValue(locale: Locale, kind: ValueKind, v: number): string {
  switch (kind) {
    case 'percent':
      return `${formatNumber(locale, v, 0)}%`;
    case 'bytes':
      return formatBytes(locale, v);
    case 'rate':
      return formatRate(locale, v);
  }
}

/** How many value ticks a chart's y axis gets at most (180 px tall). */
export const MAX_VALUE_TICKS = 5;

const PERCENT_STEPS = [1, 2, 5, 10, 20, 25, 50, 100];

/**
 * The y range of a chart whose highest value is max: a tenth of headroom,
 * and never less than one step of the smallest tick (1 %, 1 B, 1 B/s), so
 * an idle chart still has two distinct ticks.
 */
export function valueRange(kind: ValueKind, max: number): [number, number] {
  if (!Number.isFinite(max) || max <= 0) return [0, kind === 'percent' ? 100 : 1];
  return [0, Math.max(max * 1.1, 1)];
}

/**
 * The y ticks from 0 to max: for bytes and rates, multiples of a power of
 * two bytes (512 MiB, 1 GiB, 1.5 GiB…; never below 1 B), for percentages
 * multiples of 1, 2, 5, 10, 20, 25 or 50; at most maxTicks + 1 of them.
 */
export function valueTicks(kind: ValueKind, max: number, maxTicks = MAX_VALUE_TICKS): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0];
  const want = max / maxTicks;
  let step: number;
  if (kind === 'percent') {
    step = PERCENT_STEPS.find((s) => s >= want) ?? Math.ceil(want / 100) * 100;
  } else {
    step = 2 ** Math.max(0, Math.ceil(Math.log2(want)));
  }
  const out: number[] = [];
  for (let i = 0; i * step <= max * (1 + 1e-9); i++) out.push(i * step);
  return out;
}

/**
 * A byte count with the fewest decimals (0 to 3) that print it exactly in
 * its unit: 1.5 GiB, 1.25 GiB, 512 MiB, never a rounded "1.3 GiB".
 */
export function formatExactBytes(locale: Locale, bytes: number): string {
  let unit = 0;
  let value = Math.max(0, bytes);
  while (value >= 1024 && unit < IEC_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let digits = 0;
  while (digits < 3 && Math.abs(Math.round(value * 10 ** digits) - value * 10 ** digits) > 1e-6) digits++;
  return `${formatNumber(locale, value, digits)}\u00a0${IEC_UNITS[unit]}`;
}

/**
 * The labels of value ticks: exact binary sizes for bytes and rates, whole
 * percentages; a label equal to the one before it is left blank, so no
 * axis ever reads "1 B/s, 1 B/s".
 */
export function valueTickLabels(locale: Locale, kind: ValueKind, ticks: readonly number[]): string[] {
  const labels = ticks.map((v) =>
    kind === 'percent'
      ? `${formatNumber(locale, v, Number.isInteger(v) ? 0 : 1)}%`
      : kind === 'bytes'
        ? formatExactBytes(locale, v)
        : `${formatExactBytes(locale, v)}/s`,
  );
  return labels.map((l, i) => (i > 0 && labels[i - 1] === l ? '' : l));
}

/**
 * The text beside a ceiling line (a guest's memory limit): its label and
 * its last value, "Total 2 GiB"; null when the series has no value.
 */
export function ceilingLabel(locale: Locale, kind: ValueKind, label: string, values: readonly (number | null)[]): string | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return `${label} ${kind === 'percent' ? `${formatNumber(locale, v, 0)}%` : formatExactBytes(locale, v)}`;
    }
  }
  return null;
}

/** A hover legend value; "—" for a gap. */
export function formatLegendValue(locale: Locale, kind: ValueKind, v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return UNKNOWN;
  if (kind === 'percent') return `${formatNumber(locale, v, 1)}%`;
  return formatAxisValue(locale, kind, v);
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();

function dtf(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options);
  let f = dtfCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dtfCache.set(key, f);
  }
  return f;
}

/**
 * Tick labels for the time axis of a window `span` seconds wide: clock times
 * within two days, day and month within two months, month and year beyond.
 */
export function timeTickFormatter(locale: Locale, span: number): (unixSeconds: number) => string {
  const options: Intl.DateTimeFormatOptions =
    span <= 2 * DAY
      ? { hour: '2-digit', minute: '2-digit' }
      : span <= 62 * DAY
        ? { day: 'numeric', month: 'short' }
        : { month: 'short', year: 'numeric' };
  const f = dtf(locale, options);
  return (t) => f.format(new Date(t * 1000));
}

/**
 * The least room (px) between two time ticks so that their labels never
 * touch: the widest label this locale prints for the span (about 7 px a
 * character at the axis' 12 px font) and a gap of 24 px.
 */
export function timeAxisSpace(locale: Locale, span: number): number {
  const f = timeTickFormatter(locale, span);
  // 23:59 / 12:59 PM, 28 Sep, Sep 2026: the longest labels of each format.
  const samples = [Date.UTC(2026, 8, 28, 11, 59), Date.UTC(2026, 8, 28, 23, 59), Date.UTC(2026, 11, 31, 12, 0)];
  const widest = Math.max(...samples.map((ms) => f(ms / 1000).length));
  return widest * 7 + 24;
}

/** The hovered time in the legend: date and time, to the minute. */
export function formatLegendTime(locale: Locale, unixSeconds: number | null | undefined): string {
  if (typeof unixSeconds !== 'number' || !Number.isFinite(unixSeconds)) return UNKNOWN;
  return dtf(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(unixSeconds * 1000));
}
