// How fast the worker says a subject is "agent unreachable" or DOWN: the
// constants it runs on, defined once here so the pages' help states what the
// code does (worker/agent-connection.ts, worker/health.ts, worker/monitor.ts
// import them). Nothing here imports anything: client and server read it.

/** No snapshot line for this long and the agent's channel counts as failed (a hung agent). */
export const HEARTBEAT_TIMEOUT_MS = 3500;

/**
 * Rise/fall: consecutive observations needed before the published health
 * changes. Kept at 2 (two seconds at the agents' default interval) after
 * issue 15's review: they decide what operators see and what events say,
 * where a flap is noise.
 */
export const DEFAULT_THRESHOLDS = { rise: 2, fall: 2 } as const;

/**
 * While an agent is silent its subject is judged from evidence this often, so
 * the fall threshold is met this long after the heartbeat timeout, not after
 * a second timeout.
 */
export const SILENT_JUDGE_EVERY_MS = 1000;

/** A hung agent beside a working service becomes "agent unreachable" about this long after it hangs. */
export const HANG_DETECTION_MS = HEARTBEAT_TIMEOUT_MS + (DEFAULT_THRESHOLDS.fall - 1) * SILENT_JUDGE_EVERY_MS;
