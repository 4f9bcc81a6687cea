// Protects: automatic failover fires fast on a real crash and never on a
// false alarm (issue 15). Everything is real: PostgreSQL 15 pairs, each
// member's agent in its own process (so they keep working while this one is
// blocked), the worker's pieces (Monitor, Recorder, AutoFailover,
// OperationRunner with the promotion) in this process, and the console's own
// database a lab PostgreSQL this test can restart. The worker reaches each
// agent through a TCP relay the test can cut, as a network fault between the
// console and the servers would.
//   - kill -9 of the primary: exactly one promotion, the first write on the
//     new primary within 3 s;
//   - a worker stall longer than the heartbeat timeout and CONFIRM_MS: the
//     primary is never taken as silent, nothing promoted;
//   - the console cut off from every agent and from the primary's port while
//     the replica still streams: the primary is DOWN to the console (not
//     "agent unreachable": the worker's own probe of its port fails too),
//     nothing promoted;
//   - the console's database restarting: nothing promoted;
//   - an operator's promotion while automatic failover is armed (its fence
//     stops the primary, as a crash would look): exactly one promotion;
//   - a partition (the primary's processes stopped, sockets open, as `lab
//     hang` does) with wal_receiver_timeout deployed as a cluster setting:
//     failover not before that timeout, within the worst case the page shows.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { systemActor } from "@/lib/common/actor";
import { applyMigrations } from "@/lib/db/migrations";
import { DEFAULT_PG_BIN_DIR, query, startPostgresPair, type PostgresPairHandle } from "@/lab/postgres";
import { freePort, isListening } from "@/lab/ports";
import { waitFor } from "@/agent/testing/client";
import type { Monitor } from "@/worker/monitor";

const audit = { actor: systemActor("test"), requestId: "auto-failover-alarms", clientIp: null };
const cleanups: (() => Promise<unknown> | void)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let consoleDb: PostgresPairHandle;
let monitor: Monitor;

/** A TCP relay to one agent; cut() drops every connection and swallows new ones (no answer, no refusal). */
function relay(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    if (cut) return;
    const upstream = net.connect(targetPort, "127.0.0.1");
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: (port: number) => new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r())),
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      cut = false;
    },
    close: () => new Promise<void>((r) => (server.close(() => r()), [...sockets].forEach((s) => s.destroy()))),
  };
}

type Armed = {
  pair: PostgresPairHandle;
  clusterId: string;
  primaryId: string;
  replicaId: string;
  relays: ReturnType<typeof relay>[];
};

/** A fresh pair, each member's agent a process of its own at production's 1 s interval, behind a relay; automatic failover on. */
async function armedPair(name: string): Promise<Armed> {
  const { db } = await import("@/lib/db");
  const { createCluster } = await import("@/lib/inventory/clusters");
  const { createDatabase } = await import("@/lib/inventory/databases");
  const { issueAgentCredential } = await import("@/lib/agents/service");
  const pair = await startPostgresPair();
  cleanups.push(() => pair.stop());
  const dir = mkdtempSync(path.join(os.tmpdir(), "failover-alarms-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const cluster = await createCluster({ name, description: "", environment: "production" }, audit);
  const ids: string[] = [];
  const relays: ReturnType<typeof relay>[] = [];
  for (const [member, role, server, url] of [
    ["pg-a", "PRIMARY", pair.primary, pair.primaryUrl],
    ["pg-b", "REPLICA", pair.replica, pair.replicaUrl],
  ] as const) {
    const relayPort = await freePort();
    const row = await createDatabase(
      { clusterId: cluster.id, name: member, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${relayPort}` },
      audit,
    );
    ids.push(row.id);
    const { config } = await issueAgentCredential("DATABASE", row.id, audit);
    const agentPort = await freePort();
    const file = path.join(dir, `${member}.json`);
    // It may stop its server: an operator's promotion fences the old primary by stopping it.
    const stop = { pgCtl: path.join(DEFAULT_PG_BIN_DIR, "pg_ctl"), dataDir: server.dataDir, runAs: "postgres" };
    writeFileSync(
      file,
      JSON.stringify({ ...config, listen: { host: "127.0.0.1", port: agentPort }, intervalMs: 1000, postgres: { url, timeoutMs: 800, stop } }),
      { mode: 0o600 },
    );
    const agent: ChildProcess = spawn(process.execPath, ["bin/clusterdeck-agent.mjs", "--config", file], { stdio: "ignore" });
    cleanups.push(() => void agent.kill("SIGKILL"));
    await waitFor(`${member}'s agent`, () => isListening(agentPort), 15_000, 50);
    const r = relay(agentPort);
    await r.listen(relayPort);
    cleanups.push(() => r.close());
    relays.push(r);
  }
  await monitor.refresh();
  await waitFor("both UP", async () => (await db.databaseInstance.count({ where: { clusterId: cluster.id, health: "UP" } })) === 2, 20_000, 100);
  await db.cluster.update({ where: { id: cluster.id }, data: { autoFailover: true } });
  return { pair, clusterId: cluster.id, primaryId: ids[0]!, replicaId: ids[1]!, relays };
}

async function promotions(clusterId: string) {
  const { db } = await import("@/lib/db");
  return db.operation.count({ where: { kind: "db.promote", subjectId: clusterId } });
}

async function disarm(a: Armed) {
  const { db } = await import("@/lib/db");
  await db.cluster.update({ where: { id: a.clusterId }, data: { autoFailover: false } });
}

beforeAll(async () => {
  // The console's database is a server this test can restart.
  consoleDb = await startPostgresPair();
  cleanups.push(() => consoleDb.stop());
  await query(consoleDb.primaryUrl, "CREATE DATABASE clusterdeck");
  const url = consoleDb.primaryUrl.replace(/\/[^/?]*(\?|$)/, "/clusterdeck$1");
  await applyMigrations({ databaseUrl: url, migrationsDir: path.resolve("prisma/migrations") });
  process.env.DATABASE_URL = url;
  process.env.CLUSTERDECK_SECRET = "auto-failover-alarms-secret-".padEnd(48, "x");
  resetEnvCache();
  const { db } = await import("@/lib/db");
  const { OperationRunner } = await import("@/worker/operations");
  const { promoteExecutor } = await import("@/worker/db-ops");
  const { Recorder } = await import("@/worker/recorder");
  const { Monitor } = await import("@/worker/monitor");
  const { AutoFailover } = await import("@/worker/auto-failover");
  const { deployExecutor } = await import("@/worker/deploy");
  const runner = new OperationRunner(db, "alarms-worker", { "db.promote": promoteExecutor(), "config.deploy": deployExecutor() }, { listenUrl: url });
  runner.start();
  const recorder = new Recorder(db);
  recorder.start();
  monitor = new Monitor(recorder, { refreshMs: 1000 });
  await monitor.start();
  const auto = new AutoFailover(db, { primaryView: (id) => monitor.postgresView(id) });
  auto.start();
  cleanups.push(
    () => db.$disconnect(),
    () => runner.stop(),
    () => recorder.stop(),
    () => monitor.stop(),
    () => auto.stop(),
  );
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 120_000);

it("kill -9 of the primary: one promotion, the first write on the new primary within 3 s", async () => {
  const { db } = await import("@/lib/db");
  const a = await armedPair("crash");
  const t0 = performance.now();
  await a.pair.primary.kill();
  let firstWrite = NaN;
  for (;;) {
    const c = new pg.Client({ connectionString: a.pair.replicaUrl, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query("CREATE TABLE IF NOT EXISTS probe (id int)");
      firstWrite = performance.now() - t0;
      break;
    } catch {
      if (performance.now() - t0 > 30_000) break;
      await sleep(10);
    } finally {
      await c.end().catch(() => {});
    }
  }
  console.log(`kill -9 → first write on the new primary: ${firstWrite.toFixed(0)} ms`);
  expect(firstWrite).toBeLessThanOrEqual(3000);
  const op = await waitFor(
    "the promotion to finish",
    async () => {
      const o = await db.operation.findFirst({ where: { kind: "db.promote", subjectId: a.clusterId } });
      return o && (o.state === "SUCCEEDED" || o.state === "FAILED") ? o : null;
    },
    30_000,
    100,
  );
  expect(op.state, op.error ?? "").toBe("SUCCEEDED");
  expect(op.reason).toMatch(/its agent reports PostgreSQL down/);
  await sleep(3000);
  expect(await promotions(a.clusterId)).toBe(1);
  await disarm(a);
}, 120_000);

it("a worker stall longer than the heartbeat timeout and CONFIRM_MS is not the primary's silence", async () => {
  const { db } = await import("@/lib/db");
  const a = await armedPair("stall");
  const since = new Date();
  // The event loop blocked for 6 s, as a GC pause, SIGSTOP or an overloaded host would: every timer fires late.
  const until = Date.now() + 6000;
  while (Date.now() < until);
  await sleep(4000);
  expect(await db.event.count({ where: { subjectId: a.primaryId, kind: "health.down", at: { gte: since } } })).toBe(0);
  expect(monitor.postgresView(a.primaryId)).toEqual({ answering: true, downSpanMs: null });
  expect(await promotions(a.clusterId)).toBe(0);
  await disarm(a);
}, 120_000);

it("the console cut off from every agent while the replica streams: DOWN to the console, nothing promoted", async () => {
  const { db } = await import("@/lib/db");
  const a = await armedPair("cut");
  // A cut loses the worker's own TCP probe of PostgreSQL too (its evidence while the agent is silent):
  // the inventory's address of the primary is made one nothing listens on, for the length of the cut.
  await db.databaseInstance.update({ where: { id: a.primaryId }, data: { port: await freePort() } });
  await monitor.refresh();
  for (const r of a.relays) r.cut();
  await waitFor(
    "the primary DOWN to the console",
    async () => (await db.databaseInstance.findUniqueOrThrow({ where: { id: a.primaryId } })).health === "DOWN",
    20_000,
    100,
  );
  // Past CONFIRM_MS and several checks.
  await sleep(6000);
  expect(await promotions(a.clusterId)).toBe(0);
  for (const r of a.relays) r.heal();
  await db.databaseInstance.update({ where: { id: a.primaryId }, data: { port: a.pair.primary.port } });
  await waitFor("the primary UP again", async () => (await db.databaseInstance.findUniqueOrThrow({ where: { id: a.primaryId } })).health === "UP", 20_000, 100);
  expect(await promotions(a.clusterId)).toBe(0);
  await disarm(a);
}, 120_000);

it("the console's own database restarting promotes nothing", async () => {
  const { db } = await import("@/lib/db");
  const a = await armedPair("console-restart");
  await consoleDb.primary.stop("fast");
  await sleep(4000);
  await consoleDb.primary.start();
  await waitFor("the console's database back", async () => (await db.cluster.count().catch(() => -1)) >= 0, 20_000, 200);
  await sleep(5000);
  expect(await promotions(a.clusterId)).toBe(0);
  expect((await db.databaseInstance.findUniqueOrThrow({ where: { id: a.primaryId } })).health).toBe("UP");
  await disarm(a);
}, 120_000);

it("an operator's promotion while automatic failover is armed: exactly one promotion", async () => {
  const { db } = await import("@/lib/db");
  const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
  const a = await armedPair("manual");
  const check = await promotionCheck(a.clusterId);
  const op = await startPromotion(
    a.clusterId,
    { candidateId: a.replicaId, expectedPrimaryId: check.primaryId, generation: check.cluster.generation, reason: "planned", force: false },
    audit,
    null,
  );
  const done = await waitFor(
    "the operator's promotion to finish",
    async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: op.id } });
      return o.state === "SUCCEEDED" || o.state === "FAILED" ? o : null;
    },
    60_000,
    100,
  );
  expect(done.state, done.error ?? "").toBe("SUCCEEDED");
  // The fenced, stopped old primary now looks like a crash to its agent: still nothing more.
  await sleep(5000);
  expect(await promotions(a.clusterId)).toBe(1);
  expect(await db.event.count({ where: { kind: "db.failover-held", subjectId: a.clusterId } })).toBe(0);
  await disarm(a);
}, 120_000);

/** The postmaster and every process under it. */
function processTree(root: number): number[] {
  const all = [root];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === root) all.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

it("a partition (the primary's processes stopped, sockets open): failover within the worst case the cluster page shows", async () => {
  const { db } = await import("@/lib/db");
  const a = await armedPair("partition");
  // The cluster's managed PostgreSQL settings, deployed through the agents (ALTER SYSTEM and a reload on each member).
  const { createRevision } = await import("@/lib/config/revisions");
  const { startDeployment } = await import("@/lib/config/deployments");
  const { clusterPartitionWorstCase } = await import("@/lib/operations/failover-bound");
  const rev = await createRevision(`postgres.${a.clusterId}`, { input: { settings: { wal_receiver_timeout: "5s" } }, message: "fail over sooner" }, audit);
  const dep = await startDeployment(rev.id, { batchSize: 2, pauseSeconds: 0, reason: "test" }, audit, null);
  await waitFor("the deployment", async () => (await db.operation.findUniqueOrThrow({ where: { id: dep.id } })).state === "SUCCEEDED", 30_000, 100);
  expect((await query<{ wal_receiver_timeout: string }>(a.pair.replicaUrl, "SHOW wal_receiver_timeout"))[0]!.wal_receiver_timeout).toBe("5s");
  const shown = await clusterPartitionWorstCase(a.clusterId);
  if (shown.bounded !== true) throw new Error(`no bound shown: ${JSON.stringify(shown)}`);
  expect(shown.walReceiverTimeoutMs).toBe(5000);
  const stopped = processTree(a.pair.primary.pid()!);
  cleanups.push(() => stopped.forEach((p) => void process.kill(p, "SIGCONT")));
  const t0 = performance.now();
  for (const p of stopped) process.kill(p, "SIGSTOP");
  let firstWrite = NaN;
  while (performance.now() - t0 < 60_000) {
    const c = new pg.Client({ connectionString: a.pair.replicaUrl, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query("CREATE TABLE IF NOT EXISTS probe (id int)");
      firstWrite = performance.now() - t0;
      break;
    } catch {
      await sleep(20);
    } finally {
      await c.end().catch(() => {});
    }
  }
  console.log(`partition → first write on the new primary: ${firstWrite.toFixed(0)} ms (worst case shown ${shown.worstCaseMs} ms)`);
  // The replica cannot tell before its timeout: a promotion earlier would have been on the agent's word alone.
  expect(firstWrite).toBeGreaterThanOrEqual(shown.walReceiverTimeoutMs);
  expect(firstWrite).toBeLessThanOrEqual(shown.worstCaseMs);
  const op = await waitFor(
    "the promotion to finish",
    async () => {
      const o = await db.operation.findFirst({ where: { kind: "db.promote", subjectId: a.clusterId } });
      return o && (o.state === "SUCCEEDED" || o.state === "FAILED") ? o : null;
    },
    60_000,
    100,
  );
  expect(op.state, op.error ?? "").toBe("SUCCEEDED");
  expect(await promotions(a.clusterId)).toBe(1);
  await disarm(a);
}, 120_000);
