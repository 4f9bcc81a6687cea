// Protects: configuration push end to end, against a real HAProxy, real app
// servers and real agents, through the console's services and the worker's
// operation runner:
//   - an invalid HAProxy configuration is refused (with its line) before any
//     target changes, and nothing is stored;
//   - adding a node to the pool and deploying under traffic fails no request;
//   - a rolling app-settings deployment whose second target's agent dies
//     stops there, puts the first target back, skips the rest, and says so;
//   - a worker that dies mid-deployment is replaced by one that resumes it;
//   - a configuration file edited by hand becomes a drift event, and
//     reconcile ends it;
//   - a drained server stays drained across the deploy's reload, and across
//     a reload made by hand outside the console.
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePort } from "@/lab/ports";
import { startHaproxy, type HaproxyHandle } from "@/lab/haproxy";
import { makeLabDir, removeDir } from "@/lab/dirs";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { waitFor } from "@/agent/testing/client";
import { canonicalJson } from "@/lib/agent-protocol/config/checksum";
import type { OperationRunner } from "@/worker/operations";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "deploy-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000) => waitFor(what, fn, timeoutMs, 50);

let dir = "";
let lb: HaproxyHandle;
let lbId = "";
let clusterId = "";
const nodes: { id: string; name: string; app: AppServer; agent: RunningAgent; settingsFile: string; agentConfig: AgentConfigInput }[] = [];
let lbAgent: RunningAgent;
let runner: OperationRunner;
let monitor: Monitor;
let recorder: Recorder;

const svc = async () => ({ ...(await import("@/lib/config/revisions")), ...(await import("@/lib/config/deployments")) });
const settings = (db: string) => canonicalJson({ database: { url: `postgresql://app:pw@127.0.0.1:5432/${db}` }, sessionIdleSeconds: 60, logLevel: "info" });

async function operationDone(id: string) {
  const { db } = await import("@/lib/db");
  return until(
    `operation ${id} to end`,
    async () => {
      const op = await db.operation.findUnique({ where: { id }, include: { deployments: true } });
      return op && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(op.state) ? op : null;
    },
    40_000,
  );
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "deploy-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { addPoolMember } = await import("@/lib/inventory/pool");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  dir = await makeLabDir("deploy-test");
  cleanups.push(() => removeDir(dir));

  const cluster = await createCluster({ name: "push", description: "", environment: "production" }, audit);
  clusterId = cluster.id;
  // Each agent port is picked just before its agent binds it: a port picked
  // earlier can be handed to a port-0 server started in between.
  for (let i = 0; i < 3; i++) {
    const name = `app-${i + 1}`;
    const settingsFile = path.join(dir, `${name}.json`);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(settingsFile, settings("initial"), { mode: 0o600 });
    const app = await startAppServer({ port: 0, name, settingsFile });
    cleanups.push(() => app.close());
    const node = await createNode(
      { clusterId, name, host: "127.0.0.1", port: app.port, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${await freePort()}` },
      audit,
    );
    const { config } = await issueAgentCredential("NODE", node.id, audit);
    const agentConfig = {
      ...config,
      intervalMs: 200,
      app: {
        ...(config as { app: object }).app,
        timeoutMs: 150,
        healthUrl: `${app.url}/health`,
        statsUrl: `${app.url}/stats`,
        settingsFile,
        reloadUrl: `${app.url}/admin/reload`,
      },
    } as AgentConfigInput;
    const agent = await startAgent(parseConfig(agentConfig), { log: () => {} });
    nodes.push({ id: node.id, name, app, agent, settingsFile, agentConfig });
    cleanups.push(() => nodes[i]!.agent.close());
  }
  // HAProxy starts with the first node only; the console's revisions take over its file.
  lb = await startHaproxy({ backends: [{ name: "be_edge", servers: [{ name: "app-1", host: "127.0.0.1", port: nodes[0]!.app.port }] }], checkIntervalMs: 100 });
  cleanups.push(() => lb.stop());
  const lbRow = await createLoadBalancer(
    { clusterId, name: "edge", kind: "HAPROXY", tier: "SOFTWARE", host: "127.0.0.1", port: lb.frontendPort, agentUrl: `http://127.0.0.1:${await freePort()}` },
    audit,
  );
  lbId = lbRow.id;
  await addPoolMember(lbId, { nodeId: nodes[0]!.id, weight: 100, backup: false }, audit);
  await addPoolMember(lbId, { nodeId: nodes[1]!.id, weight: 100, backup: false }, audit);
  const { config: lbConfig } = await issueAgentCredential("LOAD_BALANCER", lbId, audit);
  lbAgent = await startAgent(
    parseConfig({
      ...lbConfig,
      intervalMs: 200,
      haproxy: { socket: lb.socketPath, configFile: lb.configFile, pidFile: path.join(lb.dir, "haproxy.pid"), reloadTimeoutMs: 5000 },
    } as AgentConfigInput),
    { log: () => {} },
  );
  cleanups.push(() => lbAgent.close());

  const { OperationRunner } = await import("@/worker/operations");
  const { deployExecutor } = await import("@/worker/deploy");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  runner = new OperationRunner(db, "test-worker-a", { "config.deploy": deployExecutor() }, { pollMs: 100, leaseMs: 2000 });
  runner.start();
  cleanups.push(() => runner.stop());
  recorder = new Recorder(db);
  recorder.start();
  const { restoreOverrides } = await import("@/worker/overrides");
  monitor = new Monitor(recorder, {
    connection: { heartbeatTimeoutMs: 2000, maxBackoffMs: 500, maxLineBytes: 1 << 20 },
    onHaproxyReloaded: async (t) => void (await restoreOverrides(db, t.id, t)),
  });
  await monitor.start();
  cleanups.push(
    () => recorder.stop(),
    () => monitor.stop(),
  );
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const haproxyInput = () => ({ healthCheck: { interMs: 100 }, slowstartSeconds: 0 });

describe("HAProxy", () => {
  it("refuses an invalid configuration with its line before any target changes", async () => {
    const { createRevision } = await svc();
    const { db } = await import("@/lib/db");
    const before = await readFile(lb.configFile, "utf8");
    const error = await createRevision(`haproxy.${lbId}`, { input: { ...haproxyInput(), backendExtra: "option no-such-option" }, message: "bad" }, audit).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: "invalid" });
    expect(error.details.problems[0]).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/no-such-option/) });
    expect(await db.configRevision.count({ where: { scope: `haproxy.${lbId}` } })).toBe(0);
    expect(await readFile(lb.configFile, "utf8")).toBe(before);
  });

  it("deploys the generated configuration, then a node added to the pool under traffic, failing no request", async () => {
    const { createRevision, startDeployment } = await svc();
    const { addPoolMember } = await import("@/lib/inventory/pool");
    const r1 = await createRevision(`haproxy.${lbId}`, { input: haproxyInput(), message: "take over the file" }, audit);
    const op1 = await startDeployment(r1.id, { batchSize: 1, pauseSeconds: 0, reason: "first deploy" }, audit, null);
    expect((await operationDone(op1.id)).state).toBe("SUCCEEDED");
    expect(await readFile(lb.configFile, "utf8")).toBe(r1.content);

    // Traffic through the frontend for the whole deploy: every answer must be a 200.
    let stop = false;
    const seen = new Map<string, number>();
    let failures = 0;
    let total = 0;
    const client = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${lb.url}/`);
          const body = (await res.json()) as { node?: string };
          total++;
          if (res.status !== 200) failures++;
          else seen.set(body.node ?? "?", (seen.get(body.node ?? "?") ?? 0) + 1);
        } catch {
          total++;
          failures++;
        }
      }
    };
    const clients = Promise.all([client(), client(), client(), client()]);
    await addPoolMember(lbId, { nodeId: nodes[2]!.id, weight: 100, backup: false }, audit);
    const r2 = await createRevision(`haproxy.${lbId}`, { input: haproxyInput(), message: "add app-3" }, audit);
    expect(r2.content).toContain("server app-3");
    const op2 = await startDeployment(r2.id, { batchSize: 1, pauseSeconds: 0, reason: "scale out" }, audit, null);
    expect((await operationDone(op2.id)).state).toBe("SUCCEEDED");
    await until("app-3 serving", async () => (seen.get("app-3") ?? 0) > 5);
    stop = true;
    await clients;
    expect(failures).toBe(0);
    expect(total).toBeGreaterThan(50);
  }, 60_000);

  it("keeps a drained server drained across the deploy's reload, and a reload by hand", async () => {
    const { db } = await import("@/lib/db");
    const { createRevision, startDeployment } = await svc();
    await db.runtimeOverride.create({ data: { nodeId: nodes[1]!.id, loadBalancerId: lbId, kind: "state", value: "drain", reason: "test" } });
    await lb.command("set server be_edge/app-2 state drain");
    const r = await createRevision(
      `haproxy.${lbId}`,
      { input: { ...haproxyInput(), timeouts: { clientMs: 31_000 } }, message: "longer client timeout" },
      audit,
    );
    const op = await startDeployment(r.id, { batchSize: 1, pauseSeconds: 0, reason: "tune" }, audit, null);
    expect((await operationDone(op.id)).state).toBe("SUCCEEDED");
    const state = await lb.command("show servers state be_edge");
    const line = state.split("\n").find((l) => l.includes(" app-2 "))!;
    // srv_admin_state (7th field) has the drain bit (0x08) set.
    expect(Number(line.split(" ")[6]) & 0x08).toBe(0x08);

    // A reload by hand (not through the console) resets HAProxy's runtime state too.
    await lb.reload();
    await until(
      "the drain put back after a reload by hand",
      async () => {
        const line = (await lb.command("show servers state be_edge")).split("\n").find((l) => l.includes(" app-2 "));
        return line && (Number(line.split(" ")[6]) & 0x08) === 0x08;
      },
      10_000,
    );
    await db.runtimeOverride.deleteMany({});
    await lb.command("set server be_edge/app-2 state ready");
  }, 30_000);

  it("shows a hand edit as drift, and reconcile puts the deployed file back", async () => {
    const { db } = await import("@/lib/db");
    const { reconcileTarget } = await svc();
    const since = new Date();
    await appendFile(lb.configFile, "# edited by hand on the box\n");
    const drift = await until("a drift event", () => db.event.findFirst({ where: { kind: "config.drift", subjectId: lbId, at: { gte: since } } }), 30_000);
    expect(drift.message).toMatch(/did not deploy/);
    expect(
      (await db.configTargetState.findUniqueOrThrow({ where: { targetType_targetId: { targetType: "LOAD_BALANCER", targetId: lbId } } })).driftSince,
    ).not.toBeNull();
    const op = await reconcileTarget("LOAD_BALANCER", lbId, "undo the hand edit", audit);
    expect((await operationDone(op.id)).state).toBe("SUCCEEDED");
    expect(await readFile(lb.configFile, "utf8")).not.toContain("edited by hand");
    await until("drift resolved", () => db.event.findFirst({ where: { kind: "config.drift-resolved", subjectId: lbId, at: { gte: since } } }), 30_000);
  }, 60_000);
});

describe("app settings, rolling", () => {
  it("refuses a second deployment of the same configuration while one runs, naming it", async () => {
    const { createRevision, startDeployment } = await svc();
    const { cancelOperation } = await import("@/lib/operations/service");
    const r = await createRevision(`app.${clusterId}`, { input: JSON.parse(settings("v1")), message: "v1" }, audit);
    const op = await startDeployment(r.id, { batchSize: 1, pauseSeconds: 5, reason: "v1" }, audit, null);
    const second = await startDeployment(r.id, { batchSize: 3, pauseSeconds: 0, reason: "again" }, audit, null).catch((e) => e);
    expect(second).toMatchObject({ code: "conflict", details: { operationId: op.id } });
    // The same Idempotency-Key gives back the same operation rather than a second one.
    const keyed = await startDeployment(r.id, { batchSize: 3, pauseSeconds: 0, reason: "keyed" }, audit, "retry-key-0001").catch((e) => e);
    expect(keyed).toMatchObject({ code: "conflict" });
    await cancelOperation(op.id, "test", audit);
    const done = await operationDone(op.id);
    expect(done.state).toBe("CANCELLED");
    // Whatever ran before the cancel finished its batch; the rest was skipped.
    expect(done.deployments.filter((d) => d.status === "SKIPPED").length).toBeGreaterThan(0);
    // Finish v1 everywhere for the next test.
    const all = await startDeployment(r.id, { batchSize: 3, pauseSeconds: 0, reason: "v1 everywhere" }, audit, null);
    expect((await operationDone(all.id)).state).toBe("SUCCEEDED");
    for (const n of nodes) expect(await readFile(n.settingsFile, "utf8")).toBe(settings("v1"));
  }, 60_000);

  it("stops at the first failure, puts its batch back and skips the rest", async () => {
    const { db } = await import("@/lib/db");
    const { createRevision, startDeployment } = await svc();
    const { deployExecutor } = await import("@/worker/deploy");
    const { OperationRunner } = await import("@/worker/operations");
    // A runner that kills app-2's agent just before app-2 is sent the revision.
    await runner.stop();
    const victim = nodes[1]!;
    const faulty = new OperationRunner(
      db,
      "test-worker-b",
      { "config.deploy": deployExecutor({ beforeApply: async (id) => void (id === victim.id && (await victim.agent.close())) }) },
      { pollMs: 100, leaseMs: 2000 },
    );
    faulty.start();
    try {
      const r = await createRevision(`app.${clusterId}`, { input: JSON.parse(settings("v2")), message: "v2" }, audit);
      const op = await startDeployment(r.id, { batchSize: 2, pauseSeconds: 0, reason: "v2" }, audit, null);
      const done = await operationDone(op.id);
      expect(done.state).toBe("FAILED");
      expect(done.error).toMatch(/stopped at batch 1 of 2/);
      const byTarget = new Map(done.deployments.map((d) => [d.targetId, d]));
      expect(byTarget.get(nodes[0]!.id)).toMatchObject({ status: "ROLLED_BACK" });
      expect(byTarget.get(victim.id)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/connection refused/) });
      expect(byTarget.get(nodes[2]!.id)).toMatchObject({ status: "SKIPPED" });
      for (const n of nodes) expect(await readFile(n.settingsFile, "utf8")).toBe(settings("v1"));
      const event = await db.event.findFirst({ where: { kind: "config.deploy-failed", data: { path: ["operationId"], equals: op.id } } });
      expect(event?.severity).toBe("CRITICAL");
      const auditEntry = await db.auditEntry.findFirst({ where: { action: "config.deploy.finish", targetId: op.id } });
      expect(auditEntry?.outcome).toBe("FAILURE");
    } finally {
      await faulty.stop();
      victim.agent = await startAgent(parseConfig(victim.agentConfig), { log: () => {} });
    }
  }, 60_000);

  it("resumes a deployment whose worker died, on another worker", async () => {
    const { db } = await import("@/lib/db");
    const { createRevision, startDeployment } = await svc();
    const { deployExecutor } = await import("@/worker/deploy");
    const { OperationRunner } = await import("@/worker/operations");
    const r = await createRevision(`app.${clusterId}`, { input: JSON.parse(settings("v3")), message: "v3" }, audit);
    const first = new OperationRunner(db, "worker-that-dies", { "config.deploy": deployExecutor() }, { pollMs: 100, leaseMs: 1500 });
    first.start();
    const op = await startDeployment(r.id, { batchSize: 1, pauseSeconds: 3, reason: "v3" }, audit, null);
    await until("first batch done", async () => (await db.configDeployment.count({ where: { operationId: op.id, status: "SUCCEEDED" } })) >= 1);
    await first.stop(0); // dies in the pause: its lease is not released, only no longer renewed
    const second = new OperationRunner(db, "worker-that-takes-over", { "config.deploy": deployExecutor() }, { pollMs: 100, leaseMs: 1500 });
    second.start();
    try {
      const done = await operationDone(op.id);
      expect(done.state).toBe("SUCCEEDED");
      expect(done.leaseOwner).toBe("worker-that-takes-over");
      expect((done.steps as { step: string }[]).map((s) => s.step)).toContain("resumed");
      for (const n of nodes) expect(await readFile(n.settingsFile, "utf8")).toBe(settings("v3"));
    } finally {
      await second.stop();
    }
  }, 60_000);
});
