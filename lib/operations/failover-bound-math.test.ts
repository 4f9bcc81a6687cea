// Protects: the worst case the cluster page shows for a partition follows the
// replicas' wal_receiver_timeout as PostgreSQL reads it, the slowest replica
// counting, and says so when a timeout of 0 means there is no bound.
import { expect, it } from "vitest";
import { DECISION_AND_PROMOTION_MS, durationMs, partitionWorstCase } from "@/lib/operations/failover-bound-math";

it("reads durations as PostgreSQL does (no unit: milliseconds)", () => {
  expect(durationMs("5s")).toBe(5000);
  expect(durationMs("1min")).toBe(60_000);
  expect(durationMs("750")).toBe(750);
  expect(durationMs("soon")).toBeNull();
});

it("takes the slowest replica, PostgreSQL's 60 s where nothing is deployed, and no bound for 0", () => {
  expect(partitionWorstCase(["5s", undefined])).toEqual({ bounded: true, walReceiverTimeoutMs: 60_000, worstCaseMs: 60_000 + DECISION_AND_PROMOTION_MS });
  expect(partitionWorstCase(["5s", "10s"])).toMatchObject({ bounded: true, worstCaseMs: 10_000 + DECISION_AND_PROMOTION_MS });
  expect(partitionWorstCase(["5s", "0"])).toMatchObject({ bounded: false });
  expect(partitionWorstCase([])).toMatchObject({ bounded: null });
});
