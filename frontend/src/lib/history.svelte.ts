// The history section's state: which range, aggregation and zoom the user
// picked, and the Series History answered for it. One History call brings
// every chart's columns (average and max), so switching avg/max is instant.
// Short ranges are re-read as polls arrive, throttled; long ones once.

import * as backend from './backend';
import {
  CHARTS,
  DEFAULT_RANGE,
  followsPolls,
  historyMetrics,
  maxPointsFor,
  rangeWindow,
  zoomWindow,
  type Agg,
  type ChartSpec,
  type RangeKey,
  type TimeWindow,
} from './charts';
import { toErrorInfo, type ErrorInfo, type Series } from './types';

/**
 * A poll re-reads the 24 h range at most this often (ms); the hour is re-read
 * on every poll, so its last point is always the last poll.
 */
export const POLL_THROTTLE_MS = 15_000;

export interface HistoryTarget {
  cluster: string;
  /** "qemu/101" or "node/pve1". */
  targetId: string;
}

export class HistoryView {
  range = $state<RangeKey>(DEFAULT_RANGE);
  agg = $state<Agg>('avg');
  /** The zoomed window, or null for the whole range. */
  zoom = $state.raw<TimeWindow | null>(null);
  series = $state.raw<Series | null>(null);
  /** The window `series` answers for. */
  window = $state.raw<TimeWindow | null>(null);
  loading = $state(false);
  error = $state.raw<ErrorInfo | null>(null);

  /** The charts shown: History is asked for their metrics only. */
  charts: readonly ChartSpec[] = CHARTS;
  #target: HistoryTarget | null = null;
  #points = maxPointsFor(0);
  #seq = 0;
  #lastLoad = -Infinity;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Shows another target (or the same one again, which only reloads). */
  setTarget(target: HistoryTarget): Promise<void> {
    const same = this.#target?.cluster === target.cluster && this.#target?.targetId === target.targetId;
    this.#target = target;
    if (!same) {
      this.series = null;
      this.window = null;
      this.zoom = null;
    }
    return this.load();
  }

  setRange(range: RangeKey): Promise<void> {
    this.range = range;
    this.zoom = null;
    return this.load();
  }

  setAgg(agg: Agg): void {
    this.agg = agg;
  }

  /** Zooms to the time between two x values and asks for finer data there. */
  zoomTo(a: number, b: number): Promise<void> {
    const win = zoomWindow(a, b);
    if (!win) return Promise.resolve();
    this.zoom = win;
    return this.load();
  }

  resetZoom(): Promise<void> {
    if (!this.zoom) return Promise.resolve();
    this.zoom = null;
    return this.load();
  }

  /** The charts' width in px; a clearly different width asks for a fitting number of points. */
  setWidth(px: number): Promise<void> {
    const points = maxPointsFor(px);
    if (Math.abs(points - this.#points) < 100) return Promise.resolve();
    this.#points = points;
    return this.#target ? this.load() : Promise.resolve();
  }

  get points(): number {
    return this.#points;
  }

  /**
   * A poll arrived: the hour re-reads at once, the day at most every
   * POLL_THROTTLE_MS, longer or zoomed views not at all.
   */
  poll(): Promise<void> {
    if (!this.#target || this.zoom || !followsPolls(this.range)) return Promise.resolve();
    if (this.range !== '1h' && this.#now() - this.#lastLoad < POLL_THROTTLE_MS) return Promise.resolve();
    return this.load();
  }

  async load(): Promise<void> {
    const target = this.#target;
    if (!target) return;
    const win = this.zoom ?? rangeWindow(this.range, this.#now());
    const seq = ++this.#seq;
    this.#lastLoad = this.#now();
    this.loading = true;
    this.error = null;
    try {
      const series = await backend.history(
        target.cluster,
        target.targetId,
        historyMetrics(this.charts).flatMap((m) => [m, `${m}_max`]),
        win.from,
        win.to,
        this.#points,
      );
      if (seq !== this.#seq) return;
      this.series = series;
      this.window = win;
    } catch (reason) {
      if (seq === this.#seq) this.error = toErrorInfo(reason);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
