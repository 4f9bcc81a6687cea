// Protects: automatic failover prefers the synchronous standby, on a real
// primary with two replicas (three PostgreSQL 15 servers, an agent beside
// each): pg-c is the one synchronous standby (FIRST 1, as an operator set it
// by hand: an unmanaged cluster), pg-b streams asynchronously. Under a write
// loop the primary is killed (-9); the worker's pieces (Monitor, Recorder,
// SyncKeeper, AutoFailover, the promotion) promote pg-c, not pg-b, which comes
// first by name and is what the choice would fall back to among equals, and
// every write the old primary acknowledged is on pg-c.
//
// Among replicas equally advanced the synchronous standby wins (without that
// preference pg-b is promoted: checked by hand). A replica that received more
// WAL than the synchronous standby would still be chosen first, and rightly:
// WAL is one sequence, so it holds every acknowledged write too. On loopback
// both receive the stream alike, so they end up equal when the primary dies.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";
import { addEnrolledReplica, enrolledPair, type EnrolledPair } from "@/worker/testing/pg-cluster";

const database = setupTestDatabase();
const cleanups: (() => Promise<unknown> | void)[] = [];
let enrolled: EnrolledPair;
let pgC: Awaited<ReturnType<typeof addEnrolledReplica>>;

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "sync-failover-test-secret-".padEnd(48, "x");
  resetEnvCache();
  enrolled = await enrolledPair("syncfail");
  cleanups.push(() => enrolled.stop());
  pgC = await addEnrolledReplica(enrolled, "pg-c");
}, 90_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it("the primary killed under writes: the synchronous standby is promoted, with every acknowledged write", async () => {
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor } = await import("@/worker/db-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  const { AutoFailover } = await import("@/worker/auto-failover");
  const { SyncKeeper } = await import("@/worker/db-sync");
  const { pair, clusterId } = enrolled;

  const runner = new OperationRunner(db, "sync-failover-worker", { "db.promote": promoteExecutor() }, { listenUrl: database.url() });
  runner.start();
  const recorder = new Recorder(db);
  recorder.start();
  const monitor = new Monitor(recorder, { refreshMs: 500 });
  await monitor.start();
  const keeper = new SyncKeeper(db, 200);
  keeper.start();
  cleanups.push(
    () => runner.stop(),
    () => recorder.stop(),
    () => monitor.stop(),
    () => keeper.stop(),
  );
  await waitFor("all three UP", async () => (await db.databaseInstance.count({ where: { clusterId, health: "UP" } })) === 3, 20_000, 100);

  await query(pair.primaryUrl, `ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ("pg-c")'`);
  await query(pair.primaryUrl, "SELECT pg_reload_conf()");
  await query(pair.primaryUrl, "CREATE TABLE acked (id int PRIMARY KEY)");
  await waitFor(
    "pg-c the sync standby, pg-b async",
    async () => {
      const rows = await query<{ a: string; s: string }>(pair.primaryUrl, "SELECT application_name AS a, sync_state AS s FROM pg_stat_replication ORDER BY 1");
      return rows.map((r) => `${r.a}:${r.s}`).join(",") === "pg-b:async,pg-c:sync";
    },
    10_000,
    100,
  );
  // Remembered by the keeper (the cluster is unmanaged: it only looks) for when the primary is gone.
  await waitFor(
    "the cluster to remember pg-c",
    async () => (await db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).syncStandby === "pg-c",
    5000,
    100,
  );

  // One client writes as fast as it can; each write it counts was acknowledged (pg-c flushed it first).
  const auto = new AutoFailover(db, { everyMs: 300, primaryView: (id) => monitor.postgresView(id) });
  auto.start();
  cleanups.push(() => auto.stop());
  await db.cluster.update({ where: { id: clusterId }, data: { autoFailover: true } });
  const acked: number[] = [];
  const c = new pg.Client({ connectionString: pair.primaryUrl });
  c.on("error", () => {});
  await c.connect();
  const loop = (async () => {
    for (let id = 1; ; id++) {
      try {
        await c.query("INSERT INTO acked (id) VALUES ($1)", [id]);
      } catch {
        return;
      }
      acked.push(id);
    }
  })();
  await new Promise((r) => setTimeout(r, 1500));
  await pair.primary.kill();
  await loop;
  await c.end().catch(() => {});
  expect(acked.length).toBeGreaterThan(50);

  const op = await waitFor("an automatic promotion", () => db.operation.findFirst({ where: { kind: "db.promote", subjectId: clusterId } }), 20_000, 100);
  expect(op.reason).toMatch(/automatic failover: pg-a down .*; pg-c is the synchronous standby: it has every acknowledged write/);
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
  expect((await db.databaseInstance.findUniqueOrThrow({ where: { id: pgC.id } })).role).toBe("PRIMARY");
  // The promotion left the operator's value alone and said so.
  expect(JSON.stringify(done.steps)).toMatch(/synchronous_standby_names = 'FIRST 1 \(\\"pg-c\\"\)'; it is not managed by Clusterdeck/);

  const held = new Set((await query<{ id: number }>(pgC.server.url, "SELECT id FROM acked")).map((r) => r.id));
  expect(acked.filter((id) => !held.has(id))).toEqual([]);
  // pg-b follows the new primary.
  await waitFor(
    "pg-b streaming from pg-c",
    async () => (await query(pgC.server.url, "SELECT 1 FROM pg_stat_replication WHERE application_name = 'pg-b' AND state = 'streaming'")).length === 1,
    30_000,
    200,
  );
}, 150_000);
