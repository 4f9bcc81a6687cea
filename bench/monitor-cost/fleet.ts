// The fleet being watched: a throwaway PostgreSQL holding one cluster of N
// nodes with their agent credentials, and the fleet simulator serving those N
// agents. Both the worker and Prometheus are pointed at it (worker.ts,
// prometheus.ts); nothing here is measured.
import path from "node:path";
import type { SimConfig, SimStats } from "@/lab/sim-fleet";
import { writeFileSync } from "node:fs";
import { findPostmaster, REPO, spawnWithNofile } from "../common";
import type { Lifecycle } from "./lifecycle";

export type AgentKey = { keyId: string; secret: string };

/** Starts and migrates a throwaway PostgreSQL; its postmaster pid is what PostgreSQL's CPU is read from. */
export async function startDatabase(run: Lifecycle): Promise<{ url: string; postmaster: number | null }> {
  const t0 = Date.now();
  const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
  const { applyMigrations } = await import("@/lib/db/migrations");
  const pgInst = await startTestPostgres();
  run.onStop(() => pgInst.stop().catch((e) => console.error(`  stopping PostgreSQL: ${String(e)}`)));
  await applyMigrations({ databaseUrl: pgInst.url, migrationsDir: path.join(REPO, "prisma/migrations") });
  const pgPort = Number(new URL(pgInst.url).port);
  const postmaster = findPostmaster(pgPort);
  console.log(`PostgreSQL on 127.0.0.1:${pgPort} (postmaster pid ${postmaster ?? "?"}), migrated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { url: pgInst.url, postmaster };
}

export type Simulator = { pid: number; exitCode: () => number | null; ports: number[]; stats: () => Promise<SimStats> };

/**
 * The fleet simulator (lab/sim-fleet.ts) in its own process: main.ts re-run
 * with --simulator, one agent per key on ports from basePort upwards. It
 * answers "stats" over its IPC channel with its counters.
 */
export async function startSimulator(run: Lifecycle, opts: { keys: AgentKey[]; basePort: number; metricsToken: string; nofile: number }): Promise<Simulator> {
  const N = opts.keys.length;
  const simConfigFile = path.join(run.tmp, "simulator.json");
  writeFileSync(
    simConfigFile,
    JSON.stringify({ agents: opts.keys, basePort: opts.basePort, intervalMs: 1000, metricsToken: opts.metricsToken } satisfies SimConfig),
    {
      mode: 0o600,
    },
  );
  const sim = run.adopt(
    "simulator",
    spawnWithNofile(opts.nofile, process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "main.ts"), "--simulator", simConfigFile], {
      cwd: REPO,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  const simMessages: ((m: { type: string; [k: string]: unknown }) => void)[] = [];
  sim.on("message", (m) => {
    const msg = m as { type: string };
    simMessages.splice(0).forEach((cb) => cb(msg));
  });
  const nextSimMessage = (timeoutMs: number) =>
    new Promise<{ type: string; [k: string]: unknown }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the simulator did not answer")), timeoutMs);
      simMessages.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  const simExited = new Promise<never>((_, reject) => sim.once("exit", (code, sig) => reject(new Error(`the simulator exited (${code ?? sig})`))));
  simExited.catch(() => {});
  const ready = (await Promise.race([nextSimMessage(120_000), simExited])) as { type: string; ports: number[] };
  if (ready.type !== "ready" || ready.ports.length !== N) throw new Error(`simulator: unexpected ${JSON.stringify(ready).slice(0, 200)}`);
  const ports = ready.ports;
  console.log(`simulator pid ${sim.pid}: ${N} agents on 127.0.0.1:${ports[0]}…${ports[ports.length - 1]}`);
  return {
    pid: sim.pid!,
    exitCode: () => sim.exitCode,
    ports,
    stats: async () => {
      const p = nextSimMessage(10_000);
      sim.send("stats");
      return ((await p) as unknown as { stats: SimStats }).stats;
    },
  };
}

/**
 * One cluster, N nodes whose agentUrl points at the simulator's agents, and N
 * agent credentials sealed with the console secret exactly as enrolment stores them.
 */
export async function seedInventory(
  run: Lifecycle,
  databaseUrl: string,
  opts: { keys: AgentKey[]; ports: number[]; consoleSecret: string; initialHealth: "UP" | "UNKNOWN" },
): Promise<void> {
  const { keys, ports, consoleSecret, initialHealth } = opts;
  const N = keys.length;
  const { createPrismaClient } = await import("@/lib/db/client");
  const { sealSecret } = await import("@/lib/agents/secret-box");
  const db = createPrismaClient(databaseUrl);
  run.onStop(() => db.$disconnect().catch(() => {}));
  const cluster = await db.cluster.create({ data: { name: "bench-fleet", description: "monitor-cost benchmark" } });
  const nodeIds = keys.map((_, i) => `bench-node-${String(i).padStart(5, "0")}`);
  for (let i = 0; i < N; i += 1000) {
    const slice = nodeIds.slice(i, i + 1000);
    await db.node.createMany({
      data: slice.map((id, j) => ({
        id,
        clusterId: cluster.id,
        name: `sim-app-${String(i + j).padStart(5, "0")}`,
        host: `10.${((i + j) >> 16) & 255}.${((i + j) >> 8) & 255}.${(i + j) & 255}`,
        port: 8080,
        agentUrl: `http://127.0.0.1:${ports[i + j]}`,
        health: initialHealth,
      })),
    });
    await db.agentCredential.createMany({
      data: slice.map((nodeId, j) => ({ keyId: keys[i + j]!.keyId, secretCiphertext: sealSecret(keys[i + j]!.secret, consoleSecret), nodeId })),
    });
  }
  console.log(`inventory: cluster ${cluster.id}, ${N} nodes (stored health ${initialHealth}), ${N} credentials`);
}
