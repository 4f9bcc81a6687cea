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
