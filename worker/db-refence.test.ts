// Protects: the split-brain guard and the way back after a crash. A primary
// that is killed with automatic failover on is down when its replica is
// promoted, so it cannot be fenced then; when it
// comes back it would take writes on its old timeline. The monitor sees a
// former primary (fence NEEDS_REBUILD) out of recovery and fences it at once,
// with a CRITICAL event. Then a rebuild brings it back as a streaming replica:
// its restart wrote WAL the new primary lacks, so only pg_rewind (or a clone)
// can, and the member must keep its own configuration (its port) through it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { enrolledPair, takesWrites } from "@/worker/testing/pg-cluster";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "refence-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET = "refence-test-secret-".padEnd(48, "x");
  resetEnvCache();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it("fences a former primary that comes back after a promotion made while it was down, then rebuilds it", async () => {
  const { db } = await import("@/lib/db");
  const { setAutoFailover } = await import("@/lib/operations/databases");
  const { AutoFailover } = await import("@/worker/auto-failover");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor, rebuildExecutor, refenceFormerPrimary } = await import("@/worker/db-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");

  const { startRebuild } = await import("@/lib/operations/databases");
  // With control: the fence stops the server, and the agent may rebuild it.
  const enrolled = await enrolledPair("refence", { control: true });
  cleanups.push(() => enrolled.stop());
  const { pair, primaryId } = enrolled;
  const cluster = { id: enrolled.clusterId };
  const runner = new OperationRunner(db, "refence-worker", { "db.promote": promoteExecutor(), "db.rebuild": rebuildExecutor }, { listenUrl: database.url() });
  runner.start();
  cleanups.push(() => runner.stop());
  const recorder = new Recorder(db);
  recorder.start();
  const monitor = new Monitor(recorder, { refreshMs: 500, onFormerPrimaryWritable: (t) => refenceFormerPrimary(db, t) });
  await monitor.start();
  cleanups.push(
    () => recorder.stop(),
    () => monitor.stop(),
  );

  // The primary crashes with automatic failover on: the replica is promoted while it is down.
  await setAutoFailover(cluster.id, { enabled: true, reason: "test: fail over by itself" }, audit);
  const auto = new AutoFailover(db, { everyMs: 300, confirmMs: 1000, cooldownMs: 60_000 });
  auto.start();
  cleanups.push(() => auto.stop());
  await pair.primary.kill();
  const op = await waitFor("the automatic promotion", () => db.operation.findFirst({ where: { kind: "db.promote" } }), 30_000, 100);
  const done = await waitFor(
    "the promotion",
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
    },
    60_000,
    50,
  );
  expect(done.state, done.error ?? "").toBe("SUCCEEDED");
  expect((done.steps as { step: string; detail?: string }[]).find((s) => s.step === "fenced")?.detail).toMatch(/fenced by being down/);

  // The old primary comes back on its own, as a primary: it must be fenced at once.
  await pair.primary.start();
  const refenced = await waitFor("the re-fence event", () => db.event.findFirst({ where: { kind: "db.refenced", subjectId: primaryId } }), 30_000, 100);
  expect(refenced.severity).toBe("CRITICAL");
  expect(await takesWrites(pair.primaryUrl)).toBe(false);
  expect(await takesWrites(pair.replicaUrl)).toBe(true);
  expect(await db.databaseInstance.findUniqueOrThrow({ where: { id: primaryId } })).toMatchObject({ role: "REPLICA", fence: "NEEDS_REBUILD" });

  // Rebuilt: a streaming replica of the new primary again, on its own port.
  const rebuild = await startRebuild(primaryId, "bring the crashed primary back", audit, null);
  const rebuilt = await waitFor(
    "the rebuild",
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: rebuild.id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
    },
    120_000,
    100,
  );
  const steps = rebuilt.steps as { step: string; detail?: string }[];
  expect(rebuilt.state, `${rebuilt.error}\n${JSON.stringify(steps, null, 1)}`).toBe("SUCCEEDED");
  expect(steps.at(-1)?.detail).toMatch(/a streaming replica of pg-b again \((rewind|clone)\)/);
  expect(await db.databaseInstance.findUniqueOrThrow({ where: { id: primaryId } })).toMatchObject({ fence: "NONE", replicationState: "STREAMING" });
  const { port, rec } = (
    await query<{ port: string; rec: boolean }>(pair.primaryUrl, "SELECT current_setting('port') AS port, pg_is_in_recovery() AS rec")
  )[0]!;
  expect({ port: Number(port), rec }).toEqual({ port: pair.primary.port, rec: true });
  expect(await takesWrites(pair.primaryUrl)).toBe(false);
}, 180_000);
