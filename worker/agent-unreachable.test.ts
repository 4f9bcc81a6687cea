// Protects: truthful states (issue 16), with the worker's real timings. An app
// server and its agent run as separate processes behind a real HAProxy (the
// lab's, checking GET /health every 2 s as the demo's does) watched by its own
// agent; the monitor runs with the default heartbeat timeout and thresholds.
//   - a hung agent (SIGSTOP) while HAProxy's checks pass is "agent
//     unreachable" (a WARNING event naming the evidence), never DOWN, within
//     the heartbeat timeout plus about a second;
//   - the app stopped as well: HAProxy's check fails, so DOWN;
//   - app back and agent resumed: UP again;
//   - the app killed while its agent answers: DOWN within two agent reports.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePort, freePorts, isListening } from "@/lab/ports";
import { signal } from "@/lab/process";
import { startHaproxy, type HaproxyHandle } from "@/lab/haproxy";
import { agentConfig, parseConfig, type AgentConfigInput } from "@/agent/config";
import { startAgent, type RunningAgent } from "@/agent/server";
import { waitFor } from "@/agent/testing/client";
import { defaultConnectionOptions } from "@/worker/agent-connection";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "agent-unreachable-test", clientIp: null };
const children = new Set<ChildProcess>();
const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000) => waitFor(what, fn, timeoutMs, 25);

let appPort = 0;
let agentPort = 0;
let nodeId = "";
let dir = "";
let configFile = "";
let app: ChildProcess | null = null;
let agent: ChildProcess | null = null;
let lb: HaproxyHandle;
let lbAgent: RunningAgent;
let monitor: Monitor;
let recorder: Recorder;
/** Measured figures, printed at the end for the report. */
const figures: Record<string, number> = {};

function run(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { stdio: "ignore", cwd: process.cwd() });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

async function startApp() {
  app = run(["--import", "tsx", "demo/app-server.ts", "--port", String(appPort), "--name", "app-1"]);
  await until("the app server", () => isListening(appPort));
}

async function startNodeAgent() {
  agent = run(["bin/clusterdeck-agent.mjs", "--config", configFile]);
  await until("the agent", () => isListening(agentPort));
}

async function health() {
  const { db } = await import("@/lib/db");
  return (await db.node.findUniqueOrThrow({ where: { id: nodeId } })).health;
}

async function eventFor(kind: string, since: Date) {
  const { db } = await import("@/lib/db");
  return db.event.findFirst({ where: { subjectId: nodeId, kind, at: { gte: since } }, orderBy: { id: "desc" } });
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "agent-unreachable-test-secret-".padEnd(48, "x");
  resetEnvCache();
  [appPort, agentPort] = (await freePorts(2)) as [number, number];
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createNode } = await import("@/lib/inventory/nodes");
  const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
  const { addPoolMember } = await import("@/lib/inventory/pool");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "truthful", description: "", environment: "production" }, audit);
  const node = await createNode(
    { clusterId: cluster.id, name: "app-1", host: "127.0.0.1", port: appPort, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${agentPort}` },
    audit,
  );
  nodeId = node.id;
  // The node's agent as the console hands it out, with its default 1 s interval.
  const { config } = await issueAgentCredential("NODE", node.id, audit);
  dir = await mkdtemp(path.join(os.tmpdir(), "agent-unreachable-"));
  configFile = path.join(dir, "agent.json");
  await writeFile(configFile, JSON.stringify(agentConfig.parse(config)), { mode: 0o600 });
  await startApp();
  await startNodeAgent();

  lb = await startHaproxy({ backends: [{ name: "app", servers: [{ name: "app-1", host: "127.0.0.1", port: appPort }] }] });
  const lbRow = await createLoadBalancer(
    {
      clusterId: cluster.id,
      name: "edge",
      kind: "HAPROXY",
      tier: "SOFTWARE",
      host: "127.0.0.1",
      port: lb.frontendPort,
      agentUrl: `http://127.0.0.1:${await freePort()}`,
    },
    audit,
  );
  await addPoolMember(lbRow.id, { nodeId, weight: 100, backup: false }, audit);
  const { config: lbConfig } = await issueAgentCredential("LOAD_BALANCER", lbRow.id, audit);
  lbAgent = await startAgent(
    parseConfig({ ...lbConfig, haproxy: { socket: lb.socketPath, configFile: lb.configFile, pidFile: path.join(lb.dir, "haproxy.pid") } } as AgentConfigInput),
    { log: () => {} },
  );

  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  recorder = new Recorder(db);
  recorder.start();
  // The worker's own connection options and thresholds: the figures measured here are the product's.
  monitor = new Monitor(recorder, { refreshMs: 500, connection: defaultConnectionOptions });
  await monitor.start();
  await until("app-1 UP", async () => (await health()) === "UP");
}, 60_000);

afterAll(async () => {
  monitor?.stop();
  await recorder?.stop();
  for (const child of children) {
    signal(child.pid!, "SIGCONT");
    signal(child.pid!, "SIGKILL");
  }
  await lbAgent?.close();
  await lb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  console.log(`agent-unreachable figures (ms): ${JSON.stringify(figures)}`);
});

describe("a node whose agent does not answer", () => {
  it("is 'agent unreachable', not DOWN, while HAProxy's checks of it pass", async () => {
    const since = new Date();
    signal(agent!.pid!, "SIGSTOP");
    const hungAt = Date.now();
    const event = await until("health.unreachable", () => eventFor("health.unreachable", since));
    figures.hangToUnreachable = event.at.getTime() - hungAt;
    expect(event.severity).toBe("WARNING");
    expect(event.message).toMatch(/^app-1: agent unreachable; edge's health check still passes; agent at .*(hung|no answer|no snapshot)/);
    // The heartbeat timeout, then one more observation a second later (plus slack for a busy machine).
    expect(figures.hangToUnreachable).toBeGreaterThanOrEqual(defaultConnectionOptions.heartbeatTimeoutMs - 1000);
    expect(figures.hangToUnreachable).toBeLessThan(defaultConnectionOptions.heartbeatTimeoutMs + 2500);
    expect(await health()).toBe("UNREACHABLE");
    // It stays there while the app serves: a few more seconds of silence change nothing.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await health()).toBe("UNREACHABLE");
    expect(await eventFor("health.down", since)).toBeNull();
  });

  it("is DOWN once the app stops too (HAProxy's check fails), and UP again when both are back", async () => {
    const since = new Date();
    signal(app!.pid!, "SIGKILL");
    const stoppedAt = Date.now();
    const down = await until("health.down", () => eventFor("health.down", since));
    figures.appStopToDown = down.at.getTime() - stoppedAt;
    expect(down.severity).toBe("CRITICAL");
    expect(down.message).toMatch(/^app-1 is down: agent at .*; edge's health check: app\/app-1 L4CON/);
    // HAProxy's next check (2 s apart), then two observations a second apart.
    expect(figures.appStopToDown).toBeLessThan(5000);

    await startApp();
    signal(agent!.pid!, "SIGCONT");
    const resumedAt = Date.now();
    const up = await until("health.recovered", () => eventFor("health.recovered", since));
    figures.resumeToUp = up.at.getTime() - resumedAt;
    expect(up.message).toBe("app-1 is up again (was down)");
    expect(await health()).toBe("UP");
  });

  it("is DOWN within two agent reports when the app crashes while its agent answers", async () => {
    // Steady state first: a just-resumed agent may still be catching up on its reports.
    await new Promise((r) => setTimeout(r, 2000));
    const since = new Date();
    signal(app!.pid!, "SIGKILL");
    const killedAt = Date.now();
    const down = await until("health.down", () => eventFor("health.down", since));
    figures.crashToDown = down.at.getTime() - killedAt;
    expect(down.message).toMatch(/^app-1 is down/);
    // The agent's next collect sees it (1 s interval) and confirms it 100 ms later (agent/collector.ts CONFIRM_AFTER_MS).
    expect(figures.crashToDown).toBeLessThan(2500);
    expect(await eventFor("health.unreachable", since)).toBeNull();
    await startApp();
    await until("health.recovered", () => eventFor("health.recovered", since));
  });
});
