// Drain benchmark (issue 5): how fast a drain reaches HAProxy, and whether a
// drain under load fails any request.
//
//   npm run bench -- drain [--runs 20] [--clients 12] [--smoke] [--json PATH]
//
// --smoke: 2 runs, 4 clients (flags given still win).
//
// What runs (all on 127.0.0.1, stopped at the end): a throwaway PostgreSQL
// (migrated), three demo app servers with sticky sessions, a real HAProxy
// running the console's own rendered configuration, an agent beside each
// (app role, and one haproxy role), and in this process the leader worker's
// pieces: monitor, recorder and operation runner (waking on LISTEN, as in
// production). Clients with their own cookies hit HAProxy all along.
//
// Each run drains app-2 through the console (lib/operations/nodes.ts, what
// POST /api/v1/nodes/{id}/drain calls) and times, from the call, until
// HAProxy's runtime API shows app-2 in DRAIN (polled every 2 ms). The
// baseline, in the same run: the same state change sent straight to HAProxy's
// runtime socket (`set server … state drain`), timed the same way, so the
// ratio is what the console adds (operation row, audit, wake-up, claim,
// signed agent call). Between runs app-2 is resumed through the console.
// Failed client requests are counted over the whole benchmark (target 0).
//
// Targets: drain → DRAIN median under 100 ms; zero failed requests.
import path from "node:path";
import os from "node:os";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { RESULT_OPTIONS, writeResults } from "./common";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main() {
  const { values } = parseArgs({ options: { runs: { type: "string" }, clients: { type: "string" }, ...RESULT_OPTIONS } });
  const runs = Number(values.runs ?? (values.smoke ? 2 : 20));
  const clientCount = Number(values.clients ?? (values.smoke ? 4 : 12));
  if (!(runs > 0 && clientCount > 0)) throw new Error("--runs and --clients must be positive numbers");
  const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
  const { applyMigrations } = await import("@/lib/db/migrations");
  const { resetEnvCache } = await import("@/lib/env");
  const { freePort } = await import("@/lab/ports");
  const { startHaproxy } = await import("@/lab/haproxy");
  const { startAppServer } = await import("@/demo/app-server");
  const { parseConfig } = await import("@/agent/config");
  const { startAgent } = await import("@/agent/server");

  const pgServer = await startTestPostgres();
  const stops: (() => Promise<unknown>)[] = [() => pgServer.stop()];
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const s of stops) await s().catch(() => {});
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  try {
    await applyMigrations({ databaseUrl: pgServer.url, migrationsDir: path.join(REPO, "prisma/migrations") });
    process.env.DATABASE_URL = pgServer.url;
    process.env.CLUSTERDECK_SECRET = "bench-drain-secret-".padEnd(48, "x");
    resetEnvCache();
    const { db } = await import("@/lib/db");
    const { systemActor } = await import("@/lib/common/actor");
    const audit = { actor: systemActor("bench"), requestId: "bench-drain", clientIp: null };
    const { createCluster } = await import("@/lib/inventory/clusters");
    const { createLoadBalancer } = await import("@/lib/inventory/load-balancers");
    const { createNode } = await import("@/lib/inventory/nodes");
    const { addPoolMember } = await import("@/lib/inventory/pool");
    const { issueAgentCredential } = await import("@/lib/agents/service");
    const { createRevision } = await import("@/lib/config/revisions");

    const { startDeployment } = await import("@/lib/config/deployments");
    const { startNodeOperation } = await import("@/lib/operations/nodes");

    console.log(`Clusterdeck drain benchmark: ${runs} drains of app-2 under load (${clientCount} sticky clients + arrivals)`);
    console.log(
      `host: ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}, node ${process.version}`,
    );
    const cluster = await createCluster({ name: "bench", description: "", environment: "bench" }, audit);
    // Each agent's port is picked just before that agent binds it: a port
    // picked earlier can be handed to a port-0 server started in between.
    const nodes: { id: string; name: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const app = await startAppServer({ port: 0, name: `app-${i + 1}`, sessionIdleMs: 2000 });
      stops.unshift(() => app.close());
      const agentPort = await freePort();
      const node = await createNode(
        {
          clusterId: cluster.id,
          name: `app-${i + 1}`,
          host: "127.0.0.1",
          port: app.port,
          weight: 100,
          capacity: 1000,
          agentUrl: `http://127.0.0.1:${agentPort}`,
        },
        audit,
      );
      const { config } = await issueAgentCredential("NODE", node.id, audit);
      const agent = await startAgent(
        parseConfig({
          ...config,
          intervalMs: 250,
          app: { ...(config as { app: object }).app, timeoutMs: 200, settingsFile: undefined, reloadUrl: undefined },
        } as never),
        { log: () => {} },
      );
      stops.unshift(() => agent.close());
      nodes.push({ id: node.id, name: node.name });
    }
    const apps = await db.node.findMany({ where: { clusterId: cluster.id }, orderBy: { name: "asc" } });
    const lb = await startHaproxy({
      backends: [{ name: "be_edge", servers: apps.map((a) => ({ name: a.name, host: "127.0.0.1", port: a.port })) }],
      checkIntervalMs: 200,
    });
    stops.unshift(() => lb.stop());
    const lbAgentPort = await freePort();
    const lbRow = await createLoadBalancer(
      {
        clusterId: cluster.id,
        name: "edge",
        kind: "HAPROXY",
        tier: "SOFTWARE",
        host: "127.0.0.1",
        port: lb.frontendPort,
        agentUrl: `http://127.0.0.1:${lbAgentPort}`,
      },
      audit,
    );
    for (const n of nodes) await addPoolMember(lbRow.id, { nodeId: n.id, weight: 100, backup: false }, audit);
    const { config: lbConfig } = await issueAgentCredential("LOAD_BALANCER", lbRow.id, audit);
    const pidFile = path.join(lb.dir, "haproxy.pid");
    const lbAgent = await startAgent(
      parseConfig({ ...lbConfig, intervalMs: 250, haproxy: { socket: lb.socketPath, configFile: lb.configFile, pidFile } } as never),
      { log: () => {} },
    );
    stops.unshift(() => lbAgent.close());

    const { OperationRunner } = await import("@/worker/operations");
    const { deployExecutor } = await import("@/worker/deploy");
    const { drainExecutor, resumeExecutor, maintenanceExecutor } = await import("@/worker/node-ops");
    const { Recorder } = await import("@/worker/recorder");
    const { Monitor } = await import("@/worker/monitor");
    const runner = new OperationRunner(
      db,
      "bench-worker",
      { "config.deploy": deployExecutor(), "node.drain": drainExecutor, "node.resume": resumeExecutor, "node.maintenance": maintenanceExecutor },
      { listenUrl: pgServer.url },
    );
    runner.start();
    const recorder = new Recorder(db);
    recorder.start();
    const monitor = new Monitor(recorder, {});
    await monitor.start();
    stops.unshift(async () => {
      monitor.stop();
      await recorder.stop();
      await runner.stop();
    });

    const waitOp = async (id: string, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const op = await db.operation.findUniqueOrThrow({ where: { id }, select: { state: true, error: true } });
        if (op.state === "SUCCEEDED") return;
        if (op.state === "FAILED" || op.state === "CANCELLED") throw new Error(`operation ${op.state}: ${op.error}`);
        if (Date.now() > until) throw new Error("operation did not end in time");
        await sleep(50);
      }
    };
    // HAProxy runs the console's configuration.
    const rev = await createRevision(
      `haproxy.${lbRow.id}`,
      { input: { healthCheck: { interMs: 200 }, slowstartSeconds: 0 } as never, message: "bench" },
      audit,
    );
    await waitOp((await startDeployment(rev.id, { batchSize: 1, pauseSeconds: 0, reason: "bench" }, audit, null)).id);
    for (;;) {
      if ((await db.node.count({ where: { clusterId: cluster.id, health: "UP" } })) === 3) break;
      await sleep(100);
    }

    // Sticky clients (cookies kept) and newcomers, for the whole benchmark.
    let stop = false;
    let requests = 0;
    const failures: string[] = [];
    const client = async () => {
      const cookies = new Map<string, string>();
      while (!stop) {
        try {
          const res = await fetch(`${lb.url}/`, { headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
          for (const c of res.headers.getSetCookie()) {
            const [k, v] = c.split(";")[0]!.split("=");
            if (k && v !== undefined) cookies.set(k.trim(), v.trim());
          }
          await res.arrayBuffer();
          requests++;
          if (res.status !== 200) failures.push(`HTTP ${res.status}`);
        } catch (error) {
          requests++;
          failures.push(String(error));
        }
        // A newcomer now and then: forget the cookies.
        if (Math.random() < 0.05) cookies.clear();
        await sleep(50);
      }
    };
    const clients = Array.from({ length: clientCount }, () => client());

    const drainBit = async () => {
      const line = (await lb.command("show servers state be_edge")).split("\n").find((l) => l.includes(" app-2 "));
      return line ? (Number(line.split(" ")[6]) & 0x08) === 0x08 : false;
    };
    const timeUntilDrain = async (t0: number) => {
      for (;;) {
        if (await drainBit()) return performance.now() - t0;
        if (performance.now() - t0 > 10_000) throw new Error("no DRAIN within 10 s");
        await sleep(2);
      }
    };
    const consoleMs: number[] = [];
    const bareMs: number[] = [];
    await sleep(2000);
    for (let r = 0; r < runs; r++) {
      // Baseline: the state change straight on HAProxy's socket, then back.
      let t0 = performance.now();
      await lb.command("set server be_edge/app-2 state drain");
      bareMs.push(await timeUntilDrain(t0));
      await lb.command("set server be_edge/app-2 state ready");
      await sleep(300);
      // The console: a drain operation (deadline 5 s, then end the sessions), then resume.
      t0 = performance.now();
      const op = await startNodeOperation(
        nodes[1]!.id,
        { kind: "node.drain", body: { reason: `bench run ${r + 1}`, deadlineSeconds: 5, escalation: "end-sessions", force: false } },
        audit,
        null,
      );
      consoleMs.push(await timeUntilDrain(t0));
      await waitOp(op.id);
      const resume = await startNodeOperation(nodes[1]!.id, { kind: "node.resume", body: { reason: "bench", slowStartSeconds: 0 } }, audit, null);
      await waitOp(resume.id);
      process.stdout.write(
        `run ${String(r + 1).padStart(2)}: console ${consoleMs.at(-1)!.toFixed(1)} ms · bare ${bareMs.at(-1)!.toFixed(1)} ms · requests so far ${requests}, failed ${failures.length}\n`,
      );
      await sleep(500);
    }
    stop = true;
    await Promise.all(clients);

    const ratios = consoleMs.map((c, i) => c / Math.max(0.5, bareMs[i]!));
    console.log(`\n=== ${runs} drains (ms from the request until HAProxy shows DRAIN) ===\n`);
    console.log("            median     p90     max");
    console.log(
      `console   ${quantile(consoleMs, 0.5).toFixed(1).padStart(7)} ${quantile(consoleMs, 0.9).toFixed(1).padStart(7)} ${Math.max(...consoleMs)
        .toFixed(1)
        .padStart(7)}`,
    );
    console.log(
      `bare      ${quantile(bareMs, 0.5).toFixed(1).padStart(7)} ${quantile(bareMs, 0.9).toFixed(1).padStart(7)} ${Math.max(...bareMs)
        .toFixed(1)
        .padStart(7)}`,
    );
    console.log(`ratio console/bare (per run, median): ${quantile(ratios, 0.5).toFixed(1)}`);
    console.log(`\nclient requests during the benchmark: ${requests}, failed: ${failures.length}${failures.length ? ` (first: ${failures[0]})` : ""}`);
    console.log(
      `Targets: drain → DRAIN median < 100 ms: ${quantile(consoleMs, 0.5).toFixed(1)} ms → ${quantile(consoleMs, 0.5) < 100 ? "MET" : "NOT MET"}; zero failed requests: ${failures.length === 0 ? "MET" : "NOT MET"}`,
    );
    const bareFigure = { name: "bare runtime API: set server state drain → DRAIN", unit: "ms", values: bareMs };
    writeResults(
      {
        name: "drain",
        params: { runs, clients: clientCount },
        figures: [{ name: "console drain → HAProxy DRAIN", unit: "ms", values: consoleMs }, bareFigure],
        baseline: bareFigure,
        ratio: quantile(ratios, 0.5),
        ratioOf: "console / bare (bare at least 0.5 ms), per run, then median (upper middle for an even count)",
        extra: { requests, failedRequests: failures.length, firstFailure: failures[0] ?? null, consoleP90: quantile(consoleMs, 0.9) },
      },
      values,
    );
    await db.$disconnect();
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
