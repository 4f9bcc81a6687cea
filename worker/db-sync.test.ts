// Protects: synchronous replication as a cluster setting, on a real
// PostgreSQL pair with an agent beside each member:
//   - unmanaged, every cluster's start: a value set by hand (before the
//     setting, the only way) is left on every member by the keeper and by a
//     promotion's step (which says so), and the page's observed value shows
//     it; once a mode is picked the keeper replaces it;
//   - the setting (the API's service): audited with its reason, a quorum
//     above the replica count refused;
//   - sync mode: the promotion check marks the sync standby (remembered for
//     when the primary is gone); the keeper makes the primary name its replica (by inventory
//     name) and leaves the replica at '';
//   - wait: with the replica stopped a commit waits, one db.sync-standby-lost
//     (CRITICAL) for the episode, and the commit completes once it is back
//     (db.sync-standby-back);
//   - degrade: with the replica stopped the primary goes async and commits,
//     the event says so; back to sync when the replica returns; a member
//     added to or removed from the inventory is named or dropped within a second;
//   - quorum: ANY n over the replicas, each a quorum standby;
//   - a switchover in sync mode under write load: the new primary names the
//     rejoined old primary, the old one names nobody, a write commits within
//     2 s, and no acknowledged write is lost; with that primary then gone,
//     the check still names the old one as the synchronous standby.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";
import { enrolledPair, type EnrolledPair } from "@/worker/testing/pg-cluster";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "sync-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
let enrolled: EnrolledPair;

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "sync-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor, rebuildExecutor } = await import("@/worker/db-ops");
  const { SyncKeeper } = await import("@/worker/db-sync");
  enrolled = await enrolledPair("sync", { control: true });
  cleanups.push(() => enrolled.stop());
  const runner = new OperationRunner(
    db,
    "sync-worker",
    { "db.promote": promoteExecutor({ catchUpWaitMs: 3000 }), "db.rebuild": rebuildExecutor },
    { listenUrl: database.url() },
  );
  runner.start();
  cleanups.push(() => runner.stop());
  const keeper = new SyncKeeper(db, 200);
  keeper.start();
  cleanups.push(() => keeper.stop());
  await query(enrolled.pair.primaryUrl, "CREATE TABLE acked (id int PRIMARY KEY)");
}, 60_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const syncNames = async (url: string) => (await query<{ v: string }>(url, "SELECT current_setting('synchronous_standby_names') AS v"))[0]!.v;

async function events(kind: string) {
  const { db } = await import("@/lib/db");
  return db.event.findMany({ where: { kind, subjectId: enrolled.clusterId }, orderBy: { id: "asc" }, select: { severity: true, message: true } });
}

async function setOnLoss(onLoss: "WAIT" | "DEGRADE") {
  const { setReplicationMode } = await import("@/lib/operations/sync-mode");
  await setReplicationMode(enrolled.clusterId, { mode: "SYNC", quorum: 1, onLoss, reason: `on loss: ${onLoss.toLowerCase()}` }, audit);
}

/** One INSERT on its own connection; resolves with how long it took to commit. */
async function commit(url: string, id: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const started = Date.now();
  try {
    await c.query("INSERT INTO acked (id) VALUES ($1)", [id]);
    return Date.now() - started;
  } finally {
    await c.end().catch(() => {});
  }
}

const settledWithin = (p: Promise<unknown>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

it("unmanaged (every cluster's start): a value set by hand survives the keeper and a promotion's step; picking a mode replaces it", async () => {
  const { db } = await import("@/lib/db");
  const { setReplicationMode, observedSyncStandbyNames } = await import("@/lib/operations/sync-mode");
  const { setSyncStandbys } = await import("@/worker/db-sync");
  const { pair, clusterId, primaryId } = enrolled;
  expect((await db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).syncMode).toBe("UNMANAGED");
  // As an operator did before the setting existed (a shape the console never renders, on both members).
  for (const url of [pair.primaryUrl, pair.replicaUrl]) {
    await query(url, `ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 ("pg-b")'`);
    await query(url, "SELECT pg_reload_conf()");
  }
  await waitFor(
    "the keeper to see the hand-set value",
    async () => (await db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).syncNamesSeen === 'ANY 1 ("pg-b")',
    5000,
    100,
  );
  await new Promise((r) => setTimeout(r, 1000)); // five more looks by the keeper
  expect(await syncNames(pair.primaryUrl)).toBe('ANY 1 ("pg-b")');
  expect(await syncNames(pair.replicaUrl)).toBe('ANY 1 ("pg-b")');
  expect(await observedSyncStandbyNames(clusterId)).toBe('ANY 1 ("pg-b")');
  expect(await events("db.sync-standby-lost")).toHaveLength(0);
  // A promotion's step leaves it too, and says so.
  const note = await setSyncStandbys(db, clusterId, { id: primaryId, name: "pg-a" });
  expect(note).toMatch(/synchronous_standby_names = 'ANY 1 \("pg-b"\)'; it is not managed by Clusterdeck/);
  expect(await syncNames(pair.primaryUrl)).toBe('ANY 1 ("pg-b")');

  await setReplicationMode(clusterId, { mode: "ASYNC", quorum: 1, onLoss: "WAIT", reason: "the console owns it now" }, audit);
  await waitFor("the keeper to own the value", async () => (await syncNames(pair.primaryUrl)) === "" && (await syncNames(pair.replicaUrl)) === "", 5000, 100);
});

it("the setting: a quorum larger than the replicas is refused; a change is audited with its reason", async () => {
  const { db } = await import("@/lib/db");
  const { setReplicationMode } = await import("@/lib/operations/sync-mode");
  await expect(setReplicationMode(enrolled.clusterId, { mode: "QUORUM", quorum: 2, onLoss: "WAIT", reason: "two copies" }, audit)).rejects.toThrow(
    /quorum of 2 needs as many replicas; sync has 1/,
  );
  const after = await setReplicationMode(enrolled.clusterId, { mode: "SYNC", quorum: 1, onLoss: "WAIT", reason: "no acknowledged write lost" }, audit);
  expect(after).toMatchObject({ syncMode: "SYNC", syncOnLoss: "WAIT", syncDegraded: false });
  const entry = await db.auditEntry.findFirstOrThrow({ where: { action: "cluster.replication-mode", targetId: enrolled.clusterId }, orderBy: { id: "desc" } });
  expect(entry.reason).toBe("no acknowledged write lost");
  expect(entry.summary).toMatchObject({ from: { mode: "ASYNC" }, to: { mode: "SYNC", onLoss: "WAIT" } });
});

it("sync + wait: the primary names its replica; without it a commit waits, one lost event, then back", async () => {
  const { db } = await import("@/lib/db");
  const { promotionCheck } = await import("@/lib/operations/databases");
  const { pair } = enrolled;
  await waitFor("the primary to name pg-b", async () => (await syncNames(pair.primaryUrl)) === 'FIRST 1 ("pg-b")', 10_000, 100);
  expect(await syncNames(pair.replicaUrl)).toBe("");
  await waitFor(
    "pg-b to be the sync standby",
    async () => (await query<{ s: string }>(pair.primaryUrl, "SELECT sync_state AS s FROM pg_stat_replication"))[0]?.s === "sync",
    10_000,
    100,
  );
  expect(await commit(pair.primaryUrl, 1)).toBeLessThan(2000);
  // The promotion check marks it, and the console remembers it for when the primary is gone.
  // Once the primary's agent has a snapshot from after the change (it takes one every 250 ms).
  await waitFor(
    "the check to mark pg-b",
    async () => {
      const b = (await promotionCheck(enrolled.clusterId)).members.find((m) => m.name === "pg-b");
      return b?.syncState === "sync" && b.syncStandby;
    },
    5000,
    100,
  );
  await waitFor(
    "the cluster to remember pg-b",
    async () => (await db.cluster.findUniqueOrThrow({ where: { id: enrolled.clusterId } })).syncStandby === "pg-b",
    5000,
    100,
  );

  await pair.replica.stop();
  const waiting = commit(pair.primaryUrl, 2);
  expect(await settledWithin(waiting, 1500)).toBe(false);
  await waitFor("the lost event", async () => (await events("db.sync-standby-lost")).length > 0, 10_000, 100);
  await new Promise((r) => setTimeout(r, 1000)); // five more looks by the keeper: still one event
  const lost = await events("db.sync-standby-lost");
  expect(lost).toHaveLength(1);
  expect(lost[0]).toMatchObject({ severity: "CRITICAL" });
  expect(lost[0]!.message).toMatch(/commits wait until one is back.*no acknowledged write can be lost/);
  expect(await syncNames(pair.primaryUrl)).toBe('FIRST 1 ("pg-b")');

  await pair.replica.start();
  expect(await settledWithin(waiting, 15_000)).toBe(true);
  await waitFor("the back event", async () => (await events("db.sync-standby-back")).length === 1, 10_000, 100);
  expect((await events("db.sync-standby-back"))[0]).toMatchObject({ severity: "INFO" });
}, 60_000);

it("sync + degrade: without the replica the primary goes async and commits, and says so; sync again when it is back", async () => {
  const { db } = await import("@/lib/db");
  const { pair } = enrolled;
  await setOnLoss("DEGRADE");
  await pair.replica.stop();
  await waitFor("a second lost event", async () => (await events("db.sync-standby-lost")).length === 2, 10_000, 100);
  expect((await events("db.sync-standby-lost"))[1]!.message).toMatch(/switched to asynchronous replication.*degrade/);
  await waitFor("the primary to name nobody", async () => (await syncNames(pair.primaryUrl)) === "", 5000, 100);
  expect((await db.cluster.findUniqueOrThrow({ where: { id: enrolled.clusterId } })).syncDegraded).toBe(true);
  expect(await commit(pair.primaryUrl, 3)).toBeLessThan(2000);

  // Handed back to the operator mid-episode: the episode ends and says why; picked again, it starts anew.
  const { setReplicationMode } = await import("@/lib/operations/sync-mode");
  await setReplicationMode(enrolled.clusterId, { mode: "UNMANAGED", quorum: 1, onLoss: "DEGRADE", reason: "hand it back" }, audit);
  await waitFor("a back event for the hand-over", async () => (await events("db.sync-standby-back")).length === 2, 5000, 100);
  expect((await events("db.sync-standby-back"))[1]!.message).toMatch(/not managed by Clusterdeck/);
  await setOnLoss("DEGRADE");
  await waitFor("a third lost event", async () => (await events("db.sync-standby-lost")).length === 3, 5000, 100);

  await pair.replica.start();
  await waitFor("a third back event", async () => (await events("db.sync-standby-back")).length === 3, 15_000, 100);
  await waitFor("the primary to name pg-b again", async () => (await syncNames(pair.primaryUrl)) === 'FIRST 1 ("pg-b")', 5000, 100);
  expect((await db.cluster.findUniqueOrThrow({ where: { id: enrolled.clusterId } })).syncDegraded).toBe(false);
  expect(await commit(pair.primaryUrl, 4)).toBeLessThan(2000);

  // A member added to the inventory is named at once (FIRST 1: pg-b still answers every commit); removed, it is gone again.
  const { createDatabase, deleteDatabase } = await import("@/lib/inventory/databases");
  const added = await createDatabase(
    { clusterId: enrolled.clusterId, name: "pg-c", engine: "POSTGRESQL", host: "127.0.0.1", port: 1, role: "REPLICA", agentUrl: null },
    audit,
  );
  await waitFor("the primary to name pg-c too", async () => (await syncNames(pair.primaryUrl)) === 'FIRST 1 ("pg-b", "pg-c")', 5000, 100);
  expect(await commit(pair.primaryUrl, 5)).toBeLessThan(2000);
  await deleteDatabase(added.id, audit);
  await waitFor("the primary to name pg-b alone", async () => (await syncNames(pair.primaryUrl)) === 'FIRST 1 ("pg-b")', 5000, 100);
}, 60_000);

it("quorum: the primary waits for ANY n of its replicas, which stream as quorum standbys; no single one is the sync standby", async () => {
  const { db } = await import("@/lib/db");
  const { setReplicationMode } = await import("@/lib/operations/sync-mode");
  const { pair } = enrolled;
  await setReplicationMode(enrolled.clusterId, { mode: "QUORUM", quorum: 1, onLoss: "WAIT", reason: "quorum" }, audit);
  await waitFor("ANY 1", async () => (await syncNames(pair.primaryUrl)) === 'ANY 1 ("pg-b")', 5000, 100);
  await waitFor(
    "pg-b to be a quorum standby",
    async () => (await query<{ s: string }>(pair.primaryUrl, "SELECT sync_state AS s FROM pg_stat_replication"))[0]?.s === "quorum",
    5000,
    100,
  );
  await waitFor(
    "no single sync standby",
    async () => (await db.cluster.findUniqueOrThrow({ where: { id: enrolled.clusterId } })).syncStandby === null,
    5000,
    100,
  );
  expect(await commit(pair.primaryUrl, 6)).toBeLessThan(2000);
});

it("switchover in sync mode under writes: the new primary names the rejoined old one, commits flow, nothing acknowledged is lost", async () => {
  const { db } = await import("@/lib/db");
  const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
  const { pair, primaryId: a, replicaId: b } = enrolled;
  await setOnLoss("WAIT");

  const acked: number[] = [];
  const waits: number[] = [];
  let stop = false;
  const urls = [pair.primaryUrl, pair.replicaUrl];
  const loop = (async () => {
    let [id, current] = [1000, 0];
    while (!stop) {
      id += 1;
      const c = new pg.Client({ connectionString: urls[current], connectionTimeoutMillis: 2000 });
      c.on("error", () => {});
      try {
        await c.connect();
        const started = Date.now();
        await c.query("INSERT INTO acked (id) VALUES ($1)", [id]);
        waits.push(Date.now() - started);
        acked.push(id);
      } catch {
        current = (current + 1) % urls.length;
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        await c.end().catch(() => {});
      }
    }
  })();
  await waitFor("writes flowing", async () => acked.length > 20, 10_000, 20);

  const check = await promotionCheck(enrolled.clusterId);
  const op = await startPromotion(
    enrolled.clusterId,
    { candidateId: b, expectedPrimaryId: a, generation: check.cluster.generation, reason: "sync switchover", force: false },
    audit,
    null,
  );
  const done = await waitFor(
    "the promotion",
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
    },
    120_000,
    100,
  );
  const steps = done.steps as { step: string; detail?: string }[];
  expect(done.state, JSON.stringify(steps, null, 1)).toBe("SUCCEEDED");
  expect(steps.find((s) => s.step === "sync")?.detail).toBe('pg-b waits for FIRST 1 ("pg-a")');
  expect(steps.map((s) => s.step)).toContain("rejoined");

  // pg-b (the replica's server) is the primary now, naming pg-a; pg-a names nobody.
  expect(await syncNames(pair.replicaUrl)).toBe('FIRST 1 ("pg-a")');
  expect(await syncNames(pair.primaryUrl)).toBe("");
  const streaming = await query<{ application_name: string; sync_state: string }>(
    pair.replicaUrl,
    "SELECT application_name, sync_state FROM pg_stat_replication",
  );
  expect(streaming).toEqual([{ application_name: "pg-a", sync_state: "sync" }]);
  expect(await commit(pair.replicaUrl, 999)).toBeLessThan(2000);
  const before = acked.length;
  await waitFor("writes on the new primary", async () => acked.length > before + 10, 10_000, 20);
  stop = true;
  await loop;

  const stored = new Set((await query<{ id: number }>(pair.replicaUrl, "SELECT id FROM acked")).map((r) => r.id));
  const missing = acked.filter((id) => !stored.has(id));
  expect(missing, `${missing.length} of ${acked.length} acknowledged writes missing`).toEqual([]);
  console.log(`sync switchover: ${acked.length} acknowledged writes, 0 missing; longest commit wait ${Math.max(...waits)} ms`);

  // The new primary lost: the promotion check still names pg-a as the replica with every acknowledged write.
  await waitFor(
    "the cluster to remember pg-a",
    async () => (await db.cluster.findUniqueOrThrow({ where: { id: enrolled.clusterId } })).syncStandby === "pg-a",
    5000,
    100,
  );
  await pair.replica.stop("immediate");
  // Its agent tells within a snapshot (250 ms here).
  const gone = await waitFor(
    "the check to see pg-b gone",
    async () => ((c) => (c.primaryReachable ? null : c))(await promotionCheck(enrolled.clusterId)),
    5000,
    100,
  );
  expect(gone.members.find((m) => m.name === "pg-a")).toMatchObject({ syncState: null, syncStandby: true });
}, 180_000);
