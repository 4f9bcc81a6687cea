// Protects: how a snapshot becomes the stored replicationState (the thresholds
// between STREAMING and CATCHUP, what a down server or a silent agent reads
// as), and that lag moving by a few bytes every second is not written every second.
import { describe, expect, it } from "vitest";
import type { PostgresStatus, Snapshot } from "@/lib/agent-protocol/types";
import { CATCHUP_LAG_BYTES, CATCHUP_LAG_SECONDS, LAG_REFRESH_MS, RESYNC_MS, observedReplication, worthWriting } from "./replication-state";

const replica = (p: Partial<PostgresStatus> = {}, health: Snapshot["health"] = "UP"): Snapshot =>
  ({
    health,
    postgres: { inRecovery: true, timeline: 3, lagBytes: 0, lagSeconds: 0, walReceiverStatus: "streaming", replicas: [], replayPaused: false, ...p },
  }) as Snapshot;

describe("observedReplication", () => {
  it("streaming within the thresholds, CATCHUP beyond either, STOPPED without a streaming receiver", () => {
    expect(observedReplication(replica())).toEqual({ state: "STREAMING", lagBytes: 0, timeline: 3 });
    expect(observedReplication(replica({ lagBytes: CATCHUP_LAG_BYTES })).state).toBe("STREAMING");
    expect(observedReplication(replica({ lagBytes: CATCHUP_LAG_BYTES + 1 })).state).toBe("CATCHUP");
    expect(observedReplication(replica({ lagBytes: 10, lagSeconds: CATCHUP_LAG_SECONDS + 0.5 })).state).toBe("CATCHUP");
    expect(observedReplication(replica({ walReceiverStatus: "waiting", lagSeconds: null }))).toMatchObject({ state: "STOPPED", timeline: 3 });
    expect(observedReplication(replica({ walReceiverStatus: null })).state).toBe("STOPPED");
  });

  it("a primary is UNKNOWN with its timeline; a down server STOPPED; a silent agent UNKNOWN, timeline kept", () => {
    expect(observedReplication(replica({ inRecovery: false, lagBytes: null }))).toEqual({ state: "UNKNOWN", lagBytes: null, timeline: 3 });
    expect(observedReplication(replica({}, "DOWN"))).toEqual({ state: "STOPPED", lagBytes: null, timeline: null });
    expect(observedReplication(null)).toEqual({ state: "UNKNOWN", lagBytes: null, timeline: null });
  });
});

describe("worthWriting", () => {
  const stored = { state: "STREAMING", lagBytes: 100, timeline: 1, at: 0 } as const;
  const next = (o: Partial<ReturnType<typeof observedReplication>>) => ({ state: "STREAMING" as const, lagBytes: 100, timeline: 1, ...o });

  it("writes a change of state, timeline, a lag step of 1 MiB or to/from zero at once; small lag drift only after a while", () => {
    expect(worthWriting(undefined, next({}), 0)).toBe(true); // never written
    expect(worthWriting(stored, next({}), 1000)).toBe(false);
    expect(worthWriting(stored, next({ lagBytes: 5000 }), 1000)).toBe(false);
    expect(worthWriting(stored, next({ lagBytes: 5000 }), LAG_REFRESH_MS)).toBe(true);
    expect(worthWriting(stored, next({ lagBytes: 100 + 1024 * 1024 }), 1000)).toBe(true);
    expect(worthWriting(stored, next({ lagBytes: 0 }), 1000)).toBe(true);
    expect(worthWriting(stored, next({ lagBytes: null }), 1000)).toBe(true);
    expect(worthWriting(stored, next({ state: "CATCHUP" }), 1000)).toBe(true);
    expect(worthWriting(stored, next({ timeline: 2 }), 1000)).toBe(true);
    // No timeline known (a silent agent): the stored one stands.
    expect(worthWriting(stored, next({ timeline: null }), 1000)).toBe(false);
    // Written again now and then, in case an operation wrote these columns meanwhile.
    expect(worthWriting(stored, next({}), RESYNC_MS)).toBe(true);
  });
});
