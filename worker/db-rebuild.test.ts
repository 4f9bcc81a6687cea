// Protects: a rebuild by hand through the console. After a planned
// promotion the old primary (fenced and stopped in order) has already
// rejoined as a replica; an operator may still rebuild any replica: its agent
// stops it and, as it can follow the primary as it is, restarts it as a
// standby without pg_rewind (the crash and clone paths: db-refence.test.ts,
// agent/drivers/postgres-rebuild.test.ts). It streams again: a row written on
// the new primary shows up on it, and the inventory says STREAMING.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { waitFor } from "@/agent/testing/client";
import { enrolledPair, takesWrites } from "@/worker/testing/pg-cluster";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "rebuild-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET = "rebuild-test-secret-".padEnd(48, "x");
  resetEnvCache();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const ended = async (id: string) => {
  const { db } = await import("@/lib/db");
  return waitFor(
    `operation ${id}`,
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
    },
    120_000,
    100,
  );
};

it("rebuilds a replica by hand: it follows the primary again as it is", async () => {
  const { db } = await import("@/lib/db");
  const { promotionCheck, startPromotion, startRebuild } = await import("@/lib/operations/databases");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor, rebuildExecutor } = await import("@/worker/db-ops");
  const enrolled = await enrolledPair("rebuild", { control: true });
  cleanups.push(() => enrolled.stop());
  const { pair, primaryId, replicaId, clusterId } = enrolled;
  const runner = new OperationRunner(db, "rebuild-worker", { "db.promote": promoteExecutor(), "db.rebuild": rebuildExecutor }, { listenUrl: database.url() });
  runner.start();
  cleanups.push(() => runner.stop());

  const check = await promotionCheck(clusterId);
  const promoted = await ended(
    (
      await startPromotion(
        clusterId,
        { candidateId: replicaId, expectedPrimaryId: primaryId, generation: check.cluster.generation, reason: "planned switch", force: false },
        audit,
        null,
      )
    ).id,
  );
  expect(promoted.state, promoted.error ?? "").toBe("SUCCEEDED");
  // Fenced, stopped, rejoined as a standby: it takes nothing.
  expect(await takesWrites(pair.primaryUrl)).toBe(false);
  expect((promoted.steps as { step: string; detail?: string }[]).find((s) => s.step === "rejoined")?.detail).toMatch(/\(follow\)$/);

  const rebuilt = await ended((await startRebuild(primaryId, "bring it back as a replica", audit, null)).id);
  expect(rebuilt.state, rebuilt.error ?? "").toBe("SUCCEEDED");
  expect((rebuilt.steps as { step: string; detail?: string }[]).at(-1)?.detail).toBe("a streaming replica of pg-b again (follow)");
  expect(await db.databaseInstance.findUniqueOrThrow({ where: { id: primaryId } })).toMatchObject({ fence: "NONE", replicationState: "STREAMING" });

  // A write on the new primary reaches it; it refuses writes itself (a standby).
  const writer = new pg.Client({ connectionString: pair.replicaUrl });
  await writer.connect();
  await writer.query("CREATE TABLE IF NOT EXISTS after_rebuild (v text)");
  await writer.query("INSERT INTO after_rebuild VALUES ('hello')");
  await writer.end();
  await waitFor(
    "the row on the rebuilt replica",
    async () => {
      const c = new pg.Client({ connectionString: pair.primaryUrl });
      await c.connect();
      try {
        return (await c.query("SELECT count(*)::int AS n FROM after_rebuild").catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n === 1;
      } finally {
        await c.end();
      }
    },
    30_000,
    200,
  );
  expect(await takesWrites(pair.primaryUrl)).toBe(false);
  const inRecovery = new pg.Client({ connectionString: pair.primaryUrl });
  await inRecovery.connect();
  expect((await inRecovery.query("SELECT pg_is_in_recovery() AS r")).rows[0].r).toBe(true);
  await inRecovery.end();
}, 180_000);
