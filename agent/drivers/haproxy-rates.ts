// Request rates from HAProxy's cumulative counters, as HAProxy's own stats page
// shows them: `req_rate` exists only for frontends in `show stat`, and a
// server's `rate` counts sessions (under keep-alive one per request, but on a
// frontend one per connection), so the agent derives requests per second from
// the growth of each object's `req_tot` between two of its collections.
//
// A figure is null rather than wrong: there is no rate before a second sample,
// and none across a counter reset (a reload or restart starts a new worker
// whose counters begin at zero, or `clear counters`), which would otherwise
// read as a negative or, once the new counter passes the old one, a made-up rate.

/** One collection's counters: the time it was taken and the HAProxy worker that answered. */
export type CounterSample = {
  /** Monotonic clock, ms (performance.now()): wall-clock steps must not stretch an interval. */
  atMs: number;
  /** The worker's pid (`show info`): a new one means every counter restarted. */
  workerPid: number | null;
  counters: ReadonlyMap<string, number | null>;
};

const RESPONSE_CLASSES = ["hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"];
const counter = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : null);

/**
 * A `show stat` row's request counter: `req_tot` where HAProxy fills it (2.6 does for
 * servers in http mode); else its responses by class summed (`hrsp_*`), which HAProxy
 * versions whose `req_tot` is frontend/backend-only still give servers; null in tcp
 * mode, where neither is filled.
 */
export function requestCount(column: (name: string) => string | undefined): number | null {
  const total = counter(column("req_tot"));
  if (total !== null) return total;
  const classes = RESPONSE_CLASSES.map((c) => counter(column(c)));
  return classes.some((n) => n !== null) ? classes.reduce<number>((a, n) => a + (n ?? 0), 0) : null;
}

/** Per second, from two readings of one counter `elapsedMs` apart; null when that is not a rate. */
export function counterRate(previous: number | null | undefined, current: number | null | undefined, elapsedMs: number): number | null {
  if (previous == null || current == null) return null;
  if (!Number.isSafeInteger(previous) || !Number.isSafeInteger(current)) return null;
  if (!(elapsedMs > 0)) return null;
  // A counter that went down was reset (or wrapped): this interval has no honest figure.
  if (current < previous) return null;
  return ((current - previous) * 1000) / elapsedMs;
}

/** The rate of every counter of `current` since `previous` (null for all when there is no comparable previous sample). */
export function counterRates(previous: CounterSample | null, current: CounterSample): Map<string, number | null> {
  const comparable = previous !== null && previous.workerPid === current.workerPid;
  const elapsed = previous ? current.atMs - previous.atMs : 0;
  return new Map([...current.counters].map(([key, value]) => [key, comparable ? counterRate(previous.counters.get(key), value, elapsed) : null] as const));
}
