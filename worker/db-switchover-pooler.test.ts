// Protects: a planned switchover that fails no client of a PgBouncer pooler.
// A real PostgreSQL pair with an agent beside each member (allowed to stop
// its server), a real PgBouncer (transaction mode) in front of the primary
// with its agent, all enrolled in one cluster, clients writing through
// PgBouncer back to back (no app hold), and a demo app whose settings URL
// names the pooler (it writes through it, in transaction pooling):
//   - the promotion check lists the pooler, able to pause;
//   - the switchover PAUSEs the pooler before the fence, points its entry at
//     the new primary once it writes, RESUMEs it: no query fails, every
//     acknowledged write is on the new primary, the app's URL is left alone;
//   - a switchover that fails after the PAUSE (the candidate cannot catch up)
//     RESUMEs the pooler, still on the old primary: the writes go on there;
//   - a pooler that does not answer is named, and the switchover goes on.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { waitFor } from "@/agent/testing/client";
import { bouncerQuery, LAB_DATABASE } from "@/lab/pgbouncer";
import { query } from "@/lab/postgres";
import { enrolledPair, type EnrolledPair, type OperationStep, promoteAndWait } from "@/worker/testing/pg-cluster";
import { enrolledPooler, pooledWriteLoop, type EnrolledPooler } from "@/worker/testing/pg-pooler";
import { enrolledApps } from "@/worker/testing/app-nodes";

const database = setupTestDatabase();
const cleanups: (() => Promise<unknown> | void)[] = [];
let enrolled: EnrolledPair;
let pooler: EnrolledPooler;
let app: { url: string };

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "switchover-pooler-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor } = await import("@/worker/db-ops");
  const { deployExecutor } = await import("@/worker/deploy");
  enrolled = await enrolledPair("switchover-pooler", { control: true });
  cleanups.push(() => enrolled.stop());
  pooler = await enrolledPooler(enrolled, { name: "pgbouncer" });
  cleanups.push(() => pooler.stop());
  const runner = new OperationRunner(
    db,
    "switchover-pooler-worker",
    { "db.promote": promoteExecutor({ catchUpWaitMs: 3000 }), "config.deploy": deployExecutor() },
    { listenUrl: database.url() },
  );
  runner.start();
  cleanups.push(() => runner.stop());
  // Its settings name the pooler: the promotion must leave them alone.
  const apps = await enrolledApps(enrolled.clusterId, pooler.bouncer.url, { count: 1, hold: false });
  cleanups.push(() => apps.stop());
  app = apps.apps[0]!;
}, 90_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const order = (steps: OperationStep[]) => steps.map((s) => s.step);
const detail = (steps: OperationStep[], step: string) => steps.find((s) => s.step === step)?.detail;
/** The pooler's entry as PgBouncer runs it, from its admin console. */
const entry = async () =>
  (await bouncerQuery<{ name: string; port: number; paused: number }>(pooler.bouncer.adminUrl, "SHOW DATABASES")).find((d) => d.name === LAB_DATABASE)!;
const appDb = (superuserUrl: string) => {
  const u = new URL(superuserUrl);
  u.pathname = `/${LAB_DATABASE}`;
  return u.toString();
};

it("a switchover through PgBouncer fails no query, every acknowledged write is on the new primary, the pooler points there", async () => {
  const { db } = await import("@/lib/db");
  const { pair, primaryId, replicaId, clusterId } = enrolled;
  const { promotionCheck } = await import("@/lib/operations/databases");
  expect((await promotionCheck(clusterId)).poolers).toEqual([
    { id: pooler.poolerId, name: "pgbouncer", health: "UP", poolMode: "transaction", canPause: true, warning: null },
  ]);
  const revisions = await db.configRevision.count({ where: { scope: `app.${clusterId}` } });
  const load = await pooledWriteLoop(pooler.bouncer.url);
  await waitFor("writes flowing", async () => load.acked.length > 200, 10_000, 20);
  const done = await promoteAndWait(clusterId, replicaId, primaryId);
  const before = load.acked.length;
  await waitFor("writes on the new primary", async () => load.acked.length > before + 200, 10_000, 20);
  await load.stop();

  expect(done.state, `${done.error ?? ""}\n${JSON.stringify(done.steps, null, 1)}`).toBe("SUCCEEDED");
  const steps = order(done.steps);
  expect(steps.indexOf("paused")).toBeLessThan(steps.indexOf("fenced"));
  expect(steps.indexOf("retargeted")).toBe(steps.indexOf("verified") + 1);
  expect(steps).not.toContain("pools-resumed");
  expect(detail(done.steps, "paused")).toBe(`pgbouncer paused ${LAB_DATABASE}`);
  expect(detail(done.steps, "retargeted")).toBe(`pgbouncer: ${LAB_DATABASE} now on pg-b, resumed`);
  expect(detail(done.steps, "apps")).toBe("the apps reach the database through pgbouncer: retargeted there");
  expect(await db.configRevision.count({ where: { scope: `app.${clusterId}` } })).toBe(revisions);
  // The demo app works in transaction pooling (no session state, no named statements), on the new primary now.
  const res = await fetch(`${app.url}/write`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ payload: "through-the-app" }),
  });
  expect(res.status).toBe(201);
  expect(await query(appDb(pair.replicaUrl), "SELECT 1 FROM writes WHERE payload = 'through-the-app'")).toHaveLength(1);

  expect(load.errors, "failed client queries").toEqual([]);
  const stored = new Set((await query<{ payload: string }>(appDb(pair.replicaUrl), "SELECT payload FROM pooled_writes")).map((r) => r.payload));
  const lost = load.acked.filter((p) => !stored.has(p));
  expect(lost, `${lost.length} of ${load.acked.length} acknowledged writes missing on the new primary`).toEqual([]);
  expect(await entry()).toMatchObject({ port: pair.replica.port, paused: 0 });
  // The queries waited through the switch, and not for long.
  const slowest = Math.max(...load.samples.map((s) => s.ms));
  expect(slowest).toBeGreaterThan(20);
  expect(slowest).toBeLessThan(5000);
}, 120_000);

it("a switchover that fails after the PAUSE resumes the pooler on the old primary: the writes go on, none failed", async () => {
  const { pair, primaryId: a, replicaId: b, clusterId } = enrolled;
  // After the first test pg-b is the primary and pg-a follows it. pg-a stops receiving.
  const { conninfo } = (await query<{ conninfo: string }>(pair.primaryUrl, "SELECT current_setting('primary_conninfo') AS conninfo"))[0]!;
  await query(pair.primaryUrl, `ALTER SYSTEM SET primary_conninfo = '${conninfo.replace(/port=\d+/, "port=1").replace(/'/g, "''")}'`);
  await query(pair.primaryUrl, "SELECT pg_reload_conf()");
  await waitFor(
    "pg-a to stop receiving",
    async () => (await query(pair.primaryUrl, "SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'")).length === 0,
    10_000,
    100,
  );
  const load = await pooledWriteLoop(pooler.bouncer.url);
  await waitFor("writes flowing", async () => load.acked.length > 200, 10_000, 20);
  const done = await promoteAndWait(clusterId, a, b);
  const before = load.acked.length;
  await waitFor("writes after the failed switchover", async () => load.acked.length > before + 200, 10_000, 20);
  await load.stop();

  expect(done.state).toBe("FAILED");
  expect(done.error ?? "").toMatch(/did not replay .* within 3 s.*Nothing was promoted; pg-b takes writes again/);
  const steps = order(done.steps);
  expect(steps).toContain("paused");
  expect(steps).not.toContain("retargeted");
  expect(steps.slice(-2)).toEqual(["pools-resumed", "failed"]);
  expect(detail(done.steps, "pools-resumed")).toBe("pgbouncer resumed");
  expect(await entry()).toMatchObject({ port: pair.replica.port, paused: 0 });
  expect(load.errors, "failed client queries").toEqual([]);
  // The queries waited through the catch-up bound, then went on.
  expect(Math.max(...load.samples.map((s) => s.ms))).toBeGreaterThan(2500);

  await query(pair.primaryUrl, `ALTER SYSTEM SET primary_conninfo = '${conninfo.replace(/'/g, "''")}'`);
  await query(pair.primaryUrl, "SELECT pg_reload_conf()");
}, 120_000);

it("a pooler that does not answer is named and never blocks the switchover; started again, it runs the ini its agent left", async () => {
  const { pair, primaryId: a, replicaId: b, clusterId } = enrolled;
  // pg-b is the primary; pg-a streams from it again since the last test.
  await waitFor(
    "pg-a streaming",
    async () => (await query(pair.primaryUrl, "SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'")).length === 1,
    20_000,
    100,
  );
  await pooler.bouncer.kill();
  const { poolerStatus } = await import("@/worker/db-agent");
  await waitFor("its agent to see it down", async () => (await poolerStatus(pooler.poolerId)) === null, 10_000, 50);
  const done = await promoteAndWait(clusterId, a, b);
  expect(done.state, `${done.error ?? ""}\n${JSON.stringify(done.steps, null, 1)}`).toBe("SUCCEEDED");
  expect(detail(done.steps, "paused")).toBe("pgbouncer did not answer: not paused, its clients may fail during the switch");
  expect(detail(done.steps, "retargeted")).toMatch(/^pgbouncer did not answer: not retargeted \(point it at 127\.0\.0\.1:\d+ and RESUME it by hand\)$/);

  await pooler.bouncer.start();
  expect(await entry()).toMatchObject({ port: pair.replica.port, paused: 0 });
}, 120_000);
