// Protects: a database member follows the same truthful rule as an app node
// (issue 16), with the evidence there is for it: the worker's own probe of
// PostgreSQL's port, which must answer in PostgreSQL's protocol. A real
// PostgreSQL 15 and its agent in a process of its own; the monitor at its
// default timings.
//   - its agent hung (SIGSTOP) while PostgreSQL answers: "agent
//     unreachable", not DOWN;
//   - PostgreSQL frozen too (a hung host: the kernel still completes TCP
//     handshakes on its port): DOWN, so automatic failover is not held back
//     by a port that only looks alive; thawed, "agent unreachable" again;
//   - PostgreSQL stopped: the probe is refused, so DOWN;
//   - both back: UP.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { freePort, isListening } from "@/lab/ports";
import { signal } from "@/lab/process";
import { startPostgresPair, type PostgresPairHandle } from "@/lab/postgres";
import { waitFor } from "@/agent/testing/client";
import { defaultConnectionOptions } from "@/worker/agent-connection";
import type { Monitor } from "@/worker/monitor";
import type { Recorder } from "@/worker/recorder";

setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "agent-unreachable-db-test", clientIp: null };
const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000) => waitFor(what, fn, timeoutMs, 50);

let pair: PostgresPairHandle;
let dir = "";
let agent: ChildProcess | null = null;
let memberId = "";
let monitor: Monitor;
let recorder: Recorder;

async function health() {
  const { db } = await import("@/lib/db");
  return (await db.databaseInstance.findUniqueOrThrow({ where: { id: memberId } })).health;
}

async function eventFor(kind: string, since: Date) {
  const { db } = await import("@/lib/db");
  return db.event.findFirst({ where: { subjectId: memberId, kind, at: { gte: since } }, orderBy: { id: "desc" } });
}

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = "agent-unreachable-db-secret-".padEnd(48, "x");
  resetEnvCache();
  pair = await startPostgresPair();
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createDatabase } = await import("@/lib/inventory/databases");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const cluster = await createCluster({ name: "truthful-db", description: "", environment: "production" }, audit);
  const agentPort = await freePort();
  const row = await createDatabase(
    {
      clusterId: cluster.id,
      name: "pg-a",
      engine: "POSTGRESQL",
      host: "127.0.0.1",
      port: pair.primary.port,
      role: "PRIMARY",
      agentUrl: `http://127.0.0.1:${agentPort}`,
    },
    audit,
  );
  memberId = row.id;
  const { config } = await issueAgentCredential("DATABASE", row.id, audit);
  dir = await mkdtemp(path.join(os.tmpdir(), "agent-unreachable-db-"));
  const file = path.join(dir, "agent.json");
  await writeFile(file, JSON.stringify({ ...config, listen: { host: "127.0.0.1", port: agentPort }, postgres: { url: pair.primaryUrl, timeoutMs: 800 } }), {
    mode: 0o600,
  });
  agent = spawn(process.execPath, ["bin/clusterdeck-agent.mjs", "--config", file], { stdio: "ignore" });
  await until("the agent", () => isListening(agentPort));

  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  recorder = new Recorder(db);
  recorder.start();
  monitor = new Monitor(recorder, { connection: defaultConnectionOptions });
  await monitor.start();
  await until("pg-a UP", async () => (await health()) === "UP");
}, 90_000);

afterAll(async () => {
  monitor?.stop();
  await recorder?.stop();
  if (agent?.pid) {
    signal(agent.pid, "SIGCONT");
    signal(agent.pid, "SIGKILL");
  }
  await pair?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("is 'agent unreachable' while PostgreSQL's port answers, DOWN once it does not, UP when both are back", async () => {
  const since = new Date();
  signal(agent!.pid!, "SIGSTOP");
  const unreachable = await until("health.unreachable", () => eventFor("health.unreachable", since));
  expect(unreachable.severity).toBe("WARNING");
  expect(unreachable.message).toMatch(
    new RegExp(`^pg-a: agent unreachable; the worker's PostgreSQL-protocol probe of 127\\.0\\.0\\.1:${pair.primary.port} still passes; agent at `),
  );
  expect(await health()).toBe("UNREACHABLE");

  const postmaster = pair.primary.pid()!;
  signal(postmaster, "SIGSTOP");
  try {
    const frozen = await until("health.down", () => eventFor("health.down", since));
    expect(frozen.message).toMatch(
      /^pg-a is down: agent at .*; the worker's PostgreSQL-protocol probe of 127\.0\.0\.1:\d+: connected, but no PostgreSQL answer/,
    );
  } finally {
    signal(postmaster, "SIGCONT");
  }
  await until("agent unreachable again", async () => (await health()) === "UNREACHABLE");
  const afterThaw = new Date();

  await pair.primary.stop("fast");
  const down = await until("health.down", () => eventFor("health.down", afterThaw));
  expect(down.message).toMatch(/^pg-a is down: agent at .*; the worker's PostgreSQL-protocol probe of 127\.0\.0\.1:\d+: connection refused/);

  await pair.primary.start();
  signal(agent!.pid!, "SIGCONT");
  await until("health.recovered", () => eventFor("health.recovered", since));
  expect(await health()).toBe("UP");
}, 60_000);
