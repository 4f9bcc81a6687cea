// The browser's side of live metrics, as pure functions: the bounded window
// of points kept per subject (fed by the event stream), and the merge of
// stored samples with live points into what a chart draws. No React here, so
// it is tested like any other logic.
import type { MetricPoint } from "@/lib/realtime/messages";
import { metricFields, type HealthValue, type MetricField, type SeriesPoint } from "@/lib/metrics/schemas";

/** Keep 15 minutes of live points per subject (about 900 at one a second). */
export const LIVE_WINDOW_MS = 15 * 60_000;
/** A hard stop should an agent report faster than expected. */
export const LIVE_MAX_POINTS = 1200;

export type LiveWindow = {
  /** Oldest first, one per reported point, without the back-end list. */
  points: SeriesPoint[];
  /** The newest point as it came, back-ends included (they are only ever read from the latest). */
  latest: MetricPoint | null;
  /**
   * The newest point that carried back-end probes. A silent agent's points
   * carry none: its node keeps its last known rows (marked stale) rather
   * than dropping out of the back-ends table.
   */
  lastProbed?: MetricPoint | null;
};

export const emptyWindow: LiveWindow = { points: [], latest: null, lastProbed: null };

const num = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function toSeriesPoint(p: MetricPoint): SeriesPoint {
  return {
    at: p.at,
    health: p.health,
    sessions: num(p.sessions),
    requestRate: num(p.requestRate),
    latencyMs: num(p.latencyMs),
    cpu: num(p.cpu),
    memory: num(p.memory),
    lagBytes: num(p.lagBytes),
    lagSeconds: num(p.lagSeconds),
  };
}

/** First index whose `at` is ≥ t (points sorted by `at`). */
export function lowerBound(points: readonly { at: number }[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Adds points (of one subject) to its window and drops what has aged out.
 * Returns a new window; the old one is not touched (React Query hands it to
 * components). Points may arrive late or twice: they are put in time order,
 * and a point at the same millisecond replaces the one there.
 */
export function appendToWindow(
  window: LiveWindow | undefined,
  incoming: readonly MetricPoint[],
  opts: { maxAgeMs?: number; maxPoints?: number } = {},
): LiveWindow {
  const maxAgeMs = opts.maxAgeMs ?? LIVE_WINDOW_MS;
  const maxPoints = opts.maxPoints ?? LIVE_MAX_POINTS;
  const current = window ?? emptyWindow;
  if (incoming.length === 0) return current;
  const points = current.points.slice();
  let latest = current.latest;
  let lastProbed = current.lastProbed ?? null;
  for (const p of incoming) {
    if (!Number.isFinite(p.at)) continue;
    const sp = toSeriesPoint(p);
    const last = points[points.length - 1];
    if (!last || last.at < p.at) points.push(sp);
    else {
      const i = lowerBound(points, p.at);
      if (points[i]?.at === p.at) points[i] = sp;
      else points.splice(i, 0, sp);
    }
    if (!latest || p.at >= latest.at) latest = p;
    if (p.backends && (!lastProbed || p.at >= lastProbed.at)) lastProbed = p;
  }
  const newest = points[points.length - 1]?.at ?? 0;
  // Age is measured from the newest point, not the wall clock: a tab whose
  // clock is off, or a stream that paused, still keeps a full window.
  let start = lowerBound(points, newest - maxAgeMs);
  start = Math.max(start, points.length - maxPoints);
  return { points: start > 0 ? points.slice(start) : points, latest, lastProbed };
}

const healthRank: Record<HealthValue, number> = { UP: 0, UNKNOWN: 1, DEGRADED: 2, UNREACHABLE: 3, DOWN: 4 };

/** Worst health wins, so a blip of DOWN stays visible once averaged. */
export function worseHealth(a: HealthValue, b: HealthValue): HealthValue {
  return healthRank[b] > healthRank[a] ? b : a;
}

/**
 * Averages points into buckets aligned on multiples of `bucketMs` since the
 * epoch (as the server's date_bin does, so live and stored points share
 * times). Lag takes the bucket's maximum, health its worst, like the server.
 */
export function bucketize(points: readonly SeriesPoint[], bucketMs: number): SeriesPoint[] {
  if (bucketMs <= 1) return points.slice();
  const out: SeriesPoint[] = [];
  let cur: { at: number; health: HealthValue; sum: Record<MetricField, number>; n: Record<MetricField, number> } | null = null;
  const flush = () => {
    if (!cur) return;
    const p = { at: cur.at, health: cur.health } as SeriesPoint;
    for (const f of metricFields) p[f] = cur.n[f] ? (f === "lagBytes" || f === "lagSeconds" ? cur.sum[f] : cur.sum[f] / cur.n[f]) : null;
    out.push(p);
  };
  for (const p of points) {
    const at = Math.floor(p.at / bucketMs) * bucketMs;
    if (!cur || cur.at !== at) {
      flush();
      cur = { at, health: p.health, sum: {} as Record<MetricField, number>, n: {} as Record<MetricField, number> };
    } else cur.health = worseHealth(cur.health, p.health);
    for (const f of metricFields) {
      const v = p[f];
      if (v === null) continue;
      if (f === "lagBytes" || f === "lagSeconds") cur.sum[f] = cur.n[f] ? Math.max(cur.sum[f], v) : v;
      else cur.sum[f] = (cur.sum[f] ?? 0) + v;
      cur.n[f] = (cur.n[f] ?? 0) + 1;
    }
  }
  flush();
  return out;
}

/**
 * Stored samples and live points of one subject, as one line: live points
 * (bucketed) win wherever they cover a stored bucket, stored samples fill the
 * rest — before the tab opened, and any gap while the stream was down.
 */
export function mergeStoredAndLive(stored: readonly SeriesPoint[], storedBucketMs: number, live: readonly SeriesPoint[], liveBucketMs: number): SeriesPoint[] {
  const liveBuckets = bucketize(live, liveBucketMs);
  if (liveBuckets.length === 0) return stored.slice();
  const kept = stored.filter((s) => {
    const i = lowerBound(liveBuckets, s.at);
    return !(i < liveBuckets.length && liveBuckets[i]!.at < s.at + storedBucketMs);
  });
  if (kept.length === 0) return liveBuckets;
  const out = kept.concat(liveBuckets);
  out.sort((a, b) => a.at - b.at);
  // Same time in both (a live bucket on a stored bucket's start): the live one was pushed last, keep it.
  return out.filter((p, i) => i === out.length - 1 || out[i + 1]!.at !== p.at);
}

export type ChartLine = { id: string; label: string; points: readonly SeriesPoint[]; field: MetricField; scale?: number };
export type ChartRow = { at: number } & Record<string, number | null>;

/** One row per time any line has a value, oldest first; from `from` on. */
export function chartRows(lines: readonly ChartLine[], from: number): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const line of lines) {
    for (let i = lowerBound(line.points, from); i < line.points.length; i++) {
      const p = line.points[i]!;
      const v = p[line.field];
      if (v === null) continue;
      let row = rows.get(p.at);
      if (!row) rows.set(p.at, (row = { at: p.at } as ChartRow));
      row[line.id] = v * (line.scale ?? 1);
    }
  }
  return [...rows.values()].sort((a, b) => a.at - b.at);
}

/** The newest non-null value of a field, with its time. */
export function latestValue(points: readonly SeriesPoint[], field: MetricField): { at: number; value: number } | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]![field];
    if (v !== null) return { at: points[i]!.at, value: v };
  }
  return null;
}

/** Axis ticks on round multiples of `stepMs` (UTC), within [from, to]. */
export function timeTicks(from: number, to: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to && out.length < 50; t += stepMs) out.push(t);
  return out;
}

/** Groups stream points by subject key, keeping their order. */
export function groupByKey(points: readonly MetricPoint[]): Map<string, MetricPoint[]> {
  const out = new Map<string, MetricPoint[]>();
  for (const p of points) {
    if (!p || typeof p.key !== "string" || typeof p.at !== "number") continue;
    let list = out.get(p.key);
    if (!list) out.set(p.key, (list = []));
    list.push(p);
  }
  return out;
}
