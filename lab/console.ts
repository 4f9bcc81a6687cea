// A highly available console as production runs it (README "Production"):
// several `clusterdeck start --no-worker` web instances and several
// `clusterdeck worker` processes against one PostgreSQL, each its own process
// group so a test can kill one as a crash would. Output goes to log files in
// the run's folder, shown when a test fails.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { waitFor } from "@/agent/testing/client";
import { isolatedEnv } from "./process";
import { query } from "./postgres";

const repoRoot = path.resolve(import.meta.dirname, "..");

export type ConsoleProcess = {
  label: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  /** Signals the whole process group (launcher, CLI, next or worker). */
  kill(signal: NodeJS.Signals): void;
  alive(): boolean;
};

export function spawnCli(label: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): ConsoleProcess {
  const logFile = path.join(logDir, `${label}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [path.join(repoRoot, "bin/clusterdeck.mjs"), ...args], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  return {
    label,
    child,
    logFile,
    exited,
    kill(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    },
    alive: () => !dead,
  };
}

/** Stops each (SIGTERM, SIGKILL after 10 s) and waits. */
export async function stopAll(processes: ConsoleProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
      await p.exited;
      clearTimeout(timer);
      p.kill("SIGKILL"); // anything left in the group
    }),
  );
}

export function logTail(p: ConsoleProcess, lines = 40): string {
  try {
    return readFileSync(p.logFile, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Polls until `probe` gives a value; on timeout, throws with the probe's last error (the same helper the agent tests use). */
export const waitUntil = waitFor;

export async function healthy(baseURL: string): Promise<boolean> {
  const res = await fetch(`${baseURL}/api/v1/health`).catch(() => null);
  return res?.status === 200;
}

export { query };

/** The monitor lease's holder ("host:pid:tag") and its pid, when it is held. */
export async function leaseHolder(url: string): Promise<{ holder: string; pid: number } | null> {
  const rows = await query<{ holder: string }>(url, `SELECT "holder" FROM "WorkerLease" WHERE "name" = 'monitor' AND "expiresAt" > now()`);
  const holder = rows[0]?.holder;
  if (!holder) return null;
  return { holder, pid: Number(holder.split(":")[1]) };
}

// ---------------------------------------------------------------------------
// The whole highly available topology, for the HA spec and lab/ha-chaos.ts.
// ---------------------------------------------------------------------------

export type HaConsole = {
  dir: string;
  pg: import("./postgres").PostgresPairHandle;
  dbUrl: string;
  urlA: string;
  urlB: string;
  webA: ConsoleProcess;
  webB: ConsoleProcess;
  workers: ConsoleProcess[];
  /** An ADMIN API token (made with the CLI). */
  token: string;
  admin: { email: string; password: string };
  clusterId: string;
  nodeNames: string[];
  /** The fleet's control port (lab/fleet.ts). */
  fleetPort: number;
  /** One more `clusterdeck worker`, as systemd's Restart=always would start. */
  startWorker(): ConsoleProcess;
  /** Starts web A or B again on its port (after it was killed). */
  restartWeb(which: "A" | "B"): ConsoleProcess;
  /** True once every node is UP and seen after `since`; otherwise throws what is missing. */
  allNodesSeenAfter(since: Date): Promise<boolean>;
  stop(): Promise<void>;
};

const ADMIN = { email: "admin@ha.test", password: "admin-password-ha-1" };

/** Fetch as the admin token, JSON in and out; throws with the body on an unexpected status. */
async function call<T>(baseURL: string, token: string, method: string, url: string, body: unknown, want: number): Promise<T> {
  const res = await fetch(`${baseURL}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== want) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function startHaConsole(opts: { dir: string; nodes: number }): Promise<HaConsole> {
  const { startPostgresPair } = await import("./postgres");
  const { freePorts } = await import("./ports");
  const { dir } = opts;
  const cleanups: (() => Promise<void>)[] = [];
  const webs: ConsoleProcess[] = [];
  const workers: ConsoleProcess[] = [];
  const pgPair = await startPostgresPair({ dir: path.join(dir, "pg") });
  cleanups.push(() => pgPair.stop().catch(() => {}));
  try {
    await query(pgPair.primaryUrl, "CREATE DATABASE clusterdeck");
    const u = new URL(pgPair.primaryUrl);
    u.pathname = "/clusterdeck";
    const dbUrl = u.toString();
    const [portA, portB, fleetPort, ...agentPorts] = (await freePorts(3 + opts.nodes)) as number[];
    const urlA = `http://127.0.0.1:${portA}`;
    const urlB = `http://127.0.0.1:${portB}`;
    const baseEnv = {
      ...process.env,
      DATABASE_URL: dbUrl,
      CLUSTERDECK_SECRET: "ha-test-secret-shared-by-every-instance-0123456789",
      CLUSTERDECK_ADMIN_EMAIL: ADMIN.email,
      CLUSTERDECK_ADMIN_PASSWORD: ADMIN.password,
      NEXT_TELEMETRY_DISABLED: "1",
    };
    const consoleEnv = (name: string, url: string) => ({ ...baseEnv, CLUSTERDECK_DATA_DIR: path.join(dir, name), NEXTAUTH_URL: url });
    let restarts = 0;
    const startWeb = (which: "A" | "B") => {
      const [port, url] = which === "A" ? [portA!, urlA] : [portB!, urlB];
      const label = `web-${which.toLowerCase()}${restarts++ ? `-${restarts}` : ""}`;
      const web = spawnCli(label, ["start", "--no-build", "--no-worker", "--port", String(port)], consoleEnv(`web-${which}`, url), dir);
      webs.push(web);
      return web;
    };
    const startWorker = () => {
      const worker = spawnCli(`worker-${workers.length + 1}`, ["worker"], consoleEnv(`worker-${workers.length + 1}`, urlA), dir);
      workers.push(worker);
      return worker;
    };
    cleanups.push(() => stopAll([...workers, ...webs]));

    // The first web instance migrates and creates the admin; the second finds both done.
    const webA = startWeb("A");
    await waitUntil("web A to answer", () => healthy(urlA), 90_000, 250);
    const webB = startWeb("B");
    await waitUntil("web B to answer", () => healthy(urlB), 90_000, 250);

    // An admin token from the CLI, then the inventory through the API, as an operator would enrol a fleet.
    const token = await new Promise<string>((resolve, reject) => {
      const cli = spawn(
        process.execPath,
        [path.join(repoRoot, "bin/clusterdeck.mjs"), "tokens", "create", "--name", "ha", "--role", "ADMIN", "--owner", ADMIN.email, "--json"],
        { cwd: repoRoot, env: consoleEnv("cli", urlA), stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      cli.stdout!.on("data", (c: Buffer) => (out += c.toString()));
      cli.once("exit", (code) => (code === 0 ? resolve((JSON.parse(out) as { token: string }).token) : reject(new Error(`tokens create exited ${code}`))));
    });
    const { id: clusterId } = await call<{ id: string }>(urlB, token, "POST", "/api/v1/clusters", { name: "ha" }, 201);
    const agents: import("./fleet").FleetAgent[] = [];
    for (let i = 0; i < opts.nodes; i++) {
      const name = `ha-app-${i + 1}`;
      const node = await call<{ id: string }>(
        urlB,
        token,
        "POST",
        "/api/v1/nodes",
        { clusterId, name, host: "127.0.0.1", port: 10_000 + i, agentUrl: `http://127.0.0.1:${agentPorts[i]}` },
        201,
      );
      const { keyId, secret } = await call<{ keyId: string; secret: string }>(urlB, token, "POST", `/api/v1/nodes/${node.id}/agent-credential`, {}, 201);
      agents.push({ name, port: agentPorts[i]!, keyId, secret });
    }
    const fleetFile = path.join(dir, "fleet.json");
    writeFileSync(fleetFile, JSON.stringify({ dir, appPort: fleetPort, agents }), { mode: 0o600 });
    const fleet = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(repoRoot, "lab/fleet.ts"), "--config", fleetFile], {
      cwd: repoRoot,
      env: isolatedEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanups.push(async () => void fleet.kill("SIGTERM"));
    await new Promise<void>((resolve, reject) => {
      fleet.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve());
      fleet.once("exit", (code) => reject(new Error(`fleet exited (${code})`)));
    });

    const allNodesSeenAfter = async (since: Date) => {
      const rows = await query<{ name: string; health: string; fresh: boolean }>(
        dbUrl,
        `SELECT "name", "health", coalesce("lastSeenAt" > $2, false) AS fresh FROM "Node" WHERE "clusterId" = $1 ORDER BY "name"`,
        [clusterId, since],
      );
      const missing = rows.filter((r) => r.health !== "UP" || !r.fresh);
      if (rows.length === opts.nodes && missing.length === 0) return true;
      throw new Error(`not yet: ${missing.map((r) => `${r.name} ${r.health}${r.fresh ? "" : " (not seen since)"}`).join(", ")}`);
    };
    startWorker();
    startWorker();
    await waitUntil("every node monitored and UP", () => allNodesSeenAfter(new Date(0)), 60_000, 250);
    return {
      dir,
      pg: pgPair,
      dbUrl,
      urlA,
      urlB,
      webA,
      webB,
      workers,
      token,
      admin: ADMIN,
      clusterId,
      nodeNames: agents.map((a) => a.name),
      fleetPort: fleetPort!,
      startWorker,
      restartWeb: startWeb,
      allNodesSeenAfter,
      async stop() {
        for (const fn of cleanups.reverse()) await fn();
      },
    };
  } catch (error) {
    for (const fn of cleanups.reverse()) await fn();
    throw error;
  }
}
