// The inventory's inline CPU sparklines without the drawing: which targets
// to ask for per cluster, and the line segments a tiny canvas strokes (a
// null splits the line: gaps are never bridged).

/** The last 24 hours… */
export const SPARK_SECONDS = 24 * 3600;
/** …in about 48 points (one every 30 minutes). */
export const SPARK_POINTS = 48;
/** The vertical scale never goes below this fraction, so idle noise stays flat. */
export const SPARK_MIN_TOP = 0.05;

export interface SparkTarget {
  cluster: string;
  /** Guest.id, e.g. "qemu/101". */
  id: string;
}

export function sparkKey(t: SparkTarget): string {
  return `${t.cluster}/${t.id}`;
}

/** Targets grouped by cluster, each ID once, in first-seen order: one Sparklines call per cluster. */
export function groupByCluster(targets: readonly SparkTarget[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const t of targets) {
    const key = sparkKey(t);
    if (seen.has(key)) continue;
    seen.add(key);
    const ids = out.get(t.cluster);
    if (ids) ids.push(t.id);
    else out.set(t.cluster, [t.id]);
  }
  return out;
}

export function countValues(values: readonly (number | null)[]): number {
  let n = 0;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) n++;
  return n;
}

export type Point = [x: number, y: number];

/**
 * The polylines to stroke in a width × height box: x spread evenly over
 * the values, y from 0 at the bottom to max(values, SPARK_MIN_TOP) at the
 * top. Each run of known values is one segment; a lone value between gaps is
 * a one-point segment (drawn as a dot).
 */
export function sparkSegments(values: readonly (number | null)[], width: number, height: number): Point[][] {
  const n = values.length;
  if (n === 0 || width <= 0 || height <= 0) return [];
  let top = SPARK_MIN_TOP;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v) && v > top) top = v;
  const step = n > 1 ? width / (n - 1) : 0;
  const segments: Point[][] = [];
  let current: Point[] | null = null;
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      current = null;
      return;
    }
    const y = height - (Math.max(0, v) / top) * height;
    const point: Point = [n > 1 ? i * step : width / 2, y];
    if (!current) {
      current = [];
      segments.push(current);
    }
    current.push(point);
  });
  return segments;
}
