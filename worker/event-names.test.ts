// Protects: events name their subjects, in words a pager can show. Events are
// raised through the code that raises most of them — health transitions
// (worker/recorder.ts) for a node, a load balancer, a database member and a
// connection pooler; drift of a target removed since; operations run by the
// real runner and executors (a node's maintenance, a replica's rebuild, a
// cluster's promotion, a configuration deployment) — and:
// - no message holds a cuid-looking id;
// - each event keeps its subject's name as recorded (data.name);
// - the list names each subject by its current name (a renamed node shows its
//   new name), and by the recorded one when the subject is gone.
import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { waitFor } from "@/agent/testing/client";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "event-names-test", clientIp: null };
/** A Prisma cuid (c + 24) or anything as long that looks like one. */
const CUID = /\bc[a-z0-9]{20,}\b/;

const ids = { cluster: "", node: "", lb: "", primary: "", replica: "", pooler: "" };

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "event-names-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const cluster = await db.cluster.create({ data: { name: "names-prod" } });
  ids.cluster = cluster.id;
  ids.node = (await db.node.create({ data: { clusterId: cluster.id, name: "web-n1", host: "10.0.8.1", port: 8080 } })).id;
  ids.lb = (await db.loadBalancer.create({ data: { clusterId: cluster.id, name: "lb-n1", kind: "HAPROXY", host: "10.0.8.2", port: 80 } })).id;
  ids.primary = (await db.databaseInstance.create({ data: { clusterId: cluster.id, name: "pg-n1", host: "10.0.8.3", port: 5432, role: "PRIMARY" } })).id;
  ids.replica = (await db.databaseInstance.create({ data: { clusterId: cluster.id, name: "pg-n2", host: "10.0.8.4", port: 5432, role: "REPLICA" } })).id;
  ids.pooler = (await db.pooler.create({ data: { clusterId: cluster.id, name: "pgb-n1", host: "10.0.8.5", port: 6432 } })).id;
});

async function runOperations(start: () => Promise<{ id: string }[]>) {
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { allExecutors } = await import("@/worker/executors");
  const { promoteExecutor } = await import("@/worker/db-ops");
  // The promotion's catch-up wait is the only long step; nothing here can catch up anyway.
  const runner = new OperationRunner(db, "names-test", { ...allExecutors(), "db.promote": promoteExecutor({ catchUpWaitMs: 200 }) }, { pollMs: 50 });
  runner.start();
  try {
    const ops = await start();
    for (const op of ops) {
      await waitFor(
        `operation ${op.id} to end`,
        async () => {
          const row = await db.operation.findUnique({ where: { id: op.id }, select: { state: true } });
          return row && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.state);
        },
        60_000,
        50,
      );
    }
  } finally {
    await runner.stop();
  }
}

describe("event messages and the list", () => {
  it("name every subject, whatever raised the event", async () => {
    const { db } = await import("@/lib/db");
    const { Recorder } = await import("@/worker/recorder");
    const recorder = new Recorder(db);
    const watched = [
      { subjectType: "NODE" as const, id: ids.node, name: "web-n1", clusterId: ids.cluster },
      { subjectType: "LOAD_BALANCER" as const, id: ids.lb, name: "lb-n1", clusterId: ids.cluster },
      { subjectType: "DATABASE" as const, id: ids.replica, name: "pg-n2", clusterId: ids.cluster },
      { subjectType: "POOLER" as const, id: ids.pooler, name: "pgb-n1", clusterId: ids.cluster },
    ];
    for (const target of watched) {
      await recorder.transition(target, { from: "UNKNOWN", to: "UP", reasons: [] });
      await recorder.transition(target, { from: "UP", to: "DOWN", reasons: ["connection refused"] });
    }

    // Drift of a node removed since it drifted: its event cannot quote a name it no longer has, nor its id.
    const gone = await db.node.create({ data: { clusterId: ids.cluster, name: "web-gone", host: "10.0.8.9", port: 8080 } });
    const past = new Date(Date.now() - 60_000);
    await db.configTargetState.create({
      data: {
        targetType: "NODE",
        targetId: gone.id,
        scope: `app.${ids.cluster}`,
        appliedChecksum: "a".repeat(64),
        appliedAt: past,
        reportedChecksum: "b".repeat(64),
        reportedAt: past,
      },
    });
    await db.node.delete({ where: { id: gone.id } });
    await recorder.flush(Date.now() + 10_000);

    const { startNodeOperation } = await import("@/lib/operations/nodes");
    const { startRebuild } = await import("@/lib/operations/databases");
    const { createOperation, stepEntry } = await import("@/lib/operations/record");

    await runOperations(async () => [
      await startNodeOperation(ids.node, { kind: "node.maintenance", body: { reason: "kernel patch" } }, audit, null),
      // No agent answers for pg-n2: the rebuild fails, and says so by name.
      await startRebuild(ids.replica, "WAL gone", audit, null),
    ]);
    // A promotion (a cluster's event) whose members have no agent: it fails, naming them.
    await runOperations(async () => [
      await db.$transaction((tx) =>
        createOperation(tx, {
          kind: "db.promote",
          subjectId: ids.cluster,
          idempotencyKey: null,
          requestedById: null,
          reason: "drill",
          params: { candidateId: ids.replica, candidateName: "pg-n2", oldPrimaryId: ids.primary, generation: 1, force: true, check: [], doneBeforeUpgrade: [] },
          steps: [stepEntry("requested", "promote pg-n2")],
        }),
      ),
    ]);

    const events = await db.event.findMany({ orderBy: { id: "asc" } });
    const kinds = events.map((e) => `${e.subjectType} ${e.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "NODE health.down",
        "LOAD_BALANCER health.down",
        "DATABASE health.down",
        "POOLER health.down",
        "NODE config.drift",
        "NODE node.maintenance",
        "DATABASE db.rebuild-failed",
        "CLUSTER db.promote-failed",
      ]),
    );
    for (const e of events) {
      expect(e.message, `${e.kind}: ${e.message}`).not.toMatch(CUID);
      expect(e.message, e.kind).not.toContain(e.subjectId!);
    }
    // Every event keeps the name its subject had (the drifted node's was gone before the event: none).
    const recorded = (e: (typeof events)[number]) => (e.data as { name?: string } | null)?.name;
    expect(events.filter((e) => e.kind !== "config.drift" && !recorded(e)).map((e) => e.kind)).toEqual([]);
    expect(events.find((e) => e.kind === "config.drift")!.message).toMatch(/^A removed app node runs a configuration/);
    expect(recorded(events.find((e) => e.kind === "db.promote-failed")!)).toBe("names-prod");
    console.log(events.map((e) => `${e.kind}: ${e.message}`).join("\n"));
  });

  it("show current names, and the recorded one for a subject that is gone", async () => {
    const { db } = await import("@/lib/db");
    const { listEvents } = await import("@/lib/events/service");
    await db.node.update({ where: { id: ids.node }, data: { name: "web-n1-renamed" } });
    await db.pooler.delete({ where: { id: ids.pooler } });
    const page = await listEvents({ page: 1, pageSize: 200 });
    const nameOf = (type: string, kind = "health.down") => page.items.find((e) => e.subjectType === type && e.kind === kind)?.subjectName;
    expect(nameOf("NODE")).toBe("web-n1-renamed");
    expect(nameOf("LOAD_BALANCER")).toBe("lb-n1");
    expect(nameOf("DATABASE")).toBe("pg-n2");
    expect(nameOf("POOLER")).toBe("pgb-n1");
    expect(nameOf("CLUSTER", "db.promote-failed")).toBe("names-prod");
    // The removed node's drift: neither a current nor a recorded name, and the page says "(removed)", not its id.
    expect(nameOf("NODE", "config.drift")).toBeNull();
    for (const e of page.items) if (e.subjectName) expect(e.subjectName).not.toMatch(CUID);
  });
});
