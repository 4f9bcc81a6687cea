// Protects: automatic failover on a real primary/replica pair. It is off by
// default and does nothing while paused; once on, a killed primary (DOWN for
// the worker, WAL stream lost for the replica) is replaced by the replica
// without anyone pressing a button, and not twice within the cool-down.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { enrolledPair } from "@/worker/testing/pg-cluster";
import { waitFor } from "@/agent/testing/client";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "auto-failover-test", clientIp: null };
const admin = { ...audit, actor: { ...audit.actor } };
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET = "auto-failover-test-secret-".padEnd(48, "x");
  resetEnvCache();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it("stays off by default and while paused, then promotes the replica by itself, once", async () => {
  const { db } = await import("@/lib/db");
  const { setAutoFailover } = await import("@/lib/operations/databases");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor } = await import("@/worker/db-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  const { AutoFailover } = await import("@/worker/auto-failover");

  const enrolled = await enrolledPair("auto");
  cleanups.push(() => enrolled.stop());
  const { pair, primaryId, replicaId } = enrolled;
  const cluster = { id: enrolled.clusterId };
  const runner = new OperationRunner(db, "auto-worker", { "db.promote": promoteExecutor() }, { listenUrl: database.url() });
  runner.start();
  const recorder = new Recorder(db);
  recorder.start();
  const monitor = new Monitor(recorder, { refreshMs: 500 });
  await monitor.start();
  const auto = new AutoFailover(db, { everyMs: 300, confirmMs: 1000, cooldownMs: 60_000 });
  auto.start();
  cleanups.push(
    () => runner.stop(),
    () => recorder.stop(),
    () => monitor.stop(),
    () => auto.stop(),
  );
  await waitFor("both UP", async () => (await db.databaseInstance.count({ where: { clusterId: cluster.id, health: "UP" } })) === 2, 20_000, 100);

  // The primary dies. Off by default: nothing happens.
  await pair.primary.kill();
  await waitFor("the primary DOWN", async () => (await db.databaseInstance.findUniqueOrThrow({ where: { id: primaryId } })).health === "DOWN", 20_000, 100);
  await new Promise((r) => setTimeout(r, 3000));
  expect(await db.operation.count({ where: { kind: "db.promote" } })).toBe(0);

  // On but paused: still nothing.
  await setAutoFailover(cluster.id, { enabled: true, paused: true, reason: "planned work" }, admin);
  await new Promise((r) => setTimeout(r, 3000));
  expect(await db.operation.count({ where: { kind: "db.promote" } })).toBe(0);

  // Unpaused, but a failover happened a minute ago: the cool-down holds it, and says so.
  await db.cluster.update({ where: { id: cluster.id }, data: { lastFailoverAt: new Date(Date.now() - 60_000) } });
  const auto2 = new AutoFailover(db, { everyMs: 300, confirmMs: 1000, cooldownMs: 10 * 60_000 });
  auto.stop();
  auto2.start();
  cleanups.push(() => auto2.stop());
  await setAutoFailover(cluster.id, { paused: false, reason: "work done" }, admin);
  const held = await waitFor("the held event", () => db.event.findFirst({ where: { kind: "db.failover-held", subjectId: cluster.id } }), 15_000, 100);
  expect(held.message).toMatch(/cool-down/);
  expect(await db.operation.count({ where: { kind: "db.promote" } })).toBe(0);

  // Past the cool-down: the replica is promoted by the system, with the observers' agreement as the reason.
  await db.cluster.update({ where: { id: cluster.id }, data: { lastFailoverAt: new Date(Date.now() - 3_600_000) } });
  const op = await waitFor("an automatic promotion", () => db.operation.findFirst({ where: { kind: "db.promote", subjectId: cluster.id } }), 20_000, 100);
  expect(op.reason).toMatch(/automatic failover: pg-a down .* WAL stream lost on pg-b/);
  const done = await waitFor(
    "it to finish",
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
    },
    60_000,
    100,
  );
  expect(done.state, done.error ?? "").toBe("SUCCEEDED");
  expect((await db.databaseInstance.findUniqueOrThrow({ where: { id: replicaId } })).role).toBe("PRIMARY");
  expect((await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).lastFailoverAt).not.toBeNull();
  const entry = await db.auditEntry.findFirst({ where: { action: "db.promote.start", targetId: replicaId } });
  expect(entry?.actorLabel).toBe("auto-failover");

  expect(await db.operation.count({ where: { kind: "db.promote" } })).toBe(1);
}, 150_000);
