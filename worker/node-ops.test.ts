// Protects: draining and resuming an app node, for real: three demo app
// servers with sticky sessions behind a real HAProxy (running the console's
// own rendered configuration), agents, the worker's monitor and operation
// runner, and clients that keep their cookies.
//   - a drain under load fails no client request, keeps sticky sessions on the
//     node until they end, and ends DRAINED with no session left, even when
//     HAProxy is reloaded by hand in the middle of it (fault injection);
//   - resume brings traffic back gradually (weight ramp in HAProxy);
//   - a drain the other nodes could not carry is refused without force;
//   - twenty concurrent drain requests yield exactly one operation.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePort } from "@/lab/ports";
import { startHaproxy, type HaproxyHandle } from "@/lab/haproxy";
import { startAppServer, type AppServer } from "@/demo/app-server";
import { parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { waitFor } from "@/agent/testing/client";
import type { OperationRunner } from "@/worker/operations";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "node-ops-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000) => waitFor(what, fn, timeoutMs, 50);

let lb: HaproxyHandle;
let lbId = "";
let clusterId = "";
const nodes: { id: string; name: string; app: AppServer; agent: RunningAgent }[] = [];
let runner: OperationRunner;
let monitor: Monitor;
let recorder: Recorder;

async function operationDone(id: string) {
  const { db } = await import("@/lib/db");
  return until(
    `operation ${id} to end`,
    async () => {
      const op = await db.operation.findUnique({ where: { id } });
      return op && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(op.state) ? op : null;
    },
    60_000,
  );
}

/** A browser-like client: keeps its cookies (SERVERID, SID) and counts what it sees. */
class Client {
  cookies = new Map<string, string>();
  served: string[] = [];
  failures: string[] = [];
  async hit(): Promise<void> {
    try {
      const res = await fetch(`${lb.url}/`, { headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const [k, v] = pair!.split("=");
        if (k && v !== undefined) this.cookies.set(k.trim(), v.trim());
      }
      const body = (await res.json()) as { node?: string };
      if (res.status !== 200) this.failures.push(`${res.status} ${JSON.stringify(body)}`);
      else this.served.push(body.node ?? "?");
    } catch (error) {
      this.failures.push(String(error));
    }
  }
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "node-ops-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { addPoolMember } = await import("@/lib/inventory/pool");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "drain", description: "", environment: "production" }, audit);
  clusterId = cluster.id;
  // Each agent port is picked just before its agent binds it: a port picked
  // earlier can be handed to a port-0 server started in between.
  for (let i = 0; i < 3; i++) {
    const name = `app-${i + 1}`;
    // Sessions end 3 s after their last request, so a drain finishes in seconds.
    const app = await startAppServer({ port: 0, name, sessionIdleMs: 3000 });
    cleanups.push(() => app.close());
    const node = await createNode(
      { clusterId, name, host: "127.0.0.1", port: app.port, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${await freePort()}` },
      audit,
    );
    const { config } = await issueAgentCredential("NODE", node.id, audit);
    const cfg = {
      ...config,
      intervalMs: 250,
      app: { ...(config as { app: object }).app, timeoutMs: 200, settingsFile: undefined, reloadUrl: undefined },
    } as AgentConfigInput;
    const agent = await startAgent(parseConfig(cfg), { log: () => {} });
    nodes.push({ id: node.id, name, app, agent });
    cleanups.push(() => nodes[i]!.agent.close());
  }
  lb = await startHaproxy({
    backends: [{ name: "be_edge", servers: nodes.map((n) => ({ name: n.name, host: "127.0.0.1", port: n.app.port })) }],
    checkIntervalMs: 100,
  });
  cleanups.push(() => lb.stop());
  const lbRow = await createLoadBalancer(
    { clusterId, name: "edge", kind: "HAPROXY", tier: "SOFTWARE", host: "127.0.0.1", port: lb.frontendPort, agentUrl: `http://127.0.0.1:${await freePort()}` },
    audit,
  );
  lbId = lbRow.id;
  for (const n of nodes) await addPoolMember(lbId, { nodeId: n.id, weight: 100, backup: false }, audit);
  const { config: lbConfig } = await issueAgentCredential("LOAD_BALANCER", lbId, audit);
  const lbAgent = await startAgent(
    parseConfig({
      ...lbConfig,
      intervalMs: 250,
      haproxy: { socket: lb.socketPath, configFile: lb.configFile, pidFile: path.join(lb.dir, "haproxy.pid") },
    } as AgentConfigInput),
    { log: () => {} },
  );
  cleanups.push(() => lbAgent.close());

  const { OperationRunner } = await import("@/worker/operations");
  const { deployExecutor } = await import("@/worker/deploy");
  const { drainExecutor, resumeExecutor, maintenanceExecutor } = await import("@/worker/node-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  runner = new OperationRunner(
    db,
    "node-ops-worker",
    { "config.deploy": deployExecutor(), "node.drain": drainExecutor, "node.resume": resumeExecutor, "node.maintenance": maintenanceExecutor },
    { listenUrl: database.url() },
  );
  runner.start();
  cleanups.push(() => runner.stop());
  recorder = new Recorder(db);
  recorder.start();
  const { redrainApp } = await import("@/worker/node-ops");
  const { restoreOverrides } = await import("@/worker/overrides");
  monitor = new Monitor(recorder, {
    refreshMs: 500,
    connection: { heartbeatTimeoutMs: 2000, maxBackoffMs: 500, maxLineBytes: 1 << 20 },
    onAppNotDraining: (t) => redrainApp(db, t),
    // As the worker does: a reload outside the console must not undo a drain.
    onHaproxyReloaded: async (t) => void (await restoreOverrides(db, t.id, t)),
  });
  await monitor.start();
  cleanups.push(
    () => recorder.stop(),
    () => monitor.stop(),
  );

  // HAProxy runs the console's configuration (sticky cookie per server, L7 retries, slow start).
  const { createRevision } = await import("@/lib/config/revisions");

  const { startDeployment } = await import("@/lib/config/deployments");
  const r = await createRevision(`haproxy.${lbId}`, { input: { healthCheck: { interMs: 100 }, slowstartSeconds: 0 }, message: "console config" }, audit);
  const op = await startDeployment(r.id, { batchSize: 1, pauseSeconds: 0, reason: "take over" }, audit, null);
  expect((await operationDone(op.id)).state).toBe("SUCCEEDED");
  await until("all nodes UP", async () => (await db.node.count({ where: { clusterId, health: "UP" } })) === 3);
}, 90_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const serverLine = async (name: string) =>
  (await lb.command("show stat"))
    .split("\n")
    .find((l) => l.startsWith(`be_edge,${name},`))!
    .split(",");

describe("drain", () => {
  it("refuses a drain the other nodes could not carry, unless forced with a reason", async () => {
    const { db } = await import("@/lib/db");
    const { startNodeOperation, drainImpact } = await import("@/lib/operations/nodes");
    // The others are sized for 1 session each while 30 are in flight.
    await db.node.updateMany({ where: { clusterId }, data: { capacity: 1 } });
    await db.node.update({ where: { id: nodes[0]!.id }, data: { activeSessions: 30 } });
    const impact = await drainImpact(nodes[1]!.id);
    expect(impact).toMatchObject({ canCarry: false, remainingNodes: 2 });
    const refused = await startNodeOperation(
      nodes[1]!.id,
      { kind: "node.drain", body: { reason: "test", deadlineSeconds: 60, escalation: "none", force: false } },
      audit,
      null,
    ).catch((e) => e);
    expect(refused).toMatchObject({ code: "conflict" });
    expect(refused.detail).toMatch(/would not fit/);
    expect(await db.operation.count({ where: { subjectId: nodes[1]!.id } })).toBe(0);
    await db.node.updateMany({ where: { clusterId }, data: { capacity: 100 } });
  });

  it("yields exactly one operation for twenty concurrent requests", async () => {
    const { db } = await import("@/lib/db");
    const { startNodeOperation } = await import("@/lib/operations/nodes");
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => startNodeOperation(nodes[2]!.id, { kind: "node.maintenance", body: { reason: "concurrent clicks" } }, audit, null)),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    expect(await db.operation.count({ where: { subjectId: nodes[2]!.id, kind: "node.maintenance" } })).toBe(1);
    expect((await operationDone((ok[0] as PromiseFulfilledResult<{ id: string }>).value.id)).state).toBe("SUCCEEDED");
    expect((await serverLine("app-3"))[17]).toBe("MAINT");
    const resume = await startNodeOperation(nodes[2]!.id, { kind: "node.resume", body: { reason: "back", slowStartSeconds: 0 } }, audit, null);
    expect((await operationDone(resume.id)).state).toBe("SUCCEEDED");
  }, 60_000);

  it("runs an operation the previous release queued (params without a version), and leaves one a newer release queued for an upgraded worker", async () => {
    const { db } = await import("@/lib/db");
    const { startNodeOperation } = await import("@/lib/operations/nodes");
    const node = nodes[2]!;
    // As the release before versioned params wrote it: no `v`.
    const legacy = await db.operation.create({
      data: {
        kind: "node.maintenance",
        subjectType: "NODE",
        subjectId: node.id,
        reason: "queued before the upgrade",
        params: { reason: "queued before the upgrade", nodeName: node.name, clusterId },
        steps: [{ at: new Date().toISOString(), step: "requested" }],
      },
    });
    expect((await operationDone(legacy.id)).state).toBe("SUCCEEDED");
    expect((await serverLine(node.name))[17]).toBe("MAINT");
    const resume = await startNodeOperation(node.id, { kind: "node.resume", body: { reason: "back", slowStartSeconds: 0 } }, audit, null);
    expect((await operationDone(resume.id)).state).toBe("SUCCEEDED");
    // A newer release's params (a rolling upgrade: new web in front of this old worker):
    // not guessed at, not failed either; it waits, untouched, for a worker that reads them.
    const newer = await db.operation.create({
      data: {
        kind: "node.maintenance",
        subjectType: "NODE",
        subjectId: node.id,
        reason: "queued by a newer console",
        params: { v: 99, reason: "queued by a newer console", nodeName: node.name, clusterId },
      },
    });
    // And garbage in the version must not stop the runner claiming anything else.
    const odd = await db.operation.create({
      data: { kind: "node.maintenance", subjectType: "NODE", subjectId: "no-such-node", reason: "odd", params: { v: "one" } },
    });
    expect((await operationDone(odd.id)).state).toBe("FAILED");
    await new Promise((r) => setTimeout(r, 1500)); // several polls
    expect(await db.operation.findUniqueOrThrow({ where: { id: newer.id } })).toMatchObject({ state: "PENDING", leaseOwner: null, startedAt: null });
    expect((await db.node.findUniqueOrThrow({ where: { id: node.id } })).adminState).toBe("ACTIVE");
    expect(await db.runtimeOverride.count({ where: { nodeId: node.id } })).toBe(0);
    await db.operation.delete({ where: { id: newer.id } });
  }, 60_000);

  it("drains under load without a failed request, keeping sticky sessions until they end", async () => {
    const { db } = await import("@/lib/db");
    const { startNodeOperation } = await import("@/lib/operations/nodes");
    const victim = nodes[1]!;
    // Twelve users, each with its own cookies, hitting every 150 ms; new users keep arriving.
    const users = Array.from({ length: 12 }, () => new Client());
    let stop = false;
    const newcomers: Client[] = [];
    const loops = users.map(async (u) => {
      while (!stop) {
        await u.hit();
        await new Promise((r) => setTimeout(r, 150));
      }
    });
    const arrivals = (async () => {
      while (!stop) {
        const c = new Client();
        newcomers.push(c);
        await c.hit();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await until("some users stuck to the victim", async () => users.filter((u) => u.served.at(-1) === victim.name).length >= 2);
    const stuck = users.filter((u) => u.served.at(-1) === victim.name);
    for (const u of stuck) u.served.length = 0;

    const started = await startNodeOperation(
      victim.id,
      { kind: "node.drain", body: { reason: "patch the kernel", deadlineSeconds: 60, escalation: "none", force: false } },
      audit,
      null,
    );
    // Sticky users stay on the draining node while their session lives…
    await until("the drain to reach HAProxy", async () => (await serverLine(victim.name))[17] === "DRAIN", 5000);
    // Someone reloads HAProxy mid-drain: its file knows nothing of the drain; the console puts it back.
    const pidBefore = await lb.workerPid();
    expect(await lb.reload()).not.toBe(pidBefore);
    await until("the drain back in HAProxy after the reload", async () => (await serverLine(victim.name))[17] === "DRAIN", 5000);
    await new Promise((r) => setTimeout(r, 1000));
    for (const u of stuck) expect(u.served.every((n) => n === victim.name)).toBe(true);
    // …and once the users stop, their sessions end and the drain completes.
    for (const u of stuck) users.splice(users.indexOf(u), 1);
    stop = true;
    await Promise.all([...loops, arrivals]);
    const done = await operationDone(started.id);
    expect(done.state, done.error ?? "").toBe("SUCCEEDED");
    const node = await db.node.findUniqueOrThrow({ where: { id: victim.id } });
    expect(node.adminState).toBe("DRAINED");
    expect(node.activeSessions, JSON.stringify({ progress: done.progress, steps: done.steps })).toBe(0);
    // No new user was sent to the draining node, and nobody saw an error.
    const afterDrain = newcomers.slice(-10);
    for (const c of afterDrain) expect(c.served).not.toContain(victim.name);
    const failures = [...users, ...stuck, ...newcomers].flatMap((c) => c.failures);
    expect(failures).toEqual([]);
    const progress = done.progress as { samples: [number, number][] };
    expect(progress.samples.length).toBeGreaterThan(2);
    expect(progress.samples.at(-1)![1]).toBe(0);
  }, 90_000);

  it("drains the app again when it restarts while its node is held out of service", async () => {
    const victim = nodes[1]!;
    const port = victim.app.port;
    await victim.app.close();
    victim.app = await startAppServer({ port, name: victim.name, sessionIdleMs: 3000 });
    cleanups.push(() => victim.app.close());
    // A fresh app takes sessions; the console still holds the node DRAINED, so it tells the app again.
    await until(
      "the restarted app draining again",
      async () => ((await (await fetch(`${victim.app.url}/stats`)).json()) as { draining: boolean }).draining,
      15_000,
    );
  }, 30_000);

  it("resumes gradually: the weight climbs back in steps", async () => {
    const { startNodeOperation } = await import("@/lib/operations/nodes");
    const victim = nodes[1]!;
    const started = await startNodeOperation(victim.id, { kind: "node.resume", body: { reason: "patched", slowStartSeconds: 3 } }, audit, null);
    const weights = new Set<number>();
    await until(
      "ready with a low weight",
      async () => {
        const line = await serverLine(victim.name);
        weights.add(Number(line[18]));
        return line[17] === "UP";
      },
      10_000,
    );
    const done = await until(
      "the ramp to finish",
      async () => {
        weights.add(Number((await serverLine(victim.name))[18]));
        const { db } = await import("@/lib/db");
        const op = await db.operation.findUniqueOrThrow({ where: { id: started.id } });
        return op.state === "SUCCEEDED" ? op : null;
      },
      20_000,
    );
    expect(done.state).toBe("SUCCEEDED");
    expect(Math.min(...weights)).toBeLessThanOrEqual(10);
    expect(Number((await serverLine(victim.name))[18])).toBe(100);
    expect([...weights].filter((w) => w > 10 && w < 100).length).toBeGreaterThan(0);
  }, 40_000);
});
