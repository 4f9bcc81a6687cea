// Promote benchmark (issue 5): promotion through the console against a bare
// pg_promote() on an identical pair, in the same run.
//
//   npm run bench -- promote [--runs 5] [--smoke] [--json PATH]
//
// --smoke: one run (--runs given still wins).
//
// Each run starts two fresh streaming pairs (lab/postgres.ts, PostgreSQL 15):
//   - baseline pair: `SELECT pg_promote()` on the replica, then a write loop
//     until the first INSERT commits there. Time: call → first commit.
//   - console pair, with an agent beside each member, two demo app servers
//     writing through their settings files, and the worker's operation runner:
//     startPromotion() (what POST /clusters/{id}/promote calls) → the first
//     INSERT committed on the new primary by a direct client polling it
//     (fence, promote, verify included), and → the moment every app node
//     writes to the new primary (its /stats names the new port).
// Targets: console → first commit at most 3× the bare pg_promote(); every
// app node on the new primary within 1 s of the first commit.
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { median, RESULT_OPTIONS, writeResults, runningParts, benchConsole } from "./common";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { running, stopDownTo } = runningParts();

/** The probe table, made on the primary (so the replica has it by replication). */
async function createProbe(primaryUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: primaryUrl });
  await c.connect();
  await c.query("CREATE TABLE IF NOT EXISTS bench_probe (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())");
  await c.end();
}

/** Polls INSERTs on url until one commits; returns when (performance.now()). */
async function firstCommit(url: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      try {
        await client.query("INSERT INTO bench_probe DEFAULT VALUES");
        return performance.now();
      } catch {
        if (performance.now() > deadline) throw new Error("no commit on the new primary in time");
        await sleep(2);
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function main() {
  const { values } = parseArgs({ options: { runs: { type: "string" }, ...RESULT_OPTIONS } });
  const runs = Number(values.runs ?? (values.smoke ? 1 : 5));
  if (!(runs > 0)) throw new Error("--runs must be a positive number");
  const { freePort } = await import("@/lab/ports");
  const { startPostgresPair } = await import("@/lab/postgres");
  const { makeLabDir, removeDir } = await import("@/lab/dirs");
  const { startAppServer } = await import("@/demo/app-server");
  const { parseConfig } = await import("@/agent/config");
  const { startAgent } = await import("@/agent/server");
  const { canonicalJson } = await import("@/lib/agent-protocol/config/checksum");

  const bare: number[] = [];
  const viaConsole: number[] = [];
  const appsLag: number[] = [];
  try {
    const console_ = await benchConsole("promote", running);
    const { db } = await import("@/lib/db");
    const { systemActor } = await import("@/lib/common/actor");
    const audit = { actor: systemActor("bench"), requestId: "bench-promote", clientIp: null };
    const { createCluster } = await import("@/lib/inventory/clusters");
    const { createNode } = await import("@/lib/inventory/nodes");
    const { createDatabase } = await import("@/lib/inventory/databases");
    const { issueAgentCredential } = await import("@/lib/agents/service");
    const { createRevision } = await import("@/lib/config/revisions");

    const { startDeployment } = await import("@/lib/config/deployments");
    const { promotionCheck, startPromotion } = await import("@/lib/operations/databases");
    const { OperationRunner } = await import("@/worker/operations");
    const { deployExecutor } = await import("@/worker/deploy");
    const { promoteExecutor } = await import("@/worker/db-ops");
    const runner = new OperationRunner(db, "bench-worker", { "config.deploy": deployExecutor(), "db.promote": promoteExecutor() }, { listenUrl: console_.url });
    runner.start();
    running.unshift(() => runner.stop());

    console.log(`Clusterdeck promote benchmark: ${runs} runs, each on two fresh streaming pairs (PostgreSQL 15)`);
    console.log(
      `host: ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}, node ${process.version}`,
    );
    for (let r = 0; r < runs; r++) {
      // --- baseline: bare pg_promote() ---------------------------------------
      const depth = running.length;
      const base = await startPostgresPair({ synchronous: true });
      running.unshift(() => base.stop());
      try {
        await createProbe(base.primaryUrl);
        await sleep(500);
        const t0 = performance.now();
        const c = new pg.Client({ connectionString: base.replicaUrl });
        await c.connect();
        const committed = firstCommit(base.replicaUrl);
        await c.query("SELECT pg_promote(true, 60)");
        await c.end();
        bare.push((await committed) - t0);
      } finally {
        await stopDownTo(depth);
      }

      // --- the console --------------------------------------------------------
      const pair = await startPostgresPair({ synchronous: true });
      running.unshift(() => pair.stop());
      const dir = await makeLabDir("bench-promote");
      running.unshift(() => removeDir(dir));
      try {
        const cluster = await createCluster({ name: `bench-${r}`, description: "", environment: "bench" }, audit);
        // Each agent's port is picked just before that agent binds it: a port
        // picked earlier can be handed to a port-0 server started in between.
        let replicaId = "";
        for (const [name, role, server, url] of [
          ["pg-primary", "PRIMARY", pair.primary, pair.primaryUrl],
          ["pg-replica", "REPLICA", pair.replica, pair.replicaUrl],
        ] as const) {
          const port = await freePort();
          const row = await createDatabase(
            { clusterId: cluster.id, name, engine: "POSTGRESQL", host: "127.0.0.1", port: server.port, role, agentUrl: `http://127.0.0.1:${port}` },
            audit,
          );
          if (role === "REPLICA") replicaId = row.id;
          const { config } = await issueAgentCredential("DATABASE", row.id, audit);
          const agent = await startAgent(parseConfig({ ...config, intervalMs: 250, postgres: { url } } as never), { log: () => {} });
          running.unshift(() => agent.close());
        }
        const settings = canonicalJson({ database: { url: pair.primaryUrl }, sessionIdleSeconds: 60, logLevel: "info" });
        const apps = [];
        for (let i = 0; i < 2; i++) {
          const settingsFile = path.join(dir, `app-${i + 1}.json`);
          await writeFile(settingsFile, settings, { mode: 0o600 });
          const app = await startAppServer({ port: 0, name: `app-${i + 1}`, settingsFile });
          running.unshift(() => app.close());
          apps.push(app);
          const agentPort = await freePort();
          const node = await createNode(
            {
              clusterId: cluster.id,
              name: `app-${i + 1}`,
              host: "127.0.0.1",
              port: app.port,
              weight: 100,
              capacity: 100,
              agentUrl: `http://127.0.0.1:${agentPort}`,
            },
            audit,
          );
          const { config } = await issueAgentCredential("NODE", node.id, audit);
          const agent = await startAgent(
            parseConfig({
              ...config,
              intervalMs: 250,
              app: { ...(config as { app: object }).app, timeoutMs: 200, settingsFile, reloadUrl: `${app.url}/admin/reload` },
            } as never),
            { log: () => {} },
          );
          running.unshift(() => agent.close());
        }
        const rev = await createRevision(`app.${cluster.id}`, { input: JSON.parse(settings), message: "bench" }, audit);
        const dep = await startDeployment(rev.id, { batchSize: 2, pauseSeconds: 0, reason: "bench" }, audit, null);
        while ((await db.operation.findUniqueOrThrow({ where: { id: dep.id } })).state !== "SUCCEEDED") await sleep(50);

        await createProbe(pair.primaryUrl);
        await sleep(500);
        const check = await promotionCheck(cluster.id);
        const t0 = performance.now();
        const committed = firstCommit(pair.replicaUrl);
        const started = await startPromotion(
          cluster.id,
          { candidateId: replicaId, expectedPrimaryId: check.primaryId, generation: check.cluster.generation, reason: "bench", force: false },
          audit,
          null,
        );
        const requestedAt = performance.now();
        const firstAt = await committed;
        viaConsole.push(firstAt - t0);
        // Every app node on the new primary: its stats name the new port.
        for (;;) {
          const all = await Promise.all(
            apps.map(async (a) => ((await (await fetch(`${a.url}/stats`)).json()) as { db: string }).db.includes(`:${pair.replica.port}/`)),
          );
          if (all.every(Boolean)) break;
          if (performance.now() - firstAt > 30_000) throw new Error("apps never moved");
          await sleep(5);
        }
        appsLag.push(performance.now() - firstAt);
        // Where the time went: the operation's own step times, from the request's return.
        const op = await db.operation.findUniqueOrThrow({ where: { id: started.id }, select: { steps: true } });
        const steps = op.steps as { at: string; step: string }[];
        const base = Date.parse(steps[0]!.at);
        console.log(
          `  checks + request ${(requestedAt - t0).toFixed(0)} ms; then ${steps
            .slice(1)
            .map((s) => `${s.step} +${Date.parse(s.at) - base}`)
            .join(", ")} ms`,
        );
        console.log(
          `run ${r + 1}: bare pg_promote → first commit ${bare.at(-1)!.toFixed(0)} ms · console → first commit ${viaConsole.at(-1)!.toFixed(0)} ms · apps on the new primary ${appsLag.at(-1)!.toFixed(0)} ms after`,
        );
      } finally {
        await stopDownTo(depth);
      }
    }
  } finally {
    await stopDownTo(0);
  }
  const ratios = viaConsole.map((v, i) => v / bare[i]!);
  console.log(`\n=== ${runs} runs (median) ===`);
  console.log(`bare pg_promote() → first commit:   ${median(bare).toFixed(0)} ms`);
  console.log(`console promotion → first commit:   ${median(viaConsole).toFixed(0)} ms (fence, promote, verify included)`);
  console.log(`ratio console/bare (per run, median): ${median(ratios).toFixed(2)}`);
  console.log(`apps on the new primary, after its first commit: median ${median(appsLag).toFixed(0)} ms, max ${Math.max(...appsLag).toFixed(0)} ms`);
  console.log(
    `Targets: ratio ≤ 3 → ${median(ratios) <= 3 ? "MET" : "NOT MET"}; every app node within 1 s → ${Math.max(...appsLag) <= 1000 ? "MET" : "NOT MET"}`,
  );
  const bareFigure = { name: "bare pg_promote() → first commit", unit: "ms", values: bare };
  writeResults(
    {
      name: "promote",
      params: { runs },
      figures: [
        { name: "console promotion → first commit", unit: "ms", values: viaConsole },
        bareFigure,
        { name: "every app node on the new primary, after its first commit", unit: "ms", values: appsLag },
      ],
      baseline: bareFigure,
      ratio: median(ratios),
      ratioOf: "console / bare pg_promote(), per run, then median",
      extra: { ratioTarget: median(ratios) <= 3, appsWithin1s: Math.max(...appsLag) <= 1000 },
    },
    values,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
