// Protects: several worker processes, one monitors. When the monitoring one
// is killed (kill -9: no goodbye, its lease simply stops being renewed),
// another takes over within 5 s and keeps watching: a fault after the
// takeover still becomes an event.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { waitFor } from "@/agent/testing/client";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePorts, isListening } from "@/lab/ports";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "failover-test", clientIp: null };
const secret = "failover-test-secret-".padEnd(48, "x");
const children = new Set<ChildProcess>();
let nodeId = "";
let app: ChildProcess;

function run(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: "ignore", env });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 15_000) => waitFor(what, fn, timeoutMs, 25);

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = secret;
  resetEnvCache();
  const [appPort, agentPort] = (await freePorts(2)) as [number, number];
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "ha", description: "", environment: "production" }, audit);
  const node = await createNode(
    { clusterId: cluster.id, name: "app-1", host: "127.0.0.1", port: appPort, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${agentPort}` },
    audit,
  );
  nodeId = node.id;
  const { config } = await issueAgentCredential("NODE", node.id, audit);
  const dir = await mkdtemp(path.join(os.tmpdir(), "failover-test-"));
  const configFile = path.join(dir, "agent.json");
  await writeFile(configFile, JSON.stringify({ ...config, intervalMs: 250, app: { ...("app" in config ? config.app : {}), timeoutMs: 200 } }), { mode: 0o600 });
  app = run(["--import", "tsx", "demo/app-server.ts", "--port", String(appPort), "--name", "app-1"]);
  run(["bin/clusterdeck-agent.mjs", "--config", configFile]);
  await until("app and agent", async () => (await isListening(appPort)) && (await isListening(agentPort)));
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
});

it("a killed monitoring worker is replaced within 5 s, and monitoring goes on", async () => {
  const { db } = await import("@/lib/db");
  const env = { ...process.env, DATABASE_URL: database.url(), CLUSTERDECK_SECRET: secret };
  const metricsPorts = await freePorts(2);
  const workers = metricsPorts.map((port) =>
    run(["--conditions=react-server", "--import", "tsx", "worker/run.ts"], { ...env, CLUSTERDECK_WORKER_METRICS_PORT: String(port) }),
  );
  const scrape = async (i: number) => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPorts[i]}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    return { leader: value("clusterdeck_worker_leader"), watched: value("clusterdeck_worker_watched_agents") };
  };
  await until("the node to be watched", async () => (await db.node.findUniqueOrThrow({ where: { id: nodeId } })).health === "UP");

  const lease = await db.workerLease.findUniqueOrThrow({ where: { name: "monitor" } });
  const leaderPid = Number(lease.holder.split(":")[1]);
  const leader = workers.find((w) => w.pid === leaderPid);
  expect(leader, `lease holder ${lease.holder} is one of our workers`).toBeDefined();
  const leaderIndex = workers.indexOf(leader!);
  const standbyIndex = 1 - leaderIndex;
  expect(await scrape(leaderIndex)).toEqual({ leader: 1, watched: 1 });
  expect(await scrape(standbyIndex)).toEqual({ leader: 0, watched: 0 });

  leader!.kill("SIGKILL");
  const killedAt = Date.now();
  const next = await until("another worker to take the lease", async () => {
    const row = await db.workerLease.findUnique({ where: { name: "monitor" } });
    return row && row.holder !== lease.holder ? row : null;
  });
  expect(Date.now() - killedAt).toBeLessThan(5000);
  expect(next.epoch).toBe(lease.epoch + 1);
  await until("the standby to report itself leader", async () => (await scrape(standbyIndex)).watched === 1);

  // The new leader watches: an app crash now still becomes an event.
  const since = new Date();
  app.kill("SIGKILL");
  const down = await until("health.down from the new leader", () =>
    db.event.findFirst({ where: { subjectId: nodeId, kind: "health.down", at: { gte: since } } }),
  );
  expect(down.message).toMatch(/app-1 is down/);
});
