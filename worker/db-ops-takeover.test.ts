// Protects: a worker that dies at any step of a promotion never leaves two
// writable primaries. For each step, a fresh primary/replica pair is
// promoted by a worker that dies just before that step (its lease is not
// released, only no longer renewed); a second worker takes the operation
// over and finishes it. Afterwards exactly one server accepts writes: the
// old primary (rejoined as a standby) refuses them, the new one takes them,
// and the cluster's PgBouncer runs its entry on the new primary, not paused.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { enrolledPair, takesWrites } from "@/worker/testing/pg-cluster";
import { enrolledPooler } from "@/worker/testing/pg-pooler";
import { bouncerQuery, LAB_DATABASE } from "@/lab/pgbouncer";
import { waitFor } from "@/agent/testing/client";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "takeover-test", clientIp: null };

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET = "takeover-test-secret-".padEnd(48, "x");
  resetEnvCache();
});
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Every step the executor announces (beforeStep), in order. The agents may stop
// and start their servers, so the old primary is stopped in order and rejoins.
for (const step of [
  "hold",
  "fence",
  "catch-up",
  "stop",
  "promote",
  "verify",
  "retarget",
  "inventory",
  "slots",
  "sync",
  "repoint",
  "apps",
  "release",
  "rejoin",
]) {
  it(`a worker dying before "${step}" is replaced, and one primary takes writes`, async () => {
    const { db } = await import("@/lib/db");
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    const { OperationRunner } = await import("@/worker/operations");
    const { promoteExecutor } = await import("@/worker/db-ops");

    const enrolled = await enrolledPair(`takeover-${step}`, { synchronous: true, control: true });
    cleanups.push(() => enrolled.stop());
    const pooler = await enrolledPooler(enrolled);
    cleanups.push(() => pooler.stop());
    const { pair, replicaId } = enrolled;
    const cluster = { id: enrolled.clusterId };

    // The first worker dies just before `step`.
    let first: InstanceType<typeof OperationRunner> | null = null;
    const dies = promoteExecutor({
      beforeStep: async (s) => {
        if (s !== step) return;
        void first!.stop(0);
        throw new Error(`worker killed before ${s}`);
      },
    });
    first = new OperationRunner(db, `dies-before-${step}`, { "db.promote": dies }, { pollMs: 100, leaseMs: 1000 });
    first.start();
    const check = await promotionCheck(cluster.id);
    const op = await startPromotion(
      cluster.id,
      { candidateId: replicaId, expectedPrimaryId: check.primaryId, generation: check.cluster.generation, reason: `takeover at ${step}`, force: false },
      audit,
      null,
    );
    await waitFor("the first worker to die", async () => (first as unknown as { stopped: boolean }).stopped, 20_000, 20);
    expect((await db.operation.findUniqueOrThrow({ where: { id: op.id } })).state).toBe("RUNNING");

    const second = new OperationRunner(
      db,
      `takes-over-${step}`,
      { "db.promote": promoteExecutor() },
      { pollMs: 100, leaseMs: 1000, listenUrl: database.url() },
    );
    second.start();
    try {
      const done = await waitFor(
        "the promotion to end",
        async () => {
          const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
          return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
        },
        60_000,
        50,
      );
      expect(done.state, done.error ?? "").toBe("SUCCEEDED");
      expect(done.leaseOwner).toBe(`takes-over-${step}`);
      const steps = (done.steps as { step: string; detail?: string }[]).map((s) => s.step);
      expect(steps).toContain("resumed");
      // Stopped in order by one worker or the other: it rejoins either way.
      expect(steps, JSON.stringify(done.steps)).toContain("rejoined");
    } finally {
      await second.stop();
    }
    expect(await takesWrites(pair.primaryUrl)).toBe(false);
    expect(await takesWrites(pair.replicaUrl)).toBe(true);
    const entries = await bouncerQuery<{ name: string; port: number; paused: number }>(pooler.bouncer.adminUrl, "SHOW DATABASES");
    expect(entries.find((d) => d.name === LAB_DATABASE)).toMatchObject({ port: pair.replica.port, paused: 0 });
  }, 90_000);
}
