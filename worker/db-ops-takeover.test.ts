// Protects: a worker that dies at any step of a promotion never leaves two
// writable primaries. For each step, a fresh primary/replica pair is
// promoted by a worker that dies just before that step (its lease is not
// released, only no longer renewed); a second worker takes the operation
// over and finishes it. Afterwards exactly one server accepts writes: the
// old primary refuses them, the new one takes them.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/auth/actor";
import { freePorts } from "@/lab/ports";
import { startPostgresPair } from "@/lab/postgres";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent } from "@/agent/server";
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

async function writable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query("CREATE TABLE IF NOT EXISTS takeover_probe (id int)");
    await c.query("INSERT INTO takeover_probe VALUES (1)");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

for (const step of ["fence", "promote", "verify", "inventory", "repoint", "apps"]) {
  it(`a worker dying before "${step}" is replaced, and one primary takes writes`, async () => {
    const { db } = await import("@/lib/db");
    const inv = await import("@/lib/inventory/service");
    const { issueAgentCredential } = await import("@/lib/agents/service");
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    const { OperationRunner } = await import("@/worker/operations");
    const { promoteExecutor } = await import("@/worker/db-ops");

    const pair = await startPostgresPair({ synchronous: true });
    cleanups.push(() => pair.stop());
    const cluster = await inv.createCluster({ name: `takeover-${step}`, description: "", environment: "production" }, audit);
    const ports = await freePorts(2);
    let replicaId = "";
    for (const [name, role, server, url, port] of [
      ["pg-a", "PRIMARY", pair.primary, pair.primaryUrl, ports[0]!],
      ["pg-b", "REPLICA", pair.replica, pair.replicaUrl, ports[1]!],
    ] as const) {
      const row = await inv.createDatabase({ clusterId: cluster.id, name, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${port}` }, audit);
      if (role === "REPLICA") replicaId = row.id;
      const { config } = await issueAgentCredential("DATABASE", row.id, audit);
      const agent = await startAgent(parseConfig({ ...config, intervalMs: 250, postgres: { url } } as AgentConfigInput), { log: () => {} });
      cleanups.push(() => agent.close());
    }

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
    const op = await startPromotion(cluster.id, { candidateId: replicaId, expectedPrimaryId: check.primaryId, generation: check.cluster.generation, reason: `takeover at ${step}`, force: false }, audit, null);
    await waitFor("the first worker to die", async () => (first as unknown as { stopped: boolean }).stopped, 20_000, 20);
    expect((await db.operation.findUniqueOrThrow({ where: { id: op.id } })).state).toBe("RUNNING");

    const second = new OperationRunner(db, `takes-over-${step}`, { "db.promote": promoteExecutor() }, { pollMs: 100, leaseMs: 1000, listenUrl: database.url() });
    second.start();
    try {
      const done = await waitFor("the promotion to end", async () => {
        const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
        return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
      }, 60_000, 50);
      expect(done.state, done.error ?? "").toBe("SUCCEEDED");
      expect(done.leaseOwner).toBe(`takes-over-${step}`);
      expect((done.steps as { step: string }[]).map((s) => s.step)).toContain("resumed");
    } finally {
      await second.stop();
    }
    expect(await writable(pair.primaryUrl)).toBe(false);
    expect(await writable(pair.replicaUrl)).toBe(true);
  }, 90_000);
}
