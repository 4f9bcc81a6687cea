// The arithmetic of lib/operations/failover-bound.ts, free of the database so
// it is tested on its own.

/**
 * After the last replica's timeout: the primary's agent reports its hung
 * PostgreSQL DOWN within a snapshot and the fast path's 0.5 s, a check every
 * 0.25 s, then the promotion. Measured at 0.2–1.2 s in
 * worker/auto-failover-alarms.test.ts; 3 s leaves room for a loaded host.
 */
export const DECISION_AND_PROMOTION_MS = 3000;
const POSTGRES_DEFAULT_MS = 60_000;
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A managed duration setting ("5s", "500ms", "1min"; no unit: milliseconds, as wal_receiver_timeout reads it). */
export function durationMs(value: string): number | null {
  const m = /^(-?\d+)(us|ms|s|min|h|d)?$/.exec(value);
  return m ? Number(m[1]) * UNIT_MS[m[2] ?? "ms"]! : null;
}

export type PartitionWorstCase =
  { bounded: true; worstCaseMs: number; walReceiverTimeoutMs: number } | { bounded: false; why: string } | { bounded: null; why: string };

/** One entry per replica: the wal_receiver_timeout it runs (undefined: PostgreSQL's default). */
export function partitionWorstCase(timeouts: (string | undefined)[]): PartitionWorstCase {
  if (timeouts.length === 0) return { bounded: null, why: "no replica: nothing to fail over to" };
  const ms = timeouts.map((t) => (t === undefined ? POSTGRES_DEFAULT_MS : durationMs(t)));
  // 0 turns the timeout off: that replica never notices, and every replica must before a failover.
  if (ms.some((m) => m === null || m <= 0)) return { bounded: false, why: "a replica runs with wal_receiver_timeout off (0): it never notices a partition" };
  const slowest = Math.max(...(ms as number[]));
  return { bounded: true, worstCaseMs: slowest + DECISION_AND_PROMOTION_MS, walReceiverTimeoutMs: slowest };
}
