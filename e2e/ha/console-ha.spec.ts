// Protects: the console's own high availability (issue 6). Two web instances
// and two workers run against one PostgreSQL, as README "Production" says to
// run them, with real agents (lab/fleet.ts) enrolled through the API:
//   - killing the active worker (SIGKILL, mid-deployment) hands monitoring and
//     the deployment to the standby within 5 s, and no target is applied twice;
//   - a browser on the surviving web instance keeps receiving events after the
//     other web instance and the active worker are killed;
//   - a web instance, the workers and a deployment in flight that lose the
//     database while it restarts recover by themselves: API, live events, and
//     the deployment finishes with each target applied once;
//   - a drain waiting for sessions across a database restart finishes once
//     they end, DRAINED, with one operation.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, request, test, type APIRequestContext, type Browser } from "@playwright/test";
import { fleetControl } from "@/lab/fleet";
import { leaseHolder, logTail, query, startHaConsole, waitUntil, type HaConsole } from "@/lab/console";

test.describe.configure({ mode: "serial" });

const NODES = 4;
const TAKEOVER_MS = 5000;

let ha: HaConsole;
let api: APIRequestContext; // through web B, the instance that survives
// Short names for what every test uses.
let dbUrl: string;
let clusterId: string;
let nodeNames: string[];
let fleetPort: number;
const allNodesSeenAfter = (since: Date) => ha.allNodesSeenAfter(since);

test.beforeAll(async () => {
  test.setTimeout(180_000);
  ha = await startHaConsole({ dir: mkdtempSync(path.join(os.tmpdir(), "clusterdeck-ha-")), nodes: NODES });
  ({ dbUrl, clusterId, nodeNames, fleetPort } = ha);
  api = await request.newContext({ baseURL: ha.urlB, extraHTTPHeaders: { authorization: `Bearer ${ha.token}` } });
});

test.afterAll(async () => {
  await api?.dispose();
  await ha?.stop();
  if (ha) rmSync(ha.dir, { recursive: true, force: true });
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus || !ha) return;
  for (const p of [ha.webA, ha.webB, ...ha.workers]) await testInfo.attach(`${p.label}.log`, { body: logTail(p, 120), contentType: "text/plain" });
});

test("the standby worker takes over monitoring and a deployment in flight within 5 s, and applies nothing twice", async () => {
  test.setTimeout(90_000);
  const revision = await api.post(`/api/v1/config/scopes/app.${clusterId}/revisions`, {
    data: { input: { database: { url: "postgresql://app:app@127.0.0.1:5432/app" }, sessionIdleSeconds: 90 }, message: "HA takeover test" },
  });
  expect(revision.status(), await revision.text()).toBe(201);
  const deploy = await api.post(`/api/v1/config/revisions/${(await revision.json()).id}/deploy`, {
    data: { batchSize: 1, pauseSeconds: 2, reason: "HA takeover test" },
  });
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
  const newLeader = await waitUntil(
    "another worker to take the lease",
    async () => {
      const h = await leaseHolder(dbUrl);
      return h && h.holder !== leader!.holder ? h : null;
    },
    10_000,
    50,
  );
  const leaseMs = elapsed();
  const [operationMs, monitoringMs] = await Promise.all([
    waitUntil(
      "the new leader to hold the deployment",
      async () => {
        const [row] = await query<{ leaseOwner: string }>(dbUrl, `SELECT "leaseOwner" FROM "Operation" WHERE "id" = $1`, [operationId]);
        return row?.leaseOwner === newLeader.holder && elapsed();
      },
      10_000,
      50,
    ),
    waitUntil("every node seen by the new leader", async () => (await allNodesSeenAfter(killedAt)) && elapsed(), 10_000, 50),
  ]);
  console.log(`takeover after SIGKILL: lease ${leaseMs} ms, deployment ${operationMs} ms, every node seen again ${monitoringMs} ms`);
  expect(leaseMs).toBeLessThan(TAKEOVER_MS);
  expect(operationMs).toBeLessThan(TAKEOVER_MS);
  expect(monitoringMs).toBeLessThan(TAKEOVER_MS);

  await waitUntil(
    "the deployment to succeed",
    async () => {
      const [row] = await query<{ state: string }>(dbUrl, `SELECT "state" FROM "Operation" WHERE "id" = $1`, [operationId]);
      if (row?.state === "FAILED" || row?.state === "CANCELLED") throw new Error(`deployment ${row.state}`);
      return row?.state === "SUCCEEDED";
    },
    30_000,
    100,
  );
  const targets = await query<{ status: string }>(dbUrl, `SELECT "status" FROM "ConfigDeployment" WHERE "operationId" = $1`, [operationId]);
  expect(targets.map((t) => t.status)).toEqual(Array(NODES).fill("SUCCEEDED"));
  // Each agent reloaded its app exactly once: nothing was applied twice across the takeover.
  const reloads = await fleetControl<Record<string, number>>(fleetPort, "GET", "reloads");
  expect(reloads).toEqual(Object.fromEntries(nodeNames.map((n) => [n, 1])));

  // As systemd's Restart=always would: a replacement worker joins as the standby.
  ha.startWorker();
});

/** The admin, signed in on web B, watching the live events timeline. */
async function liveEventsOnWebB(browser: Browser) {
  const context = await browser.newContext({ baseURL: ha.urlB });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(ha.admin.email);
  await page.getByLabel("Password").fill(ha.admin.password);
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
  ha.webA.kill("SIGKILL");
  const leader = await leaseHolder(dbUrl);
  process.kill(leader!.pid, "SIGKILL");
  await ha.webA.exited;

  // An agent stops: the new leader sees it down, and the page on web B shows it without a reload.
  const victim = nodeNames[2]!;
  await fleetControl(fleetPort, "POST", `stop/${victim}`);
  await expect(page.getByTestId("events-table")).toContainText(`${victim} is down`, { timeout: 15_000 });
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  ha.startWorker();
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
  await waitUntil(
    "the first batch to finish",
    async () => {
      const rows = await query<{ status: string }>(dbUrl, `SELECT "status" FROM "ConfigDeployment" WHERE "operationId" = $1`, [operationId]);
      return rows.some((r) => r.status === "SUCCEEDED") && !rows.some((r) => r.status === "IN_PROGRESS");
    },
    30_000,
    20,
  );
  await ha.pg.primary.stop("fast");
  // Down for a while: the web instance says so instead of hanging or dying.
  await waitUntil("web B to report the database down", async () => (await fetch(`${ha.urlB}/api/v1/health`)).status === 503, 15_000, 250);
  await new Promise((r) => setTimeout(r, 3000));
  expect(ha.webB.alive()).toBe(true);
  await ha.pg.primary.start();
  const restartedAt = new Date();

  // No person involved from here on.
  await waitUntil("web B's API to answer again", async () => (await api.get(`/api/v1/nodes?clusterId=${clusterId}`)).status() === 200, 30_000, 250);
  await waitUntil("a worker to lead again", () => leaseHolder(dbUrl), 15_000, 250);
  await waitUntil("every node monitored again", () => allNodesSeenAfter(restartedAt), 30_000, 250);
  await waitUntil(
    "the deployment to finish",
    async () => {
      const [row] = await query<{ state: string }>(dbUrl, `SELECT "state" FROM "Operation" WHERE "id" = $1`, [operationId]);
      if (row?.state === "FAILED" || row?.state === "CANCELLED") throw new Error(`deployment ${row.state}`);
      return row?.state === "SUCCEEDED";
    },
    40_000,
    250,
  );
  const reloadsAfter = await fleetControl<Record<string, number>>(fleetPort, "GET", "reloads");
  expect(Object.fromEntries(nodeNames.map((n) => [n, reloadsAfter[n]! - reloadsBefore[n]!]))).toEqual(Object.fromEntries(nodeNames.map((n) => [n, 1])));

  // The page's stream came back too: an agent stopping now reaches it live.
  const another = nodeNames[3]!;
  await fleetControl(fleetPort, "POST", `stop/${another}`);
  await expect(page.getByTestId("events-table")).toContainText(`${another} is down`, { timeout: 20_000 });
  await expect(page.getByTestId("live-status")).toHaveText("Live");
  await fleetControl(fleetPort, "POST", `start/${another}`);
  expect(ha.webB.alive()).toBe(true);
  await context.close();
});

test("a drain in flight survives a database restart and finishes once its sessions end", async () => {
  test.setTimeout(120_000);
  const name = nodeNames[1]!;
  const [node] = await query<{ id: string }>(dbUrl, `SELECT "id" FROM "Node" WHERE "name" = $1`, [name]);
  await fleetControl(fleetPort, "POST", `sessions/${name}/40`);
  const drain = await api.post(`/api/v1/nodes/${node!.id}/drain`, {
    data: { reason: "HA: drain across a database restart", deadlineSeconds: 600, escalation: "none" },
  });
  expect(drain.status(), await drain.text()).toBe(202);
  const operationId: string = (await drain.json()).id;
  const apps = () => fleetControl<Record<string, { sessions: number; draining: boolean }>>(fleetPort, "GET", "apps");
  await waitUntil("the app told to drain", async () => (await apps())[name]!.draining, 20_000, 100);

  // Sessions still live: the drain waits for them while the database goes away and comes back.
  await ha.pg.primary.stop("fast");
  await new Promise((r) => setTimeout(r, 3000));
  await ha.pg.primary.start();
  await waitUntil("a worker to lead again", () => leaseHolder(dbUrl), 20_000, 250);
  const [during] = await query<{ state: string; adminState: string }>(
    dbUrl,
    `SELECT o."state", n."adminState" FROM "Operation" o JOIN "Node" n ON n."id" = o."subjectId" WHERE o."id" = $1`,
    [operationId],
  );
  expect(during).toEqual({ state: "RUNNING", adminState: "DRAINING" });

  // The users leave: the drain ends by itself, once, with the node DRAINED.
  await fleetControl(fleetPort, "POST", `sessions/${name}/0`);
  await waitUntil(
    "the drain to finish",
    async () => {
      const [row] = await query<{ state: string; error: string | null }>(dbUrl, `SELECT "state", "error" FROM "Operation" WHERE "id" = $1`, [operationId]);
      if (row?.state === "FAILED" || row?.state === "CANCELLED") throw new Error(`drain ${row.state}: ${row.error}`);
      return row?.state === "SUCCEEDED";
    },
    60_000,
    250,
  );
  const [after] = await query<{ adminState: string }>(dbUrl, `SELECT "adminState" FROM "Node" WHERE "id" = $1`, [node!.id]);
  expect(after!.adminState).toBe("DRAINED");
  expect((await apps())[name]!.draining).toBe(true);
  const drains = await query<{ n: string }>(dbUrl, `SELECT count(*) AS n FROM "Operation" WHERE "subjectId" = $1 AND "kind" = 'node.drain'`, [node!.id]);
  expect(Number(drains[0]!.n)).toBe(1);

  // And back into service, as an operator would.
  const resume = await api.post(`/api/v1/nodes/${node!.id}/resume`, { data: { reason: "HA: done", slowStartSeconds: 0 } });
  expect(resume.status(), await resume.text()).toBe(202);
  const resumeId: string = (await resume.json()).id;
  // The node turns ACTIVE as the resume's first step and the app is told next, so
  // the app is read once the operation has finished, not at the first ACTIVE.
  await waitUntil(
    "the resume to finish",
    async () => {
      const [row] = await query<{ state: string; error: string | null }>(dbUrl, `SELECT "state", "error" FROM "Operation" WHERE "id" = $1`, [resumeId]);
      if (row?.state === "FAILED" || row?.state === "CANCELLED") throw new Error(`resume ${row.state}: ${row.error}`);
      return row?.state === "SUCCEEDED";
    },
    30_000,
    250,
  );
  const [resumed] = await query<{ adminState: string }>(dbUrl, `SELECT "adminState" FROM "Node" WHERE "id" = $1`, [node!.id]);
  expect(resumed!.adminState).toBe("ACTIVE");
  expect((await apps())[name]!.draining).toBe(false);
});
