// Protects: the split-brain guard. A primary that is down when its replica
// is promoted cannot be fenced then; when it comes back it would take writes
// on its old timeline. The monitor sees a former primary (NEEDS_REBUILD) out
// of recovery and fences it at once, with a CRITICAL event.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/auth/actor";
import { freePorts } from "@/lab/ports";
import { startPostgresPair, type PostgresPairHandle } from "@/lab/postgres";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent } from "@/agent/server";
import { waitFor } from "@/agent/testing/client";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "refence-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
let pair: PostgresPairHandle;

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET = "refence-test-secret-".padEnd(48, "x");
  resetEnvCache();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function writable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("CREATE TABLE IF NOT EXISTS refence_probe (id int)");
    await c.query("INSERT INTO refence_probe VALUES (1)");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

it("fences a former primary that comes back after a promotion made while it was down", async () => {
  const { db } = await import("@/lib/db");
  const inv = await import("@/lib/inventory/service");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor, refenceFormerPrimary } = await import("@/worker/db-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");

  pair = await startPostgresPair();
  cleanups.push(() => pair.stop());
  const cluster = await inv.createCluster({ name: "refence", description: "", environment: "production" }, audit);
  const ports = await freePorts(2);
  let primaryId = "";
  let replicaId = "";
  for (const [name, role, server, url, port] of [
    ["pg-a", "PRIMARY", pair.primary, pair.primaryUrl, ports[0]!],
    ["pg-b", "REPLICA", pair.replica, pair.replicaUrl, ports[1]!],
  ] as const) {
    const row = await inv.createDatabase({ clusterId: cluster.id, name, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${port}` }, audit);
    if (role === "PRIMARY") primaryId = row.id;
    else replicaId = row.id;
    const { config } = await issueAgentCredential("DATABASE", row.id, audit);
    const agent = await startAgent(parseConfig({ ...config, intervalMs: 250, postgres: { url, timeoutMs: 1000 } } as AgentConfigInput), { log: () => {} });
    cleanups.push(() => agent.close());
  }
  const runner = new OperationRunner(db, "refence-worker", { "db.promote": promoteExecutor() }, { listenUrl: database.url() });
  runner.start();
  cleanups.push(() => runner.stop());
  const recorder = new Recorder(db);
  recorder.start();
  const monitor = new Monitor(recorder, { refreshMs: 500, onFormerPrimaryWritable: (t) => refenceFormerPrimary(db, t) });
  await monitor.start();
  cleanups.push(() => recorder.stop(), () => monitor.stop());

  // The primary crashes; the replica is promoted while it is down.
  await pair.primary.kill();
  const check = await waitFor("the primary seen down", async () => {
    const c = await promotionCheck(cluster.id);
    return c.primaryReachable ? null : c;
  }, 20_000, 100);
  const op = await startPromotion(cluster.id, { candidateId: replicaId, expectedPrimaryId: primaryId, generation: check.cluster.generation, reason: "primary crashed", force: false }, audit, null);
  const done = await waitFor("the promotion", async () => {
    const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
    return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
  }, 60_000, 50);
  expect(done.state, done.error ?? "").toBe("SUCCEEDED");
  expect((done.steps as { step: string; detail?: string }[]).find((s) => s.step === "fenced")?.detail).toMatch(/fenced by being down/);

  // The old primary comes back on its own, as a primary: it must be fenced at once.
  await pair.primary.start();
  const refenced = await waitFor("the re-fence event", () => db.event.findFirst({ where: { kind: "db.refenced", subjectId: primaryId } }), 30_000, 100);
  expect(refenced.severity).toBe("CRITICAL");
  expect(await writable(pair.primaryUrl)).toBe(false);
  expect(await writable(pair.replicaUrl)).toBe(true);
}, 120_000);
