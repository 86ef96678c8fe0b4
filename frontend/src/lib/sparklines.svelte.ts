// CPU sparklines for the rows on screen. The table tells show() which rows
// are visible; after a short debounce (scrolling fires often) the rows whose
// line is missing or older than a minute are fetched with one Sparklines call
// per cluster. Lines stay cached, so scrolling back costs nothing.

import * as backend from './backend';
import { groupByCluster, SPARK_POINTS, SPARK_SECONDS, sparkKey, type SparkTarget } from './sparkline';

export const SPARK_DEBOUNCE_MS = 250;
export const SPARK_TTL_MS = 60_000;

export class SparklineStore {
  /** CPU fractions by "cluster/guestId"; null is a gap. */
  values = $state.raw<ReadonlyMap<string, (number | null)[]>>(new Map());

  #fetchedAt = new Map<string, number>();
  #inFlight = new Set<string>();
  #wanted: SparkTarget[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The rows on screen now; fetches what they lack after a debounce. */
  show(targets: SparkTarget[]): void {
    this.#wanted = targets;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.fetchStale();
    }, SPARK_DEBOUNCE_MS);
  }

  /** Refreshes the visible rows every SPARK_TTL_MS; returns the stop. */
  start(): () => void {
    const interval = setInterval(() => void this.fetchStale(), SPARK_TTL_MS);
    return () => {
      clearInterval(interval);
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
    };
  }

  /** Fetches the wanted rows that have no line younger than SPARK_TTL_MS. */
  async fetchStale(): Promise<void> {
    const now = this.#now();
    const stale = this.#wanted.filter((t) => {
      const key = sparkKey(t);
      const at = this.#fetchedAt.get(key);
      return !this.#inFlight.has(key) && (at === undefined || now - at >= SPARK_TTL_MS);
    });
    if (stale.length === 0) return;
    const to = Math.floor(now / 1000);
    const from = to - SPARK_SECONDS;
    await Promise.all(
      [...groupByCluster(stale)].map(async ([cluster, ids]) => {
        const keys = ids.map((id) => sparkKey({ cluster, id }));
        keys.forEach((k) => this.#inFlight.add(k));
        try {
          const res = await backend.sparklines(cluster, ids, 'cpu', from, to, SPARK_POINTS);
          const next = new Map(this.values);
          for (const id of ids) {
            const key = sparkKey({ cluster, id });
            next.set(key, res.values[id] ?? []);
            this.#fetchedAt.set(key, now);
          }
          this.values = next;
        } catch {
          // No line is better than a broken table; the next refresh retries.
        } finally {
          keys.forEach((k) => this.#inFlight.delete(k));
        }
      }),
    );
  }
}

export const sparklines = new SparklineStore();
