// One size's platform, from scratch: a throwaway PostgreSQL holding one
// cluster of N nodes (credentials and 15 minutes of 10 s samples each), the
// fleet simulator serving those N agents, and the real console
// (`clusterdeck start --no-build`, web + worker) watching them. Ready once
// every node is UP and fresh; stop() takes it all down again, and so does Ctrl-C.
import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { generateAgentSecret } from "@/lib/agent-protocol/signing";
import { waitFor } from "@/agent/testing/client";
import { query } from "@/lab/postgres";
import { procStat, REPO, spawnWithNofile } from "../common";

export const ADMIN = { email: "admin@scale.bench", password: "scale-bench-password-1" };

export type Stack = {
  n: number;
  baseURL: string;
  databaseUrl: string;
  /** The simulator: {type: "set-health", index, health} over IPC makes one agent report that health. */
  sim: ChildProcess;
  nodeIds: string[];
  workerPid: number;
  webPid: number | null;
  /** An ADMIN API token. */
  token: string;
  /** Something to close before the processes go (the browser). */
  onStop: (close: () => Promise<unknown>) => void;
  stop: () => Promise<void>;
};

// Ctrl-C (or a kill) must not leave a console, a simulator or a PostgreSQL behind.
let stopCurrent: (() => Promise<void>) | null = null;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void (stopCurrent?.() ?? Promise.resolve()).finally(() => process.exit(130)));
}

/** The process of a group (the console was started detached: its own group) whose command line matches. */
function findInGroup(pgid: number, match: (cmdline: string) => boolean): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (procStat(Number(entry))?.pgrp === pgid && match(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "))) return Number(entry);
    } catch {}
  }
  return null;
}

export async function startStack(n: number, settleMs: number): Promise<Stack> {
  const { startTestPostgres } = await import("@/lib/testing/embedded-pg");
  const { applyMigrations } = await import("@/lib/db/migrations");
  const { sealSecret } = await import("@/lib/agents/secret-box");
  const { freePort } = await import("@/lab/ports");
  const tmp = mkdtempSync(path.join(os.tmpdir(), `bench-scale-${n}-`));
  const started: ChildProcess[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const pgServer = await startTestPostgres();
  const stop = async () => {
    stopCurrent = null;
    for (const close of closers) await close().catch(() => {});
    for (const child of [...started].reverse()) {
      try {
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
    }
    await sleep(3000);
    for (const child of started) child.kill("SIGKILL");
    await pgServer.stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  };
  stopCurrent = stop;
  try {
    await applyMigrations({ databaseUrl: pgServer.url, migrationsDir: path.join(REPO, "prisma/migrations") });
    const consoleSecret = randomBytes(36).toString("base64url");
    const keys = Array.from({ length: n }, () => generateAgentSecret());

    // Simulator first: it picks its ports, the inventory points at them.
    const simFile = path.join(tmp, "sim.json");
    writeFileSync(simFile, JSON.stringify({ agents: keys, basePort: 20_000, intervalMs: 1000, metricsToken: randomBytes(24).toString("base64url") }), {
      mode: 0o600,
    });
    const sim = spawnWithNofile(3 * n + 512, process.execPath, ["--import", "tsx", path.join(REPO, "lab/sim-fleet.ts"), simFile], {
      cwd: REPO,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    started.push(sim);
    const ports = await new Promise<number[]>((resolve, reject) => {
      sim.once("message", (m) => resolve((m as { ports: number[] }).ports));
      sim.once("exit", (code) => reject(new Error(`simulator exited (${code})`)));
    });

    const nodeIds = keys.map((_, i) => `scale-node-${String(i).padStart(5, "0")}`);
    const cluster = (
      await query<{ id: string }>(
        pgServer.url,
        `INSERT INTO "Cluster" ("id", "name", "description", "environment", "updatedAt") VALUES ('scale-cluster', 'scale', '', 'bench', now()) RETURNING "id"`,
      )
    )[0]!;
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    for (let i = 0; i < n; i += 500) {
      const slice = nodeIds.slice(i, i + 500);
      await client.query(
        `INSERT INTO "Node" ("id", "clusterId", "name", "host", "port", "agentUrl", "health", "updatedAt")
         SELECT id, $1, name, host, 8080, url, 'UP', now() FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, name, host, url)`,
        [
          cluster.id,
          slice,
          slice.map((_, j) => `sim-app-${String(i + j).padStart(5, "0")}`),
          slice.map((_, j) => `10.0.${((i + j) >> 8) & 255}.${(i + j) & 255}`),
          slice.map((_, j) => `http://127.0.0.1:${ports[i + j]}`),
        ],
      );
      await client.query(
        `INSERT INTO "AgentCredential" ("id", "keyId", "secretCiphertext", "nodeId") SELECT gen_random_uuid()::text, k, s, id FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, s, id)`,
        [slice.map((_, j) => keys[i + j]!.keyId), slice.map((_, j) => sealSecret(keys[i + j]!.secret, consoleSecret)), slice],
      );
    }
    // 15 minutes of history per node, as a worker would have stored it.
    await client.query(`
      INSERT INTO "HealthSample" ("subjectType", "subjectId", "at", "resolution", "health", "sessions", "requestRate", "latencyMs", "cpu", "memory")
      SELECT 'NODE', n."id", ts, 'RAW', 'UP', (100 + random() * 300)::int, 20 + random() * 30, 5 + random() * 20, random() * 0.5, 0.4 + random() * 0.1
      FROM "Node" n, generate_series((now() AT TIME ZONE 'UTC') - interval '15 minutes', (now() AT TIME ZONE 'UTC') - interval '10 seconds', interval '10 seconds') ts`);
    await client.end();

    // The console, as production runs it.
    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATABASE_URL: pgServer.url,
      CLUSTERDECK_SECRET: consoleSecret,
      CLUSTERDECK_DATA_DIR: path.join(tmp, "console"),
      CLUSTERDECK_ADMIN_EMAIL: ADMIN.email,
      CLUSTERDECK_ADMIN_PASSWORD: ADMIN.password,
      NEXTAUTH_URL: baseURL,
      NEXT_TELEMETRY_DISABLED: "1",
    };
    const consoleProc = spawnWithNofile(n + 1024, process.execPath, ["bin/clusterdeck.mjs", "start", "--no-build", "--port", String(port)], {
      cwd: REPO,
      env,
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    });
    started.push(consoleProc);
    await waitFor("the console", async () => (await fetch(`${baseURL}/api/v1/health`)).ok, 120_000, 500);
    await waitFor(
      `all ${n} nodes UP and fresh`,
      async () =>
        Number(
          (
            await query<{ c: string }>(pgServer.url, `SELECT count(*) AS c FROM "Node" WHERE "health" = 'UP' AND "lastSeenAt" > now() - interval '5 seconds'`)
          )[0]!.c,
        ) === n,
      180_000,
      1000,
    );
    await sleep(settleMs);
    const holder = (await query<{ holder: string }>(pgServer.url, `SELECT "holder" FROM "WorkerLease" WHERE "name" = 'monitor'`))[0]!.holder;
    const workerPid = Number(holder.split(":")[1]);
    // The web process names itself "clusterdeck-web" (bin/front-server.mjs); the worker is the lease holder.
    const webPid = findInGroup(consoleProc.pid!, (cmd) => cmd.startsWith("clusterdeck-web") || /front-server\.mjs/.test(cmd));
    const token = JSON.parse(
      spawnSync(process.execPath, ["bin/clusterdeck.mjs", "tokens", "create", "--name", "bench", "--role", "ADMIN", "--owner", ADMIN.email, "--json"], {
        cwd: REPO,
        env,
        encoding: "utf8",
      }).stdout,
    ).token as string;
    return {
      n,
      baseURL,
      databaseUrl: pgServer.url,
      sim,
      nodeIds,
      workerPid,
      webPid,
      token,
      onStop: (close) => void closers.push(close),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
