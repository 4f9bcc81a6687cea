// Protects: a planned switchover that fails no client write, for apps without
// a pooler. A real PostgreSQL pair with an agent beside each member (allowed
// to stop its server), two demo app servers writing to the primary through
// their settings files, each with an app agent that can hold writes, and a
// client writing through the apps in a loop:
//   - the switchover holds the apps' writes before the fence and releases
//     them right after pointing the apps at the new primary: no write fails,
//     and every acknowledged one is on the new primary;
//   - a switchover that fails (the candidate cannot catch up) releases the
//     hold before it ends: the writes go on, on the old primary, none failed;
//   - a hold nobody releases ends at its bound.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";
import { enrolledPair, type EnrolledPair, type OperationStep, promoteAndWait } from "@/worker/testing/pg-cluster";
import { enrolledApps, writeLoop, type EnrolledApps } from "@/worker/testing/app-nodes";

const database = setupTestDatabase();
const cleanups: (() => Promise<unknown> | void)[] = [];
let enrolled: EnrolledPair;
let apps: EnrolledApps;

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "switchover-hold-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor } = await import("@/worker/db-ops");
  const { deployExecutor } = await import("@/worker/deploy");
  enrolled = await enrolledPair("switchover-hold", { control: true });
  cleanups.push(() => enrolled.stop());
  const runner = new OperationRunner(
    db,
    "switchover-hold-worker",
    { "db.promote": promoteExecutor({ catchUpWaitMs: 3000 }), "config.deploy": deployExecutor() },
    { listenUrl: database.url() },
  );
  runner.start();
  cleanups.push(() => runner.stop());
  apps = await enrolledApps(enrolled.clusterId, enrolled.pair.primaryUrl, { hold: true });
  cleanups.push(() => apps.stop());
}, 90_000);
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const promote = (candidateId: string, expectedPrimaryId: string) => promoteAndWait(enrolled.clusterId, candidateId, expectedPrimaryId);

const stats = async (url: string) => (await (await fetch(`${url}/stats`)).json()) as { held: number; holdRemainingMs: number | null; errors: number };
const order = (steps: OperationStep[]) => steps.map((s) => s.step);

it("a switchover under a write loop fails no write, and every acknowledged write is on the new primary", async () => {
  const { pair, primaryId, replicaId } = enrolled;
  const load = writeLoop(apps.apps);
  await waitFor("writes flowing", async () => load.acked.length > 50, 10_000, 20);
  const done = await promote(replicaId, primaryId);
  const before = load.acked.length;
  await waitFor("writes on the new primary", async () => load.acked.length > before + 50, 10_000, 20);
  await load.stop();

  expect(done.state, `${done.error ?? ""}\n${JSON.stringify(done.steps, null, 1)}`).toBe("SUCCEEDED");
  const steps = order(done.steps);
  expect(steps.indexOf("held")).toBeLessThan(steps.indexOf("fenced"));
  expect(steps.indexOf("released")).toBe(steps.indexOf("apps") + 1);
  expect(done.steps.find((s) => s.step === "held")?.detail).toBe("writes held on app-1, app-2 for up to 13 s");
  expect(done.steps.find((s) => s.step === "released")?.detail).toBe("writes released on 2 of 2 app node(s)");

  expect(load.errors, "failed client writes").toEqual([]);
  const rows = await query<{ payload: string }>(pair.replicaUrl, "SELECT payload FROM writes");
  const stored = new Set(rows.map((r) => r.payload));
  const lost = load.acked.filter((p) => !stored.has(p));
  expect(lost, `${lost.length} of ${load.acked.length} acknowledged writes missing on the new primary`).toEqual([]);
  for (const app of apps.apps) expect(await stats(app.url)).toMatchObject({ held: 0, holdRemainingMs: null, errors: 0 });
}, 120_000);

it("a switchover that fails releases the hold before it ends: the writes go on, none failed", async () => {
  const { pair, primaryId: a, replicaId: b } = enrolled;
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
  const load = writeLoop(apps.apps);
  await waitFor("writes flowing", async () => load.acked.length > 50, 10_000, 20);
  const done = await promote(a, b);
  const before = load.acked.length;
  await waitFor("writes after the failed switchover", async () => load.acked.length > before + 50, 10_000, 20);
  await load.stop();

  expect(done.state).toBe("FAILED");
  expect(done.error ?? "").toMatch(/did not replay .* within 3 s.*Nothing was promoted; pg-b takes writes again/);
  const steps = order(done.steps);
  expect(steps.slice(-2)).toEqual(["released", "failed"]);
  expect(load.errors, "failed client writes").toEqual([]);
  // The writes waited through the catch-up bound, then went on.
  expect(Math.max(...load.samples.map((s) => s.ms))).toBeGreaterThan(2500);
  for (const app of apps.apps) expect(await stats(app.url)).toMatchObject({ held: 0, holdRemainingMs: null });

  await query(pair.primaryUrl, `ALTER SYSTEM SET primary_conninfo = '${conninfo.replace(/'/g, "''")}'`);
  await query(pair.primaryUrl, "SELECT pg_reload_conf()");
}, 120_000);

it("a hold nobody releases ends at its bound", async () => {
  const { act } = await import("@/worker/db-agent");
  await act("NODE", apps.nodeIds[0]!, { action: "app.hold-writes", ms: 800 });
  const t0 = Date.now();
  const res = await fetch(`${apps.apps[0]!.url}/write`, { method: "POST", body: "{}" });
  expect(res.status).toBe(201);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
  expect(await stats(apps.apps[0]!.url)).toMatchObject({ held: 0, holdRemainingMs: null });
}, 30_000);
