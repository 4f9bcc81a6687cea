// Protects: promoting a replica, for real: a PostgreSQL primary with a
// synchronous streaming replica (lab), an agent beside each, two demo app
// servers writing through their own settings files, and the worker's runner.
//   - a replica whose replay is paused is refused without force, and force
//     needs the typed acknowledgement naming the estimated loss;
//   - a request naming an old generation is refused;
//   - twenty concurrent promote requests under write load give exactly one
//     promotion; afterwards the old primary refuses writes, the new one
//     accepts them, the app nodes write to it, and no acknowledged write is
//     missing (synchronous replication);
//   - the inventory shows the new primary and the old one needing a rebuild.
import path from "node:path";
import { writeFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePort } from "@/lab/ports";
import { startPostgresPair, type PostgresPairHandle } from "@/lab/postgres";
import { makeLabDir, removeDir } from "@/lab/dirs";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent } from "@/agent/server";
import { waitFor } from "@/agent/testing/client";
import { canonicalJson } from "@/lib/agent-protocol/config/checksum";
import type { OperationRunner } from "@/worker/operations";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "promote-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000) => waitFor(what, fn, timeoutMs, 50);

let pair: PostgresPairHandle;
let clusterId = "";
let primaryId = "";
let replicaId = "";
const apps: AppServer[] = [];
let runner: OperationRunner;

async function sql(url: string, text: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end().catch(() => {});
  }
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "promote-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { createDatabase } = await import("@/lib/inventory/databases");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const dir = await makeLabDir("promote-test");
  cleanups.push(() => removeDir(dir));
  pair = await startPostgresPair({ synchronous: true });
  cleanups.push(() => pair.stop());

  const cluster = await createCluster({ name: "orders", description: "", environment: "production" }, audit);
  clusterId = cluster.id;
  // Each agent port is picked just before its agent binds it: a port picked
  // earlier can be handed to a port-0 server started in between.
  for (const [name, role, server, url] of [
    ["pg-primary", "PRIMARY", pair.primary, pair.primaryUrl],
    ["pg-replica", "REPLICA", pair.replica, pair.replicaUrl],
  ] as const) {
    const row = await createDatabase(
      { clusterId, name, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${await freePort()}` },
      audit,
    );
    if (role === "PRIMARY") primaryId = row.id;
    else replicaId = row.id;
    const { config } = await issueAgentCredential("DATABASE", row.id, audit);
    const agent = await startAgent(parseConfig({ ...config, intervalMs: 250, postgres: { url } } as AgentConfigInput), { log: () => {} });
    cleanups.push(() => agent.close());
  }
  const settings = canonicalJson({ database: { url: pair.primaryUrl }, sessionIdleSeconds: 60, logLevel: "info" });
  for (let i = 0; i < 2; i++) {
    const settingsFile = path.join(dir, `app-${i + 1}.json`);
    await writeFile(settingsFile, settings, { mode: 0o600 });
    const app = await startAppServer({ port: 0, name: `app-${i + 1}`, settingsFile });
    apps.push(app);
    cleanups.push(() => app.close());
    const node = await createNode(
      { clusterId, name: `app-${i + 1}`, host: "127.0.0.1", port: app.port, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${await freePort()}` },
      audit,
    );
    const { config } = await issueAgentCredential("NODE", node.id, audit);
    const agent = await startAgent(
      parseConfig({
        ...config,
        intervalMs: 250,
        app: { ...(config as { app: object }).app, timeoutMs: 200, settingsFile, reloadUrl: `${app.url}/admin/reload` },
      } as AgentConfigInput),
      { log: () => {} },
    );
    cleanups.push(() => agent.close());
  }

  const { OperationRunner } = await import("@/worker/operations");
  const { deployExecutor } = await import("@/worker/deploy");
  const { promoteExecutor } = await import("@/worker/db-ops");
  runner = new OperationRunner(db, "promote-worker", { "config.deploy": deployExecutor(), "db.promote": promoteExecutor() }, { listenUrl: database.url() });
  runner.start();
  cleanups.push(() => runner.stop());

  // The console manages the apps' settings (so a promotion can point them elsewhere).
  const { createRevision } = await import("@/lib/config/revisions");

  const { startDeployment } = await import("@/lib/config/deployments");
  const r = await createRevision(`app.${clusterId}`, { input: JSON.parse(settings), message: "initial" }, audit);
  const op = await startDeployment(r.id, { batchSize: 2, pauseSeconds: 0, reason: "adopt" }, audit, null);
  await until("the apps' settings deployed", async () => (await db.operation.findUniqueOrThrow({ where: { id: op.id } })).state === "SUCCEEDED");
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("promote", () => {
  it("refuses a replica whose replay is paused, and force needs the acknowledgement naming the loss", async () => {
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    await sql(pair.replicaUrl, "SELECT pg_wal_replay_pause()");
    try {
      const check = await until(
        "the pause to show",
        async () => {
          const c = await promotionCheck(clusterId);
          return c.members.find((m) => m.id === replicaId)?.replayPaused ? c : null;
        },
        10_000,
      );
      const candidate = check.members.find((m) => m.id === replicaId)!;
      expect(candidate.blockers.join()).toMatch(/replay is paused/);
      const body = { candidateId: replicaId, expectedPrimaryId: primaryId, generation: check.cluster.generation, reason: "test", force: false };
      await expect(startPromotion(clusterId, body, audit, null)).rejects.toMatchObject({ code: "conflict" });
      await expect(startPromotion(clusterId, { ...body, force: true, acknowledgement: "yes" }, audit, null)).rejects.toMatchObject({ code: "invalid" });
      const { db } = await import("@/lib/db");
      expect(await db.operation.count({ where: { kind: "db.promote" } })).toBe(0);
      expect(candidate.acknowledgement).toMatch(/^promote pg-replica and lose up to/);
    } finally {
      await sql(pair.replicaUrl, "SELECT pg_wal_replay_resume()");
    }
  });

  it("refuses a request that names an old generation", async () => {
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    const check = await promotionCheck(clusterId);
    await expect(
      startPromotion(
        clusterId,
        { candidateId: replicaId, expectedPrimaryId: primaryId, generation: check.cluster.generation + 7, reason: "stale page", force: false },
        audit,
        null,
      ),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("promotes once out of twenty requests under write load, losing no acknowledged write", async () => {
    const { db } = await import("@/lib/db");
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    // Writers through both app nodes, all along; only 201 answers count as acknowledged.
    let stop = false;
    const acknowledged: string[] = [];
    let refused = 0;
    const writer = async (app: AppServer) => {
      while (!stop) {
        try {
          const res = await fetch(`${app.url}/write`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ payload: "x" }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
          else {
            refused++;
            await res.arrayBuffer();
          }
        } catch {
          refused++;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const writers = [writer(apps[0]!), writer(apps[1]!), writer(apps[0]!), writer(apps[1]!)];
    await until("writes flowing", async () => acknowledged.length > 50, 20_000);

    const check = await promotionCheck(clusterId);
    const candidate = check.members.find((m) => m.id === replicaId)!;
    expect(candidate.blockers).toEqual([]);
    const body = { candidateId: replicaId, expectedPrimaryId: primaryId, generation: check.cluster.generation, reason: "primary host failing", force: false };
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => startPromotion(clusterId, body, audit, null)));
    const ok = results.filter((r): r is PromiseFulfilledResult<{ id: string }> => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    const op = await until(
      "the promotion to end",
      async () => {
        const o = await db.operation.findUniqueOrThrow({ where: { id: ok[0]!.value.id } });
        return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
      },
      90_000,
    );
    expect(op.state, op.error ?? "").toBe("SUCCEEDED");
    // The apps write to the new primary: acknowledged writes keep coming after the promotion.
    const before = acknowledged.length;
    await until("writes acknowledged by the new primary", async () => acknowledged.length > before + 50, 30_000);
    stop = true;
    await Promise.all(writers);

    // The old primary refuses writes; the new one accepts them.
    await expect(sql(pair.primaryUrl, "INSERT INTO writes (node, session, payload) VALUES ('test', 'x', 'after')")).rejects.toThrow(/read-only/);
    await sql(pair.replicaUrl, "INSERT INTO writes (node, session, payload) VALUES ('test', 'x', 'after')");
    for (const app of apps) expect(((await (await fetch(`${app.url}/stats`)).json()) as { db: string }).db).toContain(`:${pair.replica.port}/`);
    // Synchronous replication: every acknowledged write is on the new primary.
    const rows = await sql(pair.replicaUrl, "SELECT count(*)::int AS n FROM writes WHERE id = ANY($1::bigint[])", [acknowledged]);
    expect(rows[0]!.n, `(${refused} writes were refused during the switch: never acknowledged, so not owed)`).toBe(acknowledged.length);
    expect(acknowledged.length).toBeGreaterThan(100);

    const members = await db.databaseInstance.findMany({ where: { clusterId }, select: { id: true, role: true, fence: true } });
    expect(members.find((m) => m.id === replicaId)).toMatchObject({ role: "PRIMARY" });
    expect(members.find((m) => m.id === primaryId)).toMatchObject({ role: "REPLICA", fence: "NEEDS_REBUILD" });
    expect((await db.cluster.findUniqueOrThrow({ where: { id: clusterId } })).dbGeneration).toBe(check.cluster.generation + 1);
    const steps = (op.steps as { step: string }[]).map((s) => s.step);
    expect(steps).toEqual(expect.arrayContaining(["fenced", "promoted", "verified", "inventory", "repointed", "apps", "succeeded"]));
    expect(steps.indexOf("fenced")).toBeLessThan(steps.indexOf("promoted"));
  }, 150_000);
});
