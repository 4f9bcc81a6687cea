// Protects: the observed replication in the inventory (replicationState,
// lagBytes, timeline) follows a real pair through real agents, monitor and
// recorder, without bumping "updatedAt" (the monitor's change probe), and
// slot and archiving trouble becomes an event once per transition, not once
// per snapshot, nor again when another worker takes over.
import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { query } from "@/lab/postgres";
import { enrolledPair, type EnrolledPair } from "@/worker/testing/pg-cluster";
import { waitFor } from "@/agent/testing/client";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

setupTestDatabase();
let enrolled: EnrolledPair;
let watcher: { monitor: Monitor; recorder: Recorder } | null = null;

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "replication-test-secret-".padEnd(48, "x");
  resetEnvCache();
  enrolled = await enrolledPair("observed");
}, 120_000);

afterAll(async () => {
  await stopWatching();
  await enrolled?.stop();
});

/** A worker's monitor and recorder; stored health taken as UP, so no health transition (which does bump updatedAt) muddles the check. */
async function startWatching() {
  const { db } = await import("@/lib/db");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  const recorder = new Recorder(db);
  recorder.start();
  const monitor = new Monitor(recorder, { refreshMs: 500, initialHealth: () => "UP" });
  await monitor.start();
  watcher = { monitor, recorder };
}

async function stopWatching() {
  if (!watcher) return;
  watcher.monitor.stop();
  await watcher.recorder.stop();
  watcher = null;
}

const row = async (id: string) => {
  const { db } = await import("@/lib/db");
  return db.databaseInstance.findUniqueOrThrow({
    where: { id },
    select: { replicationState: true, lagBytes: true, timeline: true, updatedAt: true, fence: true, role: true },
  });
};
const events = async (kind: string) => {
  const { db } = await import("@/lib/db");
  return db.event.findMany({ where: { kind }, orderBy: { id: "asc" } });
};
const sql = (url: string, text: string) => query(url, text);
const newSegment = async (url: string) => {
  await sql(url, "CREATE TABLE IF NOT EXISTS churn (pad text)");
  await sql(url, "INSERT INTO churn SELECT repeat('z', 500) FROM generate_series(1, 200)");
  await sql(url, "SELECT pg_switch_wal()");
};
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("a streaming replica is written STREAMING with its lag and timeline within seconds, without bumping updatedAt", async () => {
  const { replicaId, primaryId } = enrolled;
  const before = await row(replicaId);
  expect(before.replicationState).toBe("UNKNOWN");
  await startWatching();
  const streaming = await waitFor(
    "the replica STREAMING in the inventory",
    async () => {
      const r = await row(replicaId);
      return r.replicationState === "STREAMING" && r.lagBytes !== null && r.timeline === 1 ? r : null;
    },
    10_000,
    100,
  );
  expect(Number(streaming.lagBytes)).toBeLessThan(16 * 1024 * 1024);
  expect(streaming.updatedAt).toEqual(before.updatedAt);
  expect(streaming).toMatchObject({ fence: "NONE", role: "REPLICA" });
  const primary = await waitFor("the primary's timeline", async () => ((await row(primaryId)).timeline === 1 ? row(primaryId) : null), 10_000, 100);
  expect(primary).toMatchObject({ replicationState: "UNKNOWN", lagBytes: null, role: "PRIMARY" });
}, 30_000);

it("STOPPED once the primary stops, STREAMING again when it is back", async () => {
  const { pair, replicaId } = enrolled;
  await pair.primary.stop();
  const stopped = await waitFor(
    "the replica STOPPED",
    async () => ((await row(replicaId)).replicationState === "STOPPED" ? row(replicaId) : null),
    15_000,
    100,
  );
  expect(stopped.timeline).toBe(1);
  await pair.primary.start();
  await waitFor("the replica STREAMING again", async () => (await row(replicaId)).replicationState === "STREAMING", 30_000, 200);
}, 60_000);

it("a replica's slot lost: one CRITICAL event naming the slot and the member, not again for another worker", async () => {
  const { pair, replicaId, primaryId } = enrolled;
  const slot = `clusterdeck_${replicaId}`;
  await sql(pair.primaryUrl, `SELECT pg_create_physical_replication_slot('${slot}', true)`);
  await sql(pair.replicaUrl, `ALTER SYSTEM SET primary_slot_name = '${slot}'`);
  await sql(pair.replicaUrl, "SELECT pg_reload_conf()");
  await sql(pair.primaryUrl, "ALTER SYSTEM SET max_slot_wal_keep_size = '16MB'");
  await sql(pair.primaryUrl, "ALTER SYSTEM SET wal_keep_size = 0");
  await sql(pair.primaryUrl, "SELECT pg_reload_conf()");
  // The replica dies; its slot keeps WAL until it is over the limit, then loses it.
  await pair.replica.stop();
  await waitFor("the replica STOPPED (its server is down)", async () => (await row(replicaId)).replicationState === "STOPPED", 15_000, 100);
  const lost = await waitFor(
    "the slot-lost event",
    async () => {
      const e = (await events("db.slot-over-limit")).find((x) => x.severity === "CRITICAL");
      if (e) return e;
      await newSegment(pair.primaryUrl);
      await sql(pair.primaryUrl, "CHECKPOINT");
      return null;
    },
    30_000,
    500,
  );
  expect(lost).toMatchObject({ subjectType: "DATABASE", subjectId: primaryId, clusterId: enrolled.clusterId });
  // Named by its replica, not by the slot's name (the member's id): that is in data.slot.
  expect(lost.message).toMatch(/^pg-b's replication slot on pg-a lost WAL/);
  expect(lost.message).not.toContain(replicaId);
  expect(lost.message).toMatch(/pg-b can no longer follow and needs a rebuild/);
  expect(lost.data).toMatchObject({ slot, walStatus: "lost", memberId: replicaId, memberName: "pg-b" });
  await settle(2000);
  const kinds = (await events("db.slot-over-limit")).map((e) => e.severity);
  // The unreserved step may be seen on the way (WARNING) or skipped by one checkpoint: never twice each.
  expect(kinds.filter((k) => k === "CRITICAL")).toHaveLength(1);
  expect(kinds.filter((k) => k === "WARNING").length).toBeLessThanOrEqual(1);

  // Another worker takes over: the slot is still lost, and that was said already.
  await stopWatching();
  await startWatching();
  await settle(3000);
  expect((await events("db.slot-over-limit")).map((e) => e.severity)).toEqual(kinds);
}, 90_000);

it("archiving failing: one db.archive-failed, then one db.archive-recovered", async () => {
  const { pair, primaryId } = enrolled;
  await sql(pair.primaryUrl, "ALTER SYSTEM SET archive_mode = on");
  await sql(pair.primaryUrl, "ALTER SYSTEM SET archive_command = 'false'");
  await pair.primary.stop();
  await pair.primary.start();
  const failed = await waitFor(
    "the archive-failed event",
    async () => (await events("db.archive-failed"))[0] ?? (await newSegment(pair.primaryUrl), null),
    30_000,
    1000,
  );
  expect(failed).toMatchObject({ severity: "CRITICAL", subjectType: "DATABASE", subjectId: primaryId });
  expect(failed.message).toMatch(/^WAL archiving on pg-a is failing/);
  // More failures in the same episode: no more events.
  await newSegment(pair.primaryUrl);
  await settle(2500);
  expect(await events("db.archive-failed")).toHaveLength(1);

  const dir = `${pair.dir}/archive`;
  await sql(pair.primaryUrl, `ALTER SYSTEM SET archive_command = ${pg.escapeLiteral(`mkdir -p ${dir} && cp %p ${dir}/%f`)}`);
  await sql(pair.primaryUrl, "SELECT pg_reload_conf()");
  const recovered = await waitFor(
    "the archive-recovered event",
    async () => (await events("db.archive-recovered"))[0] ?? (await newSegment(pair.primaryUrl), null),
    30_000,
    1000,
  );
  expect(recovered).toMatchObject({ severity: "INFO", subjectId: primaryId });
  expect(recovered.message).toMatch(/^WAL archiving on pg-a works again/);
  await newSegment(pair.primaryUrl);
  await settle(2000);
  expect(await events("db.archive-failed")).toHaveLength(1);
  expect(await events("db.archive-recovered")).toHaveLength(1);
}, 90_000);
