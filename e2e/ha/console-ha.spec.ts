// Protects: the console's own high availability (issue 6). Two web instances
// and two workers run against one PostgreSQL, as README "Production" says to
// run them, with real agents (lab/fleet.ts) enrolled through the API:
//   - killing the active worker (SIGKILL, mid-deployment) hands monitoring and
//     the deployment to the standby within 5 s, and no target is applied twice;
//   - a browser on the surviving web instance keeps receiving events after the
//     other web instance and the active worker are killed;
//   - a web instance, the workers and a deployment in flight that lose the
//     database while it restarts recover by themselves: API, live events, and
//     the deployment finishes with each target applied once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request, test, type APIRequestContext, type Browser } from "@playwright/test";
import { startPostgresPair, type PostgresPairHandle } from "@/lab/postgres";
import { freePorts } from "@/lab/ports";
import { fleetControl, type FleetAgent } from "@/lab/fleet";
import { healthy, leaseHolder, logTail, query, spawnCli, stopAll, waitUntil, type ConsoleProcess } from "./console";

test.describe.configure({ mode: "serial" });

const ADMIN = { email: "admin@ha.test", password: "admin-password-ha-1" };
const NODES = 4;
const TAKEOVER_MS = 5000;

let dir: string;
let pair: PostgresPairHandle;
let dbUrl: string;
let fleet: ChildProcess | undefined;
let fleetPort: number;
let webA: ConsoleProcess;
let webB: ConsoleProcess;
const workers: ConsoleProcess[] = [];
const webs: ConsoleProcess[] = [];
let urlA: string;
let urlB: string;
let api: APIRequestContext; // through web B, the instance that survives
let clusterId: string;
let nodeNames: string[] = [];
let baseEnv: NodeJS.ProcessEnv;

function consoleEnv(name: string, url: string): NodeJS.ProcessEnv {
  return { ...baseEnv, CLUSTERDECK_DATA_DIR: path.join(dir, name), NEXTAUTH_URL: url };
}

function startWorker(): ConsoleProcess {
  const worker = spawnCli(`worker-${workers.length + 1}`, ["worker"], consoleEnv(`worker-${workers.length + 1}`, urlA), dir);
  workers.push(worker);
  return worker;
}

/** True once every node is UP and seen after `since`; otherwise throws what is missing (shown on timeout). */
async function allNodesSeenAfter(since: Date): Promise<boolean> {
  const rows = await query<{ name: string; health: string; fresh: boolean }>(dbUrl, `SELECT "name", "health", coalesce("lastSeenAt" > $2, false) AS fresh FROM "Node" WHERE "clusterId" = $1 ORDER BY "name"`, [clusterId, since]);
  const missing = rows.filter((r) => r.health !== "UP" || !r.fresh);
  if (rows.length === NODES && missing.length === 0) return true;
  throw new Error(`not yet: ${missing.map((r) => `${r.name} ${r.health}${r.fresh ? "" : " (not seen since)"}`).join(", ")}`);
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  dir = mkdtempSync(path.join(os.tmpdir(), "clusterdeck-ha-"));
  pair = await startPostgresPair({ dir: path.join(dir, "pg") });
  await query(pair.primaryUrl, "CREATE DATABASE clusterdeck");
  const u = new URL(pair.primaryUrl);
  u.pathname = "/clusterdeck";
  dbUrl = u.toString();

  const [portA, portB, appPort, ...agentPorts] = await freePorts(3 + NODES);
  urlA = `http://127.0.0.1:${portA}`;
  urlB = `http://127.0.0.1:${portB}`;
  fleetPort = appPort!;
  baseEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    CLUSTERDECK_SECRET: "ha-test-secret-shared-by-every-instance-0123456789",
    CLUSTERDECK_ADMIN_EMAIL: ADMIN.email,
    CLUSTERDECK_ADMIN_PASSWORD: ADMIN.password,
    NEXT_TELEMETRY_DISABLED: "1",
  };

  // The first web instance migrates and creates the admin; the second finds both done.
  webA = spawnCli("web-a", ["start", "--no-build", "--no-worker", "--port", String(portA)], consoleEnv("web-a", urlA), dir);
  webs.push(webA);
  await waitUntil("web A to answer", () => healthy(urlA), 90_000, 250);
  webB = spawnCli("web-b", ["start", "--no-build", "--no-worker", "--port", String(portB)], consoleEnv("web-b", urlB), dir);
  webs.push(webB);
  await waitUntil("web B to answer", () => healthy(urlB), 90_000, 250);

  // An admin token from the CLI, then the inventory through the API, as an operator would enrol a fleet.
  const token = await new Promise<string>((resolve, reject) => {
    const cli = spawn(process.execPath, ["bin/clusterdeck.mjs", "tokens", "create", "--name", "ha", "--role", "ADMIN", "--owner", ADMIN.email, "--json"], { env: consoleEnv("cli", urlA), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    cli.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    cli.once("exit", (code) => (code === 0 ? resolve((JSON.parse(out) as { token: string }).token) : reject(new Error(`tokens create exited ${code}`))));
  });
  api = await request.newContext({ baseURL: urlB, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const cluster = await api.post("/api/v1/clusters", { data: { name: "ha" } });
  expect(cluster.status(), await cluster.text()).toBe(201);
  clusterId = (await cluster.json()).id;
  const agents: FleetAgent[] = [];
  for (let i = 0; i < NODES; i++) {
    const name = `ha-app-${i + 1}`;
    const node = await api.post("/api/v1/nodes", { data: { clusterId, name, host: "127.0.0.1", port: 10_000 + i, agentUrl: `http://127.0.0.1:${agentPorts[i]}` } });
    expect(node.status(), await node.text()).toBe(201);
    const credential = await api.post(`/api/v1/nodes/${(await node.json()).id}/agent-credential`, { data: {} });
    expect(credential.status(), await credential.text()).toBe(201);
    const { keyId, secret } = await credential.json();
    agents.push({ name, port: agentPorts[i]!, keyId, secret });
  }
  nodeNames = agents.map((a) => a.name);
  const fleetFile = path.join(dir, "fleet.json");
  writeFileSync(fleetFile, JSON.stringify({ dir, appPort: fleetPort, agents }), { mode: 0o600 });
  fleet = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "lab/fleet.ts", "--config", fleetFile], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    fleet!.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve());
    fleet!.once("exit", (code) => reject(new Error(`fleet exited (${code})`)));
  });

  startWorker();
  startWorker();
  await waitUntil("every node monitored and UP", () => allNodesSeenAfter(new Date(0)), 60_000, 250);
});

test.afterAll(async () => {
  await api?.dispose();
  await stopAll([...workers, ...webs]);
  fleet?.kill("SIGTERM");
  await pair?.stop().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const p of [...webs, ...workers]) await testInfo.attach(`${p.label}.log`, { body: logTail(p, 120), contentType: "text/plain" });
});

test("the standby worker takes over monitoring and a deployment in flight within 5 s, and applies nothing twice", async () => {
  test.setTimeout(90_000);
  const revision = await api.post(`/api/v1/config/scopes/app.${clusterId}/revisions`, {
    data: { input: { database: { url: "postgresql://app:app@127.0.0.1:5432/app" }, sessionIdleSeconds: 90 }, message: "HA takeover test" },
  });
  expect(revision.status(), await revision.text()).toBe(201);
  const deploy = await api.post(`/api/v1/config/revisions/${(await revision.json()).id}/deploy`, { data: { batchSize: 1, pauseSeconds: 2, reason: "HA takeover test" } });
  expect(deploy.status(), await deploy.text()).toBe(202);
  const operationId: string = (await deploy.json()).id;

  // Kill the leader while the deployment pauses between batches: one target done, none in flight.
  await waitUntil(
    "the first batch to finish",
    async () => {
      const rows = await query<{ status: string }>(dbUrl, `SELECT "status" FROM "ConfigDeployment" WHERE "operationId" = $1`, [operationId]);
      return rows.some((r) => r.status === "SUCCEEDED") && !rows.some((r) => r.status === "IN_PROGRESS");
    },
    30_000,
    20,
  );
  const leader = await leaseHolder(dbUrl);
  expect(leader).not.toBeNull();
  const [before] = await query<{ leaseOwner: string }>(dbUrl, `SELECT "leaseOwner" FROM "Operation" WHERE "id" = $1`, [operationId]);
  expect(before!.leaseOwner).toBe(leader!.holder);
  const killedAt = new Date();
  process.kill(leader!.pid, "SIGKILL");

  // Three clocks from the kill, read side by side: lease, deployment, monitoring.
  const since = (t0: Date) => () => Date.now() - t0.getTime();
  const elapsed = since(killedAt);
  const newLeader = await waitUntil("another worker to take the lease", async () => {
    const h = await leaseHolder(dbUrl);
    return h && h.holder !== leader!.holder ? h : null;
  }, 10_000, 50);
  const leaseMs = elapsed();
  const [operationMs, monitoringMs] = await Promise.all([
    waitUntil("the new leader to hold the deployment", async () => {
      const [row] = await query<{ leaseOwner: string }>(dbUrl, `SELECT "leaseOwner" FROM "Operation" WHERE "id" = $1`, [operationId]);
      return row?.leaseOwner === newLeader.holder && elapsed();
    }, 10_000, 50),
    waitUntil("every node seen by the new leader", async () => (await allNodesSeenAfter(killedAt)) && elapsed(), 10_000, 50),
  ]);
  console.log(`takeover after SIGKILL: lease ${leaseMs} ms, deployment ${operationMs} ms, every node seen again ${monitoringMs} ms`);
  expect(leaseMs).toBeLessThan(TAKEOVER_MS);
  expect(operationMs).toBeLessThan(TAKEOVER_MS);
  expect(monitoringMs).toBeLessThan(TAKEOVER_MS);

  await waitUntil("the deployment to succeed", async () => {
    const [row] = await query<{ state: string }>(dbUrl, `SELECT "state" FROM "Operation" WHERE "id" = $1`, [operationId]);
    if (row?.state === "FAILED" || row?.state === "CANCELLED") throw new Error(`deployment ${row.state}`);
    return row?.state === "SUCCEEDED";
  }, 30_000, 100);
  const targets = await query<{ status: string }>(dbUrl, `SELECT "status" FROM "ConfigDeployment" WHERE "operationId" = $1`, [operationId]);
  expect(targets.map((t) => t.status)).toEqual(Array(NODES).fill("SUCCEEDED"));
  // Each agent reloaded its app exactly once: nothing was applied twice across the takeover.
  const reloads = await fleetControl<Record<string, number>>(fleetPort, "GET", "reloads");
  expect(reloads).toEqual(Object.fromEntries(nodeNames.map((n) => [n, 1])));

  // As systemd's Restart=always would: a replacement worker joins as the standby.
  startWorker();
});

/** The admin, signed in on web B, watching the live events timeline. */
async function liveEventsOnWebB(browser: Browser) {
  const context = await browser.newContext({ baseURL: urlB });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/events");
  await expect(page.getByTestId("live-status")).toHaveText("Live", { timeout: 10_000 });
  return { context, page };
}

test("a browser on the surviving web instance keeps receiving events", async ({ browser }) => {
  test.setTimeout(90_000);
  const { context, page } = await liveEventsOnWebB(browser);

  // Web A and the active worker die together (a host lost).
  webA.kill("SIGKILL");
  const leader = await leaseHolder(dbUrl);
  process.kill(leader!.pid, "SIGKILL");
  await webA.exited;

  // An agent stops: the new leader sees it down, and the page on web B shows it without a reload.
  const victim = nodeNames[2]!;
  await fleetControl(fleetPort, "POST", `stop/${victim}`);
  await expect(page.getByTestId("events-table")).toContainText(`${victim} is down`, { timeout: 15_000 });
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  startWorker();
  await context.close();
});

async function deployRevision(message: string, pauseSeconds: number): Promise<string> {
  const revision = await api.post(`/api/v1/config/scopes/app.${clusterId}/revisions`, {
    data: { input: { database: { url: "postgresql://app:app@127.0.0.1:5432/app" }, sessionIdleSeconds: 60 + Math.floor(Math.random() * 1000) }, message },
  });
  expect(revision.status(), await revision.text()).toBe(201);
  const deploy = await api.post(`/api/v1/config/revisions/${(await revision.json()).id}/deploy`, { data: { batchSize: 1, pauseSeconds, reason: message } });
  expect(deploy.status(), await deploy.text()).toBe(202);
  return (await deploy.json()).id;
}

test("a web instance, the workers and a deployment in flight recover by themselves when the database restarts", async ({ browser }) => {
  test.setTimeout(120_000);
  const victim = nodeNames[2]!;
  const restarted = new Date();
  await fleetControl(fleetPort, "POST", `start/${victim}`);
  await waitUntil("every node UP", () => allNodesSeenAfter(restarted), 30_000, 250);
  const { context, page } = await liveEventsOnWebB(browser);

  // A deployment pauses between batches when the database goes away.
  const reloadsBefore = await fleetControl<Record<string, number>>(fleetPort, "GET", "reloads");
  const operationId = await deployRevision("deployed across a database restart", 3);
  await waitUntil("the first batch to finish", async () => {
    const rows = await query<{ status: string }>(dbUrl, `SELECT "status" FROM "ConfigDeployment" WHERE "operationId" = $1`, [operationId]);
    return rows.some((r) => r.status === "SUCCEEDED") && !rows.some((r) => r.status === "IN_PROGRESS");
  }, 30_000, 20);
  await pair.primary.stop("fast");
  // Down for a while: the web instance says so instead of hanging or dying.
  await waitUntil("web B to report the database down", async () => (await fetch(`${urlB}/api/v1/health`)).status === 503, 15_000, 250);
  await new Promise((r) => setTimeout(r, 3000));
  expect(webB.alive()).toBe(true);
  await pair.primary.start();
  const restartedAt = new Date();

  // No person involved from here on.
  await waitUntil("web B's API to answer again", async () => (await api.get(`/api/v1/nodes?clusterId=${clusterId}`)).status() === 200, 30_000, 250);
  await waitUntil("a worker to lead again", () => leaseHolder(dbUrl), 15_000, 250);
  await waitUntil("every node monitored again", () => allNodesSeenAfter(restartedAt), 30_000, 250);
  await waitUntil("the deployment to finish", async () => {
    const [row] = await query<{ state: string }>(dbUrl, `SELECT "state" FROM "Operation" WHERE "id" = $1`, [operationId]);
    if (row?.state === "FAILED" || row?.state === "CANCELLED") throw new Error(`deployment ${row.state}`);
    return row?.state === "SUCCEEDED";
  }, 40_000, 250);
  const reloadsAfter = await fleetControl<Record<string, number>>(fleetPort, "GET", "reloads");
  expect(Object.fromEntries(nodeNames.map((n) => [n, reloadsAfter[n]! - reloadsBefore[n]!]))).toEqual(Object.fromEntries(nodeNames.map((n) => [n, 1])));

  // The page's stream came back too: an agent stopping now reaches it live.
  const another = nodeNames[3]!;
  await fleetControl(fleetPort, "POST", `stop/${another}`);
  await expect(page.getByTestId("events-table")).toContainText(`${another} is down`, { timeout: 20_000 });
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  await fleetControl(fleetPort, "POST", `start/${another}`);
  expect(webB.alive()).toBe(true);
  await context.close();
});
