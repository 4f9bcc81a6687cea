// Protects: every Clusterdeck process logs the same way (lib/agent-protocol/log/writer.ts). A real
// agent (bin/clusterdeck-agent.mjs) and a real worker (worker/run.ts) are run as
// operators run them, watching a real app through a real database, and:
// - every line either writes, on stdout or stderr, is one JSON object whose
//   first fields are level (a word), time (ISO 8601), process, pid and msg;
// - the agent writes only to stderr;
// - a secret handed to them through a logged field (a password in the agent's
//   health URL, the worker's database password) never appears in clear, and
//   the field is there, masked;
// - their Prometheus /metrics pass `promtool check metrics`.
// The web process's lines and /metrics: e2e/api/logs.spec.ts (it needs the build).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { waitFor } from "@/agent/testing/client";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { MASK } from "@/lib/agent-protocol/mask";
import { freePorts, isListening } from "@/lab/ports";

const database = setupTestDatabase();
const audit = { actor: systemActor("test"), requestId: "process-logs-test", clientIp: null };
const consoleSecret = "process-logs-test-secret-".padEnd(48, "x");
/** In the agent's health URL (sent as Basic auth), and the worker's database password. */
const HEALTH_PASSWORD = "health-pw-Zq8rT4vX";
const DB_PASSWORD = "db-pw-Kp3wN7sY";
const METRICS_TOKEN = "process-logs-metrics-token-0123456789";

type Run = { name: string; child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<void> };
const runs: Run[] = [];

function run(name: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const r = { name, child, stdout: () => out, stderr: () => err, exited };
  runs.push(r);
  return r;
}

const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000) => waitFor(what, fn, timeoutMs, 50);

let agent: Run;
let worker: Run;
let agentPort = 0;
let workerMetricsPort = 0;
let nodeId = "";

beforeAll(async () => {
  process.env.CLUSTERDECK_SECRET = consoleSecret;
  resetEnvCache();
  const [appPort, port, metricsPort] = (await freePorts(3)) as [number, number, number];
  agentPort = port;
  workerMetricsPort = metricsPort;
  const inv = { ...(await import("@/lib/inventory/clusters")), ...(await import("@/lib/inventory/nodes")) };
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const cluster = await inv.createCluster({ name: "logs", description: "", environment: "production" }, audit);
  const node = await inv.createNode(
    { clusterId: cluster.id, name: "app-1", host: "127.0.0.1", port: appPort, weight: 100, capacity: 100, agentUrl: `http://127.0.0.1:${agentPort}` },
    audit,
  );
  nodeId = node.id;
  const { config } = await issueAgentCredential("NODE", node.id, audit);
  const dir = await mkdtemp(path.join(os.tmpdir(), "process-logs-"));
  const configFile = path.join(dir, "agent.json");
  const app = "app" in config ? config.app : {};
  await writeFile(
    configFile,
    JSON.stringify({
      ...config,
      intervalMs: 250,
      metricsToken: METRICS_TOKEN,
      app: { ...app, healthUrl: `http://probe:${HEALTH_PASSWORD}@127.0.0.1:${appPort}/health`, timeoutMs: 200 },
    }),
    { mode: 0o600 },
  );

  // The worker signs in as a role of its own, whose password is the secret to look for.
  const admin = new pg.Client({ connectionString: database.url() });
  await admin.connect();
  await admin.query(`CREATE ROLE log_worker LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}'`);
  await admin.end();
  const workerUrl = new URL(database.url());
  workerUrl.username = "log_worker";
  workerUrl.password = DB_PASSWORD;

  run("app", ["--import", "tsx", "demo/app-server.ts", "--port", String(appPort), "--name", "app-1"], process.env);
  agent = run("agent", ["bin/clusterdeck-agent.mjs", "--config", configFile], process.env);
  worker = run("worker", ["--conditions=react-server", "--import", "tsx", "worker/run.ts"], {
    ...process.env,
    DATABASE_URL: workerUrl.toString(),
    CLUSTERDECK_SECRET: consoleSecret,
    CLUSTERDECK_WORKER_METRICS_PORT: String(workerMetricsPort),
  });
  await until("app and agent", async () => (await isListening(appPort)) && (await isListening(agentPort))).catch((error: Error) => {
    throw new Error(`${error.message}\n${runs.map((r) => `${r.name}:\n${r.stdout().slice(-1500)}${r.stderr().slice(-1500)}`).join("\n")}`);
  });
}, 60_000);

afterAll(async () => {
  for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
});

/** The exposition passes promtool's own checker (Debian's prometheus package). */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (result.error) throw new Error(`promtool could not run (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

type Line = Record<string, unknown>;

/** Every non-empty line of a process's output, each required to be one JSON object. */
function lines(r: Run, text: string): Line[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(l);
      } catch {
        throw new Error(`${r.name}: a line that is not JSON: ${l.slice(0, 300)}`);
      }
      expect(parsed !== null && typeof parsed === "object" && !Array.isArray(parsed), `${r.name}: not an object: ${l.slice(0, 300)}`).toBe(true);
      return parsed as Line;
    });
}

function expectFormat(r: Run, all: Line[], role: string) {
  expect(all.length, `${r.name} wrote nothing`).toBeGreaterThan(0);
  for (const line of all) {
    const text = JSON.stringify(line).slice(0, 300);
    expect(Object.keys(line).slice(0, 5), text).toEqual(["level", "time", "process", "pid", "msg"]);
    expect(["debug", "info", "warn", "error", "fatal"], text).toContain(line.level);
    expect(line.time, text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line.process, text).toBe(role);
    expect(line.pid, text).toBe(r.child.pid);
    expect(typeof line.msg === "string" && line.msg.length > 0, text).toBe(true);
  }
}

it("agent and worker write one JSON object per line, with the same fields, secrets masked, and valid /metrics", async () => {
  const { db } = await import("@/lib/db");
  await until("the node to be watched", async () => (await db.node.findUniqueOrThrow({ where: { id: nodeId } })).health === "UP");

  // A refused request: a warn line from the agent.
  expect((await fetch(`http://127.0.0.1:${agentPort}/v1/status`)).status).toBe(401);

  const agentMetrics = await fetch(`http://127.0.0.1:${agentPort}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(agentMetrics.status).toBe(200);
  const agentText = await agentMetrics.text();
  expect(agentText).toMatch(/^clusterdeck_agent_refused_requests_total\{reason="missing"\} 1$/m);
  expect(agentText).toMatch(/^clusterdeck_app_sessions \d+$/m);
  const workerText = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  expect(workerText).toMatch(/^clusterdeck_worker_leader 1$/m);
  expect(workerText).toMatch(/^clusterdeck_worker_snapshots_total [1-9]\d*$/m);
  expect(workerText).toMatch(/^process_resident_memory_bytes \d+$/m);
  for (const [who, text] of [
    ["agent", agentText],
    ["worker", workerText],
  ] as const) {
    const check = promtoolCheck(text);
    expect(check.status, `${who}: promtool check metrics\n${check.output}`).toBe(0);
  }

  for (const r of [agent, worker]) r.child.kill("SIGTERM");
  await Promise.all([agent.exited, worker.exited]);

  const agentLines = lines(agent, agent.stderr());
  expect(agent.stdout(), "the agent's stdout is its supervisor's").toBe("");
  expectFormat(agent, agentLines, "agent");
  const agentMsgs = agentLines.map((l) => l.msg);
  for (const msg of ["agent started", "request refused", "stopping"]) expect(agentMsgs).toContain(msg);
  const started = agentLines.find((l) => l.msg === "agent started") as { settings: { healthUrl: string } };
  expect(started.settings.healthUrl).toBe(`http://probe:${MASK}@127.0.0.1:${new URL(started.settings.healthUrl.replace(MASK, "x")).port}/health`);

  const workerLines = [...lines(worker, worker.stdout()), ...lines(worker, worker.stderr())];
  expectFormat(worker, workerLines, "worker");
  const workerMsgs = workerLines.map((l) => l.msg);
  for (const msg of ["worker.started", "worker.elected", "worker.stopping"]) expect(workerMsgs).toContain(msg);
  const workerStarted = workerLines.find((l) => l.msg === "worker.started") as { database: string };
  expect(workerStarted.database).toContain(`log_worker:${MASK}@127.0.0.1:`);

  const everything = [agent, worker].map((r) => r.stdout() + r.stderr()).join("\n");
  for (const secret of [HEALTH_PASSWORD, DB_PASSWORD, METRICS_TOKEN, consoleSecret]) expect(everything).not.toContain(secret);
}, 90_000);
