// Protects: the monitor notices, through real agents and a real app server
// run as separate processes, an app node killed with -9 (DOWN), a hung agent
// (SIGSTOP) and an agent whose port closed (both "agent unreachable": the
// node has no load balancer, and the worker's TCP probe of the app passes);
// each becomes an Event and the stored health, and each recovers when the
// fault is undone.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { waitFor } from "@/agent/testing/client";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePorts, isListening } from "@/lab/ports";
import { agentConfig } from "@/agent/config";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "monitor-test", clientIp: null };
const children = new Set<ChildProcess>();
let appPort = 0;
let agentPort = 0;
let nodeId = "";
let configFile = "";
let app: ChildProcess | null = null;
let agent: ChildProcess | null = null;
let monitor: Monitor;
let recorder: Recorder;

function run(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: "ignore", cwd: process.cwd() });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000) => waitFor(what, fn, timeoutMs, 25);

async function startApp() {
  app = run(["--import", "tsx", "demo/app-server.ts", "--port", String(appPort), "--name", "app-1"]);
  await until("the app server", () => isListening(appPort));
}

async function startAgent() {
  agent = run(["bin/clusterdeck-agent.mjs", "--config", configFile]);
  await until("the agent", () => isListening(agentPort));
}

async function eventsFor(kind: string, since: Date) {
  const { db } = await import("@/lib/db");
  return db.event.findFirst({ where: { subjectId: nodeId, kind, at: { gte: since } }, orderBy: { id: "desc" } });
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "monitor-test-secret-".padEnd(48, "x");
  resetEnvCache();
  [appPort, agentPort] = (await freePorts(2)) as [number, number];
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "watched", description: "", environment: "production" }, audit);
  const node = await createNode(
    { clusterId: cluster.id, name: "app-1", host: "127.0.0.1", port: appPort, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${agentPort}` },
    audit,
  );
  nodeId = node.id;
  // The snippet the console hands out is a valid agent config as it stands.
  const { config } = await issueAgentCredential("NODE", node.id, audit);
  const checked = agentConfig.parse(config);
  const dir = await mkdtemp(path.join(os.tmpdir(), "monitor-test-"));
  configFile = path.join(dir, "agent.json");
  await writeFile(configFile, JSON.stringify({ ...checked, intervalMs: 250, app: { ...checked.app, timeoutMs: 200 } }), { mode: 0o600 });
  await startApp();
  await startAgent();

  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  recorder = new Recorder(db);
  recorder.start();
  monitor = new Monitor(recorder, { connection: { heartbeatTimeoutMs: 1000, maxBackoffMs: 500, maxLineBytes: 1 << 20 } });
  await monitor.start();
}, 60_000);

afterAll(async () => {
  monitor?.stop();
  await recorder?.stop();
  for (const child of children) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
});

describe("monitor against real agents", () => {
  it("sees the node come up", async () => {
    const { db } = await import("@/lib/db");
    await until("UP", async () => (await db.node.findUniqueOrThrow({ where: { id: nodeId } })).health === "UP");
    await until("last seen", async () => (await db.node.findUniqueOrThrow({ where: { id: nodeId } })).lastSeenAt);
  });

  it("notices kill -9 of the app server and its return", async () => {
    const since = new Date();
    app!.kill("SIGKILL");
    const killedAt = Date.now();
    const down = await until("health.down", () => eventsFor("health.down", since));
    expect(down.message).toMatch(/app-1 is down/);
    // Two observations at the agent's 250 ms interval, plus slack for a busy machine.
    expect(down.at.getTime() - killedAt).toBeLessThan(2000);
    await startApp();
    await until("health.recovered", () => eventsFor("health.recovered", since));
  });

  it("notices a hung agent (SIGSTOP) through the missing heartbeat, and its recovery", async () => {
    const since = new Date();
    agent!.kill("SIGSTOP");
    const unreachable = await until("health.unreachable", () => eventsFor("health.unreachable", since), 10_000);
    expect(unreachable.message).toMatch(/agent unreachable; the worker's TCP probe of 127\.0\.0\.1:\d+ still passes; .*(hung|no answer|no snapshot)/);
    agent!.kill("SIGCONT");
    await until("health.recovered", () => eventsFor("health.recovered", since), 10_000);
  });

  it("notices a closed agent port at once", async () => {
    const since = new Date();
    agent!.kill("SIGKILL");
    const killedAt = Date.now();
    const unreachable = await until("health.unreachable", () => eventsFor("health.unreachable", since));
    expect(unreachable.message).toMatch(/connection refused|closed the stream|connection reset/);
    expect(unreachable.at.getTime() - killedAt).toBeLessThan(1000);
    await startAgent();
    await until("health.recovered", () => eventsFor("health.recovered", since));
  });

  it("stores samples for the charts", async () => {
    const { db } = await import("@/lib/db");
    await recorder.flush(Date.now() + 60_000);
    const sample = await db.healthSample.findFirst({ where: { subjectId: nodeId } });
    expect(sample).toMatchObject({ subjectType: "NODE", resolution: "RAW" });
  });
});
