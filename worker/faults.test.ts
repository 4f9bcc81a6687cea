// Protects: the worker against agents that misbehave rather than die (issue 6,
// fault injection). One node has a real agent beside a real app server; the
// other's agent URL points at a faulty server that answers with garbage, with
// HTML, slower than any timeout, or by resetting the connection. For each:
//   - the monitor marks only the faulty node "agent unreachable" (its app
//     still answers the worker's TCP probe), with a reason, while the
//     healthy node stays UP and fresh (nothing stalls or crashes);
//   - a rolling deployment over both ends FAILED with the reason recorded, the
//     healthy node put back to the file it had, an event and an audit entry;
//   - once a real agent answers on that address again, the node recovers and
//     the same revision deploys, without anyone resetting anything.
// Each fault starts from a healthy node, so each is detected on its own.
import http from "node:http";
import net from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePorts } from "@/lab/ports";
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
const audit = { actor: systemActor("test"), requestId: "faults-test", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000) => waitFor(what, fn, timeoutMs, 50);
const settings = (db: string) => canonicalJson({ database: { url: `postgresql://app:pw@127.0.0.1:5432/${db}` }, sessionIdleSeconds: 60, logLevel: "info" });

type Fault = "garbage" | "html" | "slow" | "reset";

/** Stands where an agent should be, and answers every request the way `fault` says. */
class FaultyAgent {
  requests = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    readonly fault: Fault,
  ) {
    this.server = http.createServer((req, res) => {
      this.requests += 1;
      req.resume();
      if (this.fault === "reset") return void req.socket.destroy();
      if (this.fault === "slow") return void setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("{}"), 5000).unref();
      if (this.fault === "html") return void res.writeHead(200, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>\n");
      // Garbage: a JSON content type, then bytes that are not JSON, one line at a time (a stream reads lines).
      res.writeHead(200, { "content-type": req.url?.startsWith("/v1/stream") ? "application/x-ndjson" : "application/json" });
      res.end(`${Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 37 + this.requests) % 256)).toString("latin1")}\n{"type":"snapshot","seq":"x"}\n`);
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }
  listen() {
    return new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
  }
  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let dir = "";
let clusterId = "";
const healthy = { id: "", agent: null as RunningAgent | null, settingsFile: "" };
const faulty = { id: "", port: 0, agentConfig: null as AgentConfigInput | null, settingsFile: "", app: null as AppServer | null };
let real: RunningAgent | null = null;
let runner: OperationRunner;
let monitor: Monitor;
let recorder: Recorder;

async function health(id: string) {
  const { db } = await import("@/lib/db");
  return db.node.findUniqueOrThrow({ where: { id }, select: { health: true, lastSeenAt: true } });
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "faults-test-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  dir = await makeLabDir("faults-test");
  cleanups.push(() => removeDir(dir));
  const cluster = await createCluster({ name: "faults", description: "", environment: "production" }, audit);
  clusterId = cluster.id;
  const ports = await freePorts(2);
  const setUp = async (name: string, port: number) => {
    const settingsFile = path.join(dir, `${name}.json`);
    await writeFile(settingsFile, settings("initial"), { mode: 0o600 });
    const app = await startAppServer({ port: 0, name, settingsFile });
    cleanups.push(() => app.close());
    const node = await createNode(
      { clusterId, name, host: "127.0.0.1", port: app.port, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${port}` },
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
    return { id: node.id, settingsFile, agentConfig, app };
  };
  // "app-a" sorts first, so it is applied (and must be put back) when "app-b" fails.
  const a = await setUp("app-a", ports[0]!);
  Object.assign(healthy, { id: a.id, settingsFile: a.settingsFile, agent: await startAgent(parseConfig(a.agentConfig), { log: () => {} }) });
  cleanups.push(() => healthy.agent?.close());
  const b = await setUp("app-b", ports[1]!);
  Object.assign(faulty, { id: b.id, port: ports[1]!, agentConfig: b.agentConfig, settingsFile: b.settingsFile, app: b.app });
  real = await startAgent(parseConfig(b.agentConfig), { log: () => {} });
  cleanups.push(() => real?.close());

  const { OperationRunner } = await import("@/worker/operations");
  const { deployExecutor } = await import("@/worker/deploy");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  runner = new OperationRunner(db, "faults-worker", { "config.deploy": deployExecutor({ applyTimeoutMs: 1500 }) }, { pollMs: 100, leaseMs: 2000 });
  runner.start();
  cleanups.push(() => runner.stop());
  recorder = new Recorder(db);
  recorder.start();
  monitor = new Monitor(recorder, { connection: { heartbeatTimeoutMs: 1500, maxBackoffMs: 500, maxLineBytes: 1 << 20 } });
  await monitor.start();
  cleanups.push(() => recorder.stop());
  cleanups.push(() => monitor.stop());
  await until("both nodes UP", async () => (await health(healthy.id)).health === "UP" && (await health(faulty.id)).health === "UP");
}, 60_000);

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

async function deployAndWait(revisionId: string, reason: string) {
  const { db } = await import("@/lib/db");
  const { startDeployment } = await import("@/lib/config/deployments");
  const op = await startDeployment(revisionId, { batchSize: 2, pauseSeconds: 0, reason }, audit, null);
  return until(
    "the deployment to end",
    async () => {
      const row = await db.operation.findUnique({ where: { id: op.id }, include: { deployments: true } });
      return row && ["SUCCEEDED", "FAILED", "CANCELLED"].includes(row.state) ? row : null;
    },
    30_000,
  );
}

describe.each<Fault>(["garbage", "html", "slow", "reset"])("an agent that answers with %s", (fault) => {
  it("is marked 'agent unreachable' with a reason, the healthy node stays UP, a deployment fails cleanly, and all recovers by itself", async () => {
    const { db } = await import("@/lib/db");
    const { createRevision } = await import("@/lib/config/revisions");
    expect((await health(faulty.id)).health).toBe("UP");
    await real!.close();
    real = null;
    const fake = new FaultyAgent(faulty.port, fault);
    await fake.listen();
    try {
      const since = new Date();
      const down = await until(`app-b UNREACHABLE (${fault})`, async () => {
        const event = await db.event.findFirst({ where: { subjectId: faulty.id, kind: "health.unreachable", at: { gte: since } }, orderBy: { id: "desc" } });
        return (await health(faulty.id)).health === "UNREACHABLE" && event;
      });
      expect(down.message).toMatch(/^app-b: agent unreachable; the worker's TCP probe of .+ still passes; agent at .+/);
      expect(fake.requests).toBeGreaterThan(0);
      // The monitor did not stall on the faulty agent: app-a's facts keep arriving.
      const before = (await health(healthy.id)).lastSeenAt!;
      await until("app-a seen again", async () => (await health(healthy.id)).lastSeenAt! > before, 5000);
      expect((await health(healthy.id)).health).toBe("UP");

      const appliedBefore = await readFile(healthy.settingsFile, "utf8");
      const revision = await createRevision(`app.${clusterId}`, { input: JSON.parse(settings(`v-${fault}`)), message: fault }, audit);
      const failed = await deployAndWait(revision.id, `faulty agent (${fault})`);
      expect(failed.state).toBe("FAILED");
      const byTarget = new Map(failed.deployments.map((d) => [d.targetId, d]));
      expect(byTarget.get(faulty.id)?.status).toBe("FAILED");
      expect(byTarget.get(faulty.id)?.error).toBeTruthy();
      // app-a was applied in the same batch, then put back to what it ran.
      expect(byTarget.get(healthy.id)?.status).toBe("ROLLED_BACK");
      expect(await readFile(healthy.settingsFile, "utf8")).toBe(appliedBefore);
      expect(await db.event.count({ where: { kind: "config.deploy-failed", data: { path: ["operationId"], equals: failed.id } } })).toBe(1);
      expect(await db.auditEntry.count({ where: { action: "config.deploy.finish", targetId: failed.id, outcome: "FAILURE" } })).toBe(1);

      // A real agent answers on that address again: no one resets anything.
      await fake.close();
      real = await startAgent(parseConfig(faulty.agentConfig!), { log: () => {} });
      await until("app-b UP again", async () => (await health(faulty.id)).health === "UP");
      const retried = await deployAndWait(revision.id, "after the fault");
      expect(retried.state).toBe("SUCCEEDED");
      expect(await readFile(faulty.settingsFile, "utf8")).toBe(revision.content);
      expect(await readFile(healthy.settingsFile, "utf8")).toBe(revision.content);
    } finally {
      await fake.close().catch(() => {});
    }
  }, 60_000);
});
